"""Deciding completion and issuing certificates: load who is due → decide (domain) → save the
decisions and certificates → announce them. Called by the handlers whenever a prerequisite of a
decision arrives (enrolment's close, our barrier, attendance's results)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from services.certification import certificates, domain, repository
from services.certification.cohort_announcements import (
    announce_cohort_decided,
    tell_cohort_results,
)
from services.certification.ports import Candidate, Certificate, Cohort, Decision
from shared.consumer import UnitOfWork

Due = tuple[Cohort, Candidate]
Decided = tuple[Cohort, Candidate, Decision]


async def decide_due(uow: UnitOfWork, cohort_codes: Sequence[str]) -> int:
    """Decide every participant of these cohorts whose prerequisites are all present, cohort
    by cohort in the order given (certificate numbers follow it)."""
    repo = repository.of(uow)
    codes = list(dict.fromkeys(cohort_codes))
    cohorts = await repo.deciding_cohorts(codes)
    wanted = [(code, None, cohorts[code].finalised) for code in codes if code in cohorts]
    candidates = await repo.undecided(wanted)
    return await decide_all(uow, [(cohorts[code], c) for code, c in candidates])


# Decided and issued at most this many at a time, whole cohorts: a burst of closes brings
# thousands, and each holds its documents and rows until its statements return; what a part
# announces stays in the outbox rows until the commit (bench/notes.md).
MOST_AT_ONCE = 2_000


async def decide_all(uow: UnitOfWork, due: Sequence[Due]) -> int:
    """Decide, certify and announce each (cohort, candidate) in order, in parts of at most
    MOST_AT_ONCE (whole cohorts: a larger or interleaved cohort goes in a larger part), each in
    a few statements: the decisions, one counter draw per organiser and year, the
    certificates; then one announcement per cohort (its decisions and certificates together)
    and its results to the publisher. Same rows, in the same order, as deciding them one at a
    time."""
    decided = 0
    for part in whole_cohorts(due, MOST_AT_ONCE):
        decided += await _decide(uow, part)
    return decided


def whole_cohorts(due: Sequence[Due], most: int) -> Iterator[Sequence[Due]]:
    """`due` in consecutive parts of at most `most`, cut only where every cohort before the cut
    has ended: a cohort larger than `most` is a part of its own, and cohorts that interleave (a
    run of per-participant events, in event order) stay in one part."""
    last = {cohort.cohort_code: i for i, (cohort, _) in enumerate(due)}
    start = cut = reach = 0
    for i in range(1, len(due)):
        reach = max(reach, last[due[i - 1][0].cohort_code])
        if reach < i:
            cut = i
        if i - start >= most and cut > start:
            yield due[start:cut]
            start = cut
    if due:
        yield due[start:]


async def _decide(uow: UnitOfWork, due: Sequence[Due]) -> int:
    repo = repository.of(uow)
    decided = decisions_for(due, uow.now)
    inserted = await repo.insert_decisions([d for _, _, d in decided])
    decided = [x for x in decided if (x[2].cohort_code, x[2].nip) in inserted]
    issuing = await first_certificates(uow, [x for x in decided if x[2].completed])
    issued = await repo.insert_certificates(list(issuing.values()))
    for cohort, decisions in by_cohort(decided):
        certificates = {
            d.nip: certificate
            for d in decisions
            if d.completed and (certificate := issuing[(d.cohort_code, d.nip)]).id in issued
        }
        announce_cohort_decided(uow, cohort, decisions, certificates)
        tell_cohort_results(uow, cohort, decisions, certificates)
    return len(decided)


def by_cohort(decided: Sequence[Decided]) -> list[tuple[Cohort, list[Decision]]]:
    """The decisions grouped by cohort, cohorts and decisions in the order decided."""
    groups: dict[str, tuple[Cohort, list[Decision]]] = {}
    for cohort, _, decision in decided:
        groups.setdefault(cohort.cohort_code, (cohort, []))[1].append(decision)
    return list(groups.values())


def decisions_for(due: Sequence[Due], now: dt.datetime) -> list[Decided]:
    """The domain's decision for each (cohort, candidate), as rows to save."""
    # Participants with the same figures under the same policy share one decision: most of a
    # cohort attended alike, and the rule with its explanations is much of a certificate's work.
    outcomes: dict[tuple[Any, ...], domain.CompletionDecision] = {}
    decided = []
    for cohort, candidate in due:
        key = (
            cohort.cohort_code,
            candidate.jp_present,
            candidate.jp_total,
            candidate.rate_pct,
            candidate.score,
            candidate.withdrawn,
        )
        if (outcome := outcomes.get(key)) is None:
            outcome = outcomes[key] = completion_of(cohort, candidate)
        decided.append((cohort, candidate, decision_row(cohort, candidate, outcome, now)))
    return decided


