"""The read model's writes: what the handlers make of events, as idempotent, set-based upserts.

A replay (or a rebuild) of the same events converges to the same rows. The queries the API
makes are in `views.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from shared.db import Connection, from_json_rows, json_rows
from shared.events import domain as ev
from shared.events.feedback import IngestOutcome

CohortRow = tuple[
    str, str, str | None, str, str, str, int, str, str, dt.date, dt.date, Any, dt.datetime, Any
]


def cohort_row(c: ev.CohortInfo, province: str | None, changed_at: dt.datetime) -> CohortRow:
    return (
        c.cohort_code,
        c.publisher,
        province,
        c.programme_name,
        c.category.value,
        c.organizer,
        c.year,
        c.angkatan,
        c.location,
        c.start_date,
        c.end_date,
        c.total_jp,
        changed_at,
        c.completion.min_attendance_pct,
    )


async def upsert_cohorts(conn: Connection, rows: Sequence[CohortRow]) -> None:
    """Schedules and amendments, rows from `cohort_row` in event order. An amendment replaces
    the schedule but never the status (a late replay must not reopen)."""
    if not rows:
        return
    await _upsert_rounds(
        conn,
        f"""INSERT INTO cohorts (cohort_code, publisher, organizer_province, programme_name,
               category, organizer, year, angkatan, location, start_date, end_date, total_jp,
               changed_at, min_attendance_pct)
           {_COHORTS_ROWS}
           ON CONFLICT (cohort_code) DO UPDATE SET programme_name = EXCLUDED.programme_name,
               category = EXCLUDED.category, organizer = EXCLUDED.organizer,
               year = EXCLUDED.year, angkatan = EXCLUDED.angkatan, location = EXCLUDED.location,
               start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date,
               total_jp = EXCLUDED.total_jp, changed_at = EXCLUDED.changed_at,
               min_attendance_pct = EXCLUDED.min_attendance_pct
           WHERE cohorts.changed_at <= EXCLUDED.changed_at""",
        rows,
        0,
    )


async def set_cohort_status(conn: Connection, code: str, status: str, reason: str | None) -> None:
    await conn.execute(
        "UPDATE cohorts SET status = $2, cancel_reason = $3 WHERE cohort_code = $1",
        code,
        status,
        reason,
    )


async def withdraw(conn: Connection, code: str, nip: str) -> None:
    await conn.execute(
        "UPDATE enrolments SET withdrawn = true WHERE cohort_code = $1 AND nip = $2", code, nip
    )


async def set_certificate_status(
    conn: Connection, certificate_id: str, status: str, reason: str
) -> None:
    await conn.execute(
        "UPDATE certificates SET status = $2, status_reason = $3 WHERE certificate_id = $1",
        certificate_id,
        status,
        reason,
    )


# --- set-based writes: a run of events of one type, one statement per table --------------
#
# The handlers pass a run of one for a single event. An upsert may touch a row only once per
# statement, so rows are split into rounds with unique keys, keeping each key's order: round
# k holds the k-th row of every key. Applying the rounds in turn is exactly applying the rows
# one by one (rows of different keys never interact: no triggers, one unique key per table).


def _rounds(rows: Sequence[tuple[Any, ...]], key: int | tuple[int, ...]) -> list[list[Any]]:
    keys = list(map(itemgetter(*key) if isinstance(key, tuple) else itemgetter(key), rows))
    if len(set(keys)) == len(keys):
        return [list(rows)]  # every key once (the usual case): one round, no bookkeeping
    rounds: list[list[tuple[Any, ...]]] = []
    seen: dict[Any, int] = {}
    for k, row in zip(keys, rows, strict=True):
        n = seen.get(k, 0)
        seen[k] = n + 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append(row)
    return rounds


async def _upsert_rounds(
    conn: Connection, sql: str, rows: Sequence[tuple[Any, ...]], key: int | tuple[int, ...]
) -> None:
    for batch in _rounds(rows, key):
        await conn.execute(sql, json_rows(batch))


# Rows travel as one JSON document (shared.db.json_rows): see there why.
_COHORTS_ROWS = from_json_rows(
    "text, text, text, text, text, text, int, text, text, date, date, numeric, timestamptz, numeric"
)
_ENROLMENTS_ROWS = from_json_rows(
    "text, text, text, text, text, text, text, text, text, text, timestamptz, text, smallint"
)
_ATTENDANCE_ROWS = from_json_rows("text, text, numeric, numeric, numeric")
_COMPLETIONS_ROWS = from_json_rows("text, text, boolean, text, numeric, timestamptz, text, text")
_CERTIFICATES_ROWS = from_json_rows(
    "text, text, int, text, text, text, text, text, text, text, int, numeric, date, text,"
    " timestamptz, date, text"
)
_INGEST_OUTCOMES_ROWS = from_json_rows("text, text, text, text, text, timestamptz")
_INGEST_DUPLICATES_ROWS = from_json_rows("text, text, int, text, text, timestamptz")


EnrolmentRow = tuple[str, str, str, str, str, str, str | None, str, str, str, dt.datetime, str, int]


def enrolment_row(e: ev.ParticipantEnrolled, authority: int) -> EnrolmentRow:
    """The enrolment with its region claim: who claimed it (the cohort's publisher, from the
    event itself: no other table is read) and how much that claim weighs (`authority`)."""
    p = e.participant
    return (
        e.cohort_code,
        p.nip,
        p.name,
        p.asn_type,
        p.gender,
        p.position,
        p.rank,
        p.agency,
        p.region,
        p.region[:2],
        e.enrolled_at,
        e.publisher,
        authority,
    )


async def upsert_enrolments(conn: Connection, rows: Sequence[EnrolmentRow]) -> None:
    """Enrolments, rows from `enrolment_row` in event order. An enrolment again after a
    withdrawal (the enrolment service allows it while the cohort is open) makes the participant
    active again: the withdrawal and the new enrolment come in this order on the cohort's
    partition."""
    if not rows:
        return
    await _upsert_rounds(
        conn,
        f"""INSERT INTO enrolments (cohort_code, nip, name, asn_type, gender, position, rank,
               agency, region, region_province, enrolled_at, publisher, claim_authority)
           {_ENROLMENTS_ROWS}
           ON CONFLICT (cohort_code, nip) DO UPDATE SET name = EXCLUDED.name,
               asn_type = EXCLUDED.asn_type, gender = EXCLUDED.gender,
               position = EXCLUDED.position, rank = EXCLUDED.rank, agency = EXCLUDED.agency,
               region = EXCLUDED.region, region_province = EXCLUDED.region_province,
               enrolled_at = EXCLUDED.enrolled_at, publisher = EXCLUDED.publisher,
               claim_authority = EXCLUDED.claim_authority, withdrawn = false""",
        rows,
        (0, 1),
    )
    await refresh_asn(conn, sorted({r[1] for r in rows}))


async def refresh_asn(conn: Connection, nips: Sequence[str]) -> None:
    """Derive each ASN's row from all its enrolments' claims: the home region is the
    weightiest claim (domain.claim_authority), the earliest among equals (then by cohort code,
    so the result depends on the set of enrolments only, not on the order events of different
    cohorts arrived in: the live service and a rebuild agree). Identity comes from the latest
    enrolment that makes the same claim with the same weight, so the home region's own
    publisher corrects a name, and another publisher cannot."""
    await conn.execute(
        """WITH home AS (
               SELECT DISTINCT ON (nip) nip, region, claim_authority FROM enrolments
               WHERE nip = ANY($1::text[])
               ORDER BY nip, claim_authority DESC, enrolled_at, cohort_code
           ), chosen AS (
               SELECT DISTINCT ON (e.nip) e.* FROM enrolments e
               JOIN home h USING (nip, region, claim_authority)
               ORDER BY e.nip, e.enrolled_at DESC, e.cohort_code DESC
           )
           INSERT INTO asn (nip, name, gender, asn_type, agency, region, region_province,
               enrolled_at)
           SELECT nip, name, gender, asn_type, agency, region, region_province, enrolled_at
           FROM chosen
           ON CONFLICT (nip) DO UPDATE SET name = EXCLUDED.name, gender = EXCLUDED.gender,
               asn_type = EXCLUDED.asn_type, agency = EXCLUDED.agency,
               region = EXCLUDED.region, region_province = EXCLUDED.region_province,
               enrolled_at = EXCLUDED.enrolled_at""",
        list(nips),
    )


async def upsert_attendances(conn: Connection, items: Sequence[ev.ParticipantFinalised]) -> None:
    """Finalised attendance, in event order."""
    if not items:
        return
    await _upsert_rounds(
        conn,
        f"""INSERT INTO attendance (cohort_code, nip, jp_present, jp_total, rate_pct)
           {_ATTENDANCE_ROWS}
           ON CONFLICT (cohort_code, nip) DO UPDATE SET
               jp_present = EXCLUDED.jp_present, jp_total = EXCLUDED.jp_total,
               rate_pct = EXCLUDED.rate_pct""",
        # Decimals as text here (what json_rows writes for them anyway): its per-value
        # fallback costs ten times as much, on one row per participant.
        [
            (a.cohort_code, a.nip, str(a.jp_present), str(a.jp_total), str(a.rate_pct))
            for a in items
        ],
        (0, 1),
    )


async def upsert_completions(conn: Connection, items: Sequence[ev.CompletionDecided]) -> None:
    """Completion decisions, in event order (the latest decision wins)."""
    if not items:
        return
    await _upsert_rounds(
        conn,
        f"""INSERT INTO completions (cohort_code, nip, completed, predicate, score, decided_at,
               explanation_id, explanation_en)
           {_COMPLETIONS_ROWS}
           ON CONFLICT (cohort_code, nip) DO UPDATE SET
               completed = EXCLUDED.completed, predicate = EXCLUDED.predicate,
               score = EXCLUDED.score, decided_at = EXCLUDED.decided_at,
               explanation_id = EXCLUDED.explanation_id, explanation_en = EXCLUDED.explanation_en
           WHERE completions.decided_at <= EXCLUDED.decided_at""",
        [
            (
                d.cohort_code,
                d.nip,
                d.completed,
                d.predicate,
                d.score,
                d.decided_at,
                d.explanation_id,
                d.explanation_en,
            )
            for d in items
        ],
        (0, 1),
    )


async def upsert_certificates(conn: Connection, items: Sequence[ev.CertificateIssued]) -> None:
    """Issued certificates, in event order (a certificate is issued once)."""
    if not items:
        return
    await _upsert_rounds(
        conn,
        f"""INSERT INTO certificates (certificate_id, number, version, cohort_code, publisher,
               nip, name, programme_name, category, organizer, year, total_jp, end_date,
               predicate, issued_at, issue_date, verification_code)
           {_CERTIFICATES_ROWS}
           ON CONFLICT (certificate_id) DO NOTHING""",
        [
            (
                c.certificate_id,
                c.number,
                c.version,
                c.cohort_code,
                c.publisher,
                c.nip,
                c.name,
                c.programme_name,
                c.category.value,
                c.organizer,
                c.year,
                c.total_jp,
                c.end_date,
                c.predicate,
                c.issued_at,
                c.issue_date,
                c.verification_code,
            )
            for c in items
        ],
        0,
    )


# (publisher, feedback message id, place in the message, outcome)
OutcomeItem = tuple[str, str, int, IngestOutcome]


async def upsert_outcomes(conn: Connection, items: Sequence[OutcomeItem]) -> None:
    """Outcomes told on the feedback topics, in event order: each event's decision (latest
    wins; a parked one gives way to the final one) and, apart, every duplicate told."""
    if not items:
        return
    decisions = [(p, o) for p, _, _, o in items if o.outcome.value != "duplicate"]
    if decisions:
        await _upsert_rounds(
            conn,
            f"""INSERT INTO ingest_outcomes (service, event_id, publisher, outcome, reason,
                   decided_at)
               {_INGEST_OUTCOMES_ROWS}
               ON CONFLICT (service, event_id) DO UPDATE SET
                   outcome = EXCLUDED.outcome, reason = EXCLUDED.reason,
                   decided_at = EXCLUDED.decided_at
               WHERE (ingest_outcomes.decided_at, ingest_outcomes.outcome <> 'parked')
                   <= (EXCLUDED.decided_at, EXCLUDED.outcome <> 'parked')""",
            [
                (
                    o.service,
                    o.event_id,
                    publisher,
                    o.outcome.value,
                    o.reason.value if o.reason else None,
                    o.decided_at,
                )
                for publisher, o in decisions
            ],
            (0, 1),
        )
    duplicates = [
        (o.service, message_id, ordinal, o.event_id, publisher, o.decided_at)
        for publisher, message_id, ordinal, o in items
        if o.outcome.value == "duplicate"
    ]
    if duplicates:
        await conn.execute(
            f"""INSERT INTO ingest_duplicates (service, message_id, ordinal, event_id,
                   publisher, decided_at)
               {_INGEST_DUPLICATES_ROWS}
               ON CONFLICT DO NOTHING""",
            json_rows(duplicates),
        )
