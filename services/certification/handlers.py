"""Certification handlers: evaluations in, completion decided at close, certificates issued once.

A participant is decided when three things are all present, whichever arrives last: the
enrolment CohortClosed (naming its ingest cause), this service's own close barrier for that
cause, and the participant's ParticipantFinalised. Withdrawn participants are decided when
the attendance CohortFinalised arrives. The decisions table's primary key and the partial
unique index on valid certificates make every step idempotent under redelivery.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from services.certification import certificates, domain
from services.certification.adapters import postgres as repo
from services.certification.announcements import SERVICE, announce_issued
from shared import judgement
from shared.barrier import confirm_closes, note_closes, refuse_closes, waiting_for_close
from shared.consumer import (
    Handled,
    Route,
    RouteTable,
    UnitOfWork,
    applied_unless_invalid,
    route_table,
    validated_run,
    waiting_for_cohort,
    waiting_for_enrolment,
)
from shared.envelope import CloudEvent, RecordPosition, validate_data
from shared.events import domain as ev
from shared.events.domain import (
    CloseRefused,
    CohortCancelled,
    CohortClosed,
    CohortFinalised,
    CohortInfo,
    CompletionDecided,
    ParticipantEnrolled,
    ParticipantFinalised,
    ParticipantWithdrawn,
)
from shared.events.feedback import Notice
from shared.events.ingest import (
    COHORT_CLOSED,
    EVALUATION_RECORDED,
    INGEST_TYPES,
    EvaluationRecorded,
)
from shared.logging import mask_nip
from shared.reasons import ReasonCode
from shared.topics import CERTIFICATION_EVENTS

# --- ingest ------------------------------------------------------------------------------


async def on_evaluation_recorded(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, EvaluationRecorded)
    facts, held_time = await repo.evaluation_facts(uow.conn, data.cohort_code, data.nip)
    decision = domain.judge_evaluation(facts, event.publisher, event.position or _NOWHERE)
    if isinstance(decision, judgement.Wait):
        key = _waiting_key(decision.waiting, data.cohort_code, data.nip)
        return await uow.park(event, waiting_for=key, reject_code=decision.reason)
    if isinstance(decision, judgement.Reject):
        return Handled.rejected(decision.reason, decision.message_id, decision.message_en)
    if domain.score_replaces(event.time, held_time):
        await repo.save_evaluation(
            uow.conn, data.cohort_code, data.nip, data.score, event.id, event.time
        )
    return Handled.applied()


_NOWHERE = RecordPosition("", 0, 0)


def _waiting_key(waiting: judgement.Waiting, cohort_code: str, nip: str) -> str:
    """The parking key a score waits under, as the core unparks it."""
    if waiting is judgement.Waiting.COHORT:
        return waiting_for_cohort(cohort_code)
    if waiting is judgement.Waiting.ENROLMENT:
        return waiting_for_enrolment(cohort_code, nip)
    return waiting_for_close(cohort_code)


async def on_close_recorded(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_close_recorded_run(uow, [event]))[0]


async def on_close_recorded_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """The closes as seen on our ingest partitions (enrolment reports on them, not us): the
    barriers in one insert, then whatever they made due."""
    outcomes, codes = await note_closes(uow.conn, events)
    await decide_due(uow, codes)
    return outcomes


async def on_close_recorded_duplicate(uow: UnitOfWork, event: CloudEvent) -> None:
    """A close whose id we saw on another record (a score, say) is still a close on the log:
    enrolment may have accepted it, and deciding needs us to have passed it."""
    await on_close_recorded_run(uow, [event])


# --- enrolment domain events -------------------------------------------------------------


async def on_cohort_info(uow: UnitOfWork, event: CloudEvent) -> Handled:
    info = validate_data(event, CohortInfo)
    await repo.upsert_cohort(uow.conn, info)
    await uow.unpark(waiting_for_cohort(info.cohort_code))
    return Handled.applied()


async def on_cohort_cancelled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, CohortCancelled)
    await repo.cancel_cohort(uow.conn, data.cohort_code)
    return Handled.applied()


async def on_cohort_closed(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_cohort_closed_run(uow, [event]))[0]


async def on_cohort_closed_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """Enrolment's closes, set-based: a burst of closes is a handful of statements, not a
    dozen round trips per cohort (cohorts are independent of one another)."""
    outcomes, valid = applied_unless_invalid(events, CohortClosed)
    closes = [d for _, d in valid]
    await repo.close_cohorts(
        uow.conn, [(d.cohort_code, d.cause.event_id, d.closed_at) for d in closes]
    )
    await confirm_closes(uow.conn, closes)
    codes = [d.cohort_code for d in closes]
    # The rosters are final: evaluations still waiting for an enrolment are rejected now, and
    # those sent after the close, which waited for this word, too (COHORT_CLOSED).
    await uow.unpark_cohorts(codes)
    await uow.unpark_many([waiting_for_close(code) for code in codes])
    await decide_due(uow, codes)
    return outcomes


async def on_close_refused(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_close_refused_run(uow, [event]))[0]


async def on_close_refused_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """Closes enrolment did not apply: their barriers are dropped, and the evaluations that
    waited for the verdict are judged as if the record had never been sent."""
    outcomes, valid = applied_unless_invalid(events, CloseRefused)
    await refuse_closes(uow.conn, [d for _, d in valid])
    await uow.unpark_many([waiting_for_close(d.cohort_code) for _, d in valid])
    return outcomes


async def on_participant_enrolled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_participant_enrolled_run(uow, [event]))[0]


async def on_participant_enrolled_run(
    uow: UnitOfWork, events: Sequence[CloudEvent]
) -> list[Handled]:
    """A run of enrolments: one upsert, one unpark (one at a time: ~1.5 ms an enrolment)."""
    outcomes, valid = applied_unless_invalid(events, ParticipantEnrolled)
    await repo.upsert_enrolments(
        uow.conn, [(d.cohort_code, d.participant.model_dump(mode="json")) for _, d in valid]
    )
    await uow.unpark_many(
        [waiting_for_enrolment(d.cohort_code, d.participant.nip) for _, d in valid]
    )
    return outcomes


async def on_participant_withdrawn(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ParticipantWithdrawn)
    await repo.withdraw(uow.conn, data.cohort_code, data.nip)
    return Handled.applied()


# --- attendance domain events ------------------------------------------------------------


async def on_participant_finalised_run(
    uow: UnitOfWork, events: Sequence[CloudEvent]
) -> list[Handled]:
    """The hot path after a close, set-based: one attendance insert for the run, one read of
    the cohorts that may decide, one of what is due, and the decisions and certificates of all
    of it in bulk.

    Deciding a participant reads only its own rows and the cohort, which these events do not
    change, so saving the whole run first decides exactly as event by event would."""
    outcomes, checked = applied_unless_invalid(events, ParticipantFinalised)
    valid = [d for _, d in checked]
    await repo.save_attendances(uow.conn, valid)
    cohorts = await repo.deciding_cohorts(
        uow.conn, list(dict.fromkeys(d.cohort_code for d in valid))
    )
    wanted = [
        (d.cohort_code, d.nip, cohorts[d.cohort_code].finalised)
        for d in valid
        if d.cohort_code in cohorts
    ]
    due = {
        (code, candidate.nip): (cohorts[code], candidate)
        for code, candidate in await repo.undecided(uow.conn, wanted)
    }
    # In event order, as event by event (certificate numbers follow it).
    ordered = [due.pop(key) for d in valid if (key := (d.cohort_code, d.nip)) in due]
    await _decide_all(uow, ordered)
    return outcomes


async def on_participant_finalised(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_participant_finalised_run(uow, [event]))[0]


async def on_cohort_finalised(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_cohort_finalised_run(uow, [event]))[0]


async def on_cohort_finalised_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """Attendance has finalised these cohorts: their withdrawn participants may be decided.
    Attendance's topic may run ahead of enrolment's here (a replay, a lagging consumer): a
    cohort not scheduled here yet waits for its schedule instead of losing the flag."""
    outcomes, valid = validated_run(events, CohortFinalised)
    marked = await repo.mark_finalised(uow.conn, [d.cohort_code for _, _, d in valid])
    for index, event, data in valid:
        if data.cohort_code in marked:
            outcomes[index] = Handled.applied()
        else:
            waiting = waiting_for_cohort(data.cohort_code)
            outcomes[index] = await uow.park(event, waiting, ReasonCode.UNKNOWN_COHORT)
    await decide_due(uow, [d.cohort_code for _, _, d in valid if d.cohort_code in marked])
    return [o for o in outcomes if o is not None]


# --- deciding and issuing ----------------------------------------------------------------


async def decide_due(uow: UnitOfWork, cohort_codes: Sequence[str]) -> int:
    """Decide every participant of these cohorts whose prerequisites are all present, cohort
    by cohort in the order given (certificate numbers follow it)."""
    codes = list(dict.fromkeys(cohort_codes))
    cohorts = await repo.deciding_cohorts(uow.conn, codes)
    wanted = [(code, None, cohorts[code].finalised) for code in codes if code in cohorts]
    candidates = await repo.undecided(uow.conn, wanted)
    return await _decide_all(uow, [(cohorts[code], c) for code, c in candidates])


def _policy(cohort: repo.Cohort) -> domain.CompletionPolicy:
    return domain.CompletionPolicy(
        version=cohort.policy_version,
        min_attendance_pct=cohort.min_attendance_pct,
        evaluation_required=cohort.evaluation_required,
        pass_score=cohort.pass_score,
    )


async def _decide_all(uow: UnitOfWork, due: Sequence[tuple[repo.Cohort, repo.Candidate]]) -> int:
    """Decide, certify and announce each (cohort, candidate) in order, in a few statements: the
    decisions, one counter draw per organiser and year, the certificates. Same rows and events,
    in the same order, as deciding them one at a time."""
    if not due:
        return 0
    decided = []
    # Participants with the same figures under the same policy share one decision: most of a
    # cohort attended alike, and the rule with its explanations is much of a certificate's work.
    outcomes: dict[tuple[Any, ...], domain.CompletionDecision] = {}
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
            outcome = outcomes[key] = domain.decide_completion(
                _policy(cohort),
                domain.exact_rate(candidate.jp_present, candidate.jp_total, candidate.rate_pct),
                candidate.score,
                candidate.withdrawn,
            )
        decision = repo.Decision(
            cohort_code=cohort.cohort_code,
            nip=candidate.nip,
            completed=outcome.completed,
            policy_version=cohort.policy_version,
            rate_pct=candidate.rate_pct or Decimal(0),
            score=candidate.score,
            predicate=outcome.predicate,
            explanation_id=outcome.summary.message_id,
            explanation_en=outcome.summary.message_en,
            decided_at=uow.now,
        )
        decided.append((cohort, candidate, decision))
    inserted = await repo.insert_decisions(uow.conn, [d for _, _, d in decided])
    decided = [x for x in decided if (x[2].cohort_code, x[2].nip) in inserted]
    certificates = await _certificates(uow, [(c, k, d) for c, k, d in decided if d.completed])
    issued = await repo.insert_certificates(uow.conn, list(certificates.values()))
    for cohort, candidate, decision in decided:
        uow.emit(
            CERTIFICATION_EVENTS,
            CompletionDecided(
                cohort_code=decision.cohort_code,
                publisher=cohort.publisher,
                nip=decision.nip,
                completed=decision.completed,
                policy_version=decision.policy_version,
                rate_pct=decision.rate_pct,
                score=decision.score,
                predicate=decision.predicate,
                explanation_id=decision.explanation_id,
                explanation_en=decision.explanation_en,
                decided_at=decision.decided_at,
            ),
            subject=cohort.cohort_code,
            event_id=f"{SERVICE}:decided:{cohort.cohort_code}:{candidate.nip}",
        )
        if decision.completed:
            certificate = certificates[(decision.cohort_code, decision.nip)]
            if certificate.id in issued:
                announce_issued(uow, certificate)
        else:
            uow.notify(
                cohort.publisher,
                Notice(
                    kind="completion_failed",
                    cohort_code=cohort.cohort_code,
                    nip_masked=mask_nip(candidate.nip),
                    message_id=decision.explanation_id,
                    message_en=decision.explanation_en,
                    at=uow.now,
                ),
                event_id=f"{SERVICE}:failed:{cohort.cohort_code}:{candidate.nip}",
            )
    return len(decided)


async def _certificates(
    uow: UnitOfWork, completed: Sequence[tuple[repo.Cohort, repo.Candidate, repo.Decision]]
) -> dict[tuple[str, str], repo.Certificate]:
    """First certificates for these decisions, numbered in order per organiser and year."""
    per_cohort: dict[str, tuple[int, str, dt.date]] = {}  # what a cohort's certificates share
    counts: dict[tuple[str, int], int] = {}
    for cohort, _, _ in completed:
        if (shared := per_cohort.get(cohort.cohort_code)) is None:
            shared = per_cohort[cohort.cohort_code] = (
                int(cohort.info["year"]),
                certificates.organizer_code_for(cohort.publisher),
                certificates.issue_date(cohort.closed_at, uow.now, cohort.info["timezone"]),
            )
        key = (cohort.publisher, shared[0])
        counts[key] = counts.get(key, 0) + 1
    sequences = {
        key: iter(await repo.next_sequences(uow.conn, key[0], key[1], n))
        for key, n in counts.items()
    }
    out: dict[tuple[str, str], repo.Certificate] = {}
    for cohort, candidate, decision in completed:
        year, organizer_code, issued_on = per_cohort[cohort.cohort_code]
        seq = next(sequences[(cohort.publisher, year)])
        number = certificates.certificate_number(organizer_code, year, seq)
        out[(cohort.cohort_code, candidate.nip)] = repo.Certificate(
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
            ),
            issued_at=uow.now,
        )
    return out


_EVALUATION = Route(on_evaluation_recorded)
INGEST_ROUTES: RouteTable = route_table(
    INGEST_TYPES,
    {
        EVALUATION_RECORDED: _EVALUATION,
        COHORT_CLOSED: Route(
            on_close_recorded,
            reports=False,
            batch=on_close_recorded_run,
            duplicate=on_close_recorded_duplicate,
        ),
    },
)
DOMAIN_ROUTES: RouteTable = route_table(
    ev.DOMAIN_TYPES,
    {
        ev.ENROLMENT_COHORT_SCHEDULED: Route(on_cohort_info),
        ev.ENROLMENT_COHORT_AMENDED: Route(on_cohort_info),
        ev.ENROLMENT_COHORT_CANCELLED: Route(on_cohort_cancelled),
        ev.ENROLMENT_COHORT_CLOSED: Route(on_cohort_closed, batch=on_cohort_closed_run),
        ev.ENROLMENT_CLOSE_REFUSED: Route(on_close_refused, batch=on_close_refused_run),
        ev.ENROLMENT_PARTICIPANT_ENROLLED: Route(
            on_participant_enrolled, batch=on_participant_enrolled_run
        ),
        ev.ENROLMENT_PARTICIPANT_WITHDRAWN: Route(on_participant_withdrawn),
        ev.ATTENDANCE_PARTICIPANT_FINALISED: Route(
            on_participant_finalised, batch=on_participant_finalised_run
        ),
        ev.ATTENDANCE_COHORT_FINALISED: Route(on_cohort_finalised, batch=on_cohort_finalised_run),
    },
)