def completion_of(cohort: Cohort, candidate: Candidate) -> domain.CompletionDecision:
    return domain.decide_completion(
        policy_of(cohort),
        domain.exact_rate(candidate.jp_present, candidate.jp_total, candidate.rate_pct),
        candidate.score,
        candidate.withdrawn,
    )


def policy_of(cohort: Cohort) -> domain.CompletionPolicy:
    return domain.CompletionPolicy(
        version=cohort.policy_version,
        min_attendance_pct=cohort.min_attendance_pct,
        evaluation_required=cohort.evaluation_required,
        pass_score=cohort.pass_score,
    )


def decision_row(
    cohort: Cohort, candidate: Candidate, outcome: domain.CompletionDecision, now: dt.datetime
) -> Decision:
    return Decision(
        cohort_code=cohort.cohort_code,
        nip=candidate.nip,
        completed=outcome.completed,
        policy_version=cohort.policy_version,
        rate_pct=candidate.rate_pct or Decimal(0),
        score=candidate.score,
        predicate=outcome.predicate,
        explanation_id=outcome.summary.message_id,
        explanation_en=outcome.summary.message_en,
        decided_at=now,
    )


# What a cohort's certificates share: year, organiser code, issue date, who issues them.
_Shared = tuple[int, str, dt.date, certificates.Issuer]


async def first_certificates(
    uow: UnitOfWork, completed: Sequence[Decided]
) -> dict[tuple[str, str], Certificate]:
    """First certificates for these decisions, numbered in order per organiser and year."""
    if not completed:
        return {}
    repo = repository.of(uow)
    profiles = await repo.publisher_profiles(sorted({c.publisher for c, _, _ in completed}))
    per_cohort: dict[str, _Shared] = {}
    counts: dict[tuple[str, int], int] = {}
    for cohort, _, _ in completed:
        if (shared := per_cohort.get(cohort.cohort_code)) is None:
            shared = shared_by_cohort(cohort, profiles.get(cohort.publisher))
            per_cohort[cohort.cohort_code] = shared
        key = (cohort.publisher, shared[0])
        counts[key] = counts.get(key, 0) + 1
    sequences = {
        key: iter(await repo.next_sequences(key[0], key[1], n)) for key, n in counts.items()
    }
    out: dict[tuple[str, str], Certificate] = {}
    for cohort, candidate, decision in completed:
        year, organizer_code, issued_on, issuer = per_cohort[cohort.cohort_code]
        seq = next(sequences[(cohort.publisher, year)])
        number = certificates.certificate_number(organizer_code, year, seq)
        out[(cohort.cohort_code, candidate.nip)] = first_certificate(
            cohort, candidate, decision, number, (issued_on, issuer), uow.now
        )
    return out


def shared_by_cohort(cohort: Cohort, profile: certificates.Issuer | None) -> _Shared:
    info = cohort.info
    return (
        int(info["year"]),
        certificates.organizer_code_for(cohort.publisher),
        certificates.issue_date(
            cohort.closed_on,
            cohort.closed_at,
            dt.date.fromisoformat(str(info["end_date"])),
            info["timezone"],
        ),
        certificates.issuer_of(info, profile),
    )


def first_certificate(
    cohort: Cohort,
    candidate: Candidate,
    decision: Decision,
    number: str,
    issued: tuple[dt.date, certificates.Issuer],
    now: dt.datetime,
) -> Certificate:
    issued_on, issuer = issued
    return Certificate(
        id=uuid.uuid4(),
        cohort_code=cohort.cohort_code,
        nip=candidate.nip,
        publisher=cohort.publisher,
        number=number,
        version=1,
        verification_code=certificates.new_verification_code(),
        status="valid",
        content=certificates.sttp_content(
            cohort.info,
            candidate.participant,
            decision.predicate,
            number,
            number,
            issued_on,
            issuer,
        ),
        issued_at=now,
    )
