"""Certification's repository: every SQL statement of the service, on an asyncpg connection."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from services.certification import domain
from shared import judgement
from shared.db import from_json_rows, json_rows
from shared.events.domain import CohortInfo, ParticipantFinalised

# A plain connection or one borrowed from a pool: the repository takes either.
Conn = asyncpg.Connection | PoolConnectionProxy


@dataclass(frozen=True)
class Cohort:
    cohort_code: str
    publisher: str
    info: dict[str, Any]
    policy_version: int
    min_attendance_pct: Decimal
    evaluation_required: bool
    pass_score: Decimal
    cancelled: bool
    close_event_id: str | None
    finalised: bool
    closed_at: dt.datetime | None = None


@dataclass(frozen=True)
class Candidate:
    """A participant whose decision is due: roster entry, attendance (if any), latest score."""

    nip: str
    participant: dict[str, Any]
    withdrawn: bool
    jp_present: Decimal | None
    jp_total: Decimal | None
    rate_pct: Decimal | None
    score: Decimal | None


@dataclass(frozen=True)
class Decision:
    cohort_code: str
    nip: str
    completed: bool
    policy_version: int
    rate_pct: Decimal
    score: Decimal | None
    predicate: str | None
    explanation_id: str
    explanation_en: str
    decided_at: dt.datetime


@dataclass(frozen=True)
class Certificate:
    id: uuid.UUID
    cohort_code: str
    nip: str
    publisher: str
    number: str
    version: int
    verification_code: str
    status: str
    content: dict[str, Any]
    issued_at: dt.datetime
    previous_id: uuid.UUID | None = None
    superseded_by: uuid.UUID | None = None
    status_reason: str | None = None
    status_changed_at: dt.datetime | None = None


_CERT_COLUMNS = """id, cohort_code, nip, publisher, number, version, verification_code, status,
    content, issued_at, previous_id, superseded_by, status_reason, status_changed_at"""


# --- cohorts and rosters -----------------------------------------------------------------


async def upsert_cohort(conn: Conn, info: CohortInfo) -> None:
    policy = info.completion
    await conn.execute(
        """INSERT INTO cohorts (cohort_code, publisher, info, policy_version, min_attendance_pct,
               evaluation_required, pass_score) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (cohort_code) DO UPDATE SET info = EXCLUDED.info,
               policy_version = EXCLUDED.policy_version,
               min_attendance_pct = EXCLUDED.min_attendance_pct,
               evaluation_required = EXCLUDED.evaluation_required,
               pass_score = EXCLUDED.pass_score
           WHERE cohorts.policy_version <= EXCLUDED.policy_version""",
        info.cohort_code,
        info.publisher,
        info.model_dump(mode="json"),
        info.policy_version,
        policy.min_attendance_pct,
        policy.evaluation_required,
        policy.pass_score,
    )


async def cancel_cohort(conn: Conn, cohort_code: str) -> None:
    await conn.execute("UPDATE cohorts SET cancelled = true WHERE cohort_code = $1", cohort_code)


async def close_cohorts(conn: Conn, closes: Sequence[tuple[str, str, dt.datetime]]) -> None:
    """Record (cohort, cause event id, closed at) for cohorts not closed yet; a cohort's first
    close in the list wins, as it would one by one."""
    first: dict[str, tuple[str, str, dt.datetime]] = {}
    for close in closes:
        first.setdefault(close[0], close)
    if first:
        await conn.execute(
            f"""UPDATE cohorts c SET close_event_id = k.cause, closed_at = k.closed_at
               FROM ({_CLOSES}) AS k
               WHERE c.cohort_code = k.code AND c.close_event_id IS NULL""",
            json_rows(list(first.values())),
        )


_CLOSES = from_json_rows("code text, cause text, closed_at timestamptz")


async def mark_finalised(conn: Conn, cohort_codes: Sequence[str]) -> set[str]:
    """Flag these cohorts finalised; returns those known here (the others are not updated)."""
    rows = await conn.fetch(
        """UPDATE cohorts SET finalised = true WHERE cohort_code = ANY($1::text[])
           RETURNING cohort_code""",
        list(cohort_codes),
    )
    return {r[0] for r in rows}


async def get_cohort(conn: Conn, cohort_code: str) -> Cohort | None:
    row = await conn.fetchrow(
        """SELECT cohort_code, publisher, info, policy_version, min_attendance_pct,
               evaluation_required, pass_score, cancelled, close_event_id, finalised, closed_at
           FROM cohorts WHERE cohort_code = $1""",
        cohort_code,
    )
    return Cohort(**dict(row)) if row else None


async def upsert_enrolments(conn: Conn, rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """(Re-)enrol many (cohort, participant), in order: the last of a key wins, and a
    participant enrolled again after a withdrawal is no longer withdrawn."""
    latest = {(code, p["nip"]): (code, p["nip"], p) for code, p in rows}
    if not latest:
        return
    await conn.execute(
        f"""INSERT INTO enrolments (cohort_code, nip, participant) {_ENROLMENT_ROWS}
           ON CONFLICT (cohort_code, nip) DO UPDATE SET participant = EXCLUDED.participant,
               withdrawn = false""",
        json_rows(list(latest.values())),
    )


_ENROLMENT_ROWS = from_json_rows("text, text, jsonb")


async def withdraw(conn: Conn, cohort_code: str, nip: str) -> None:
    await conn.execute(
        "UPDATE enrolments SET withdrawn = true WHERE cohort_code = $1 AND nip = $2",
        cohort_code,
        nip,
    )


async def evaluation_facts(
    conn: Conn, cohort_code: str, nip: str
) -> tuple[domain.EvaluationFacts | None, dt.datetime | None]:
    """What a score is judged against (None if the cohort is unknown) and the `time` of the
    score held, in one round trip."""
    row = await conn.fetchrow(
        """SELECT c.publisher, c.cancelled, c.close_event_id IS NOT NULL,
               EXISTS (SELECT 1 FROM enrolments e WHERE e.cohort_code = c.cohort_code
                       AND e.nip = $2),
               (SELECT jsonb_agg(jsonb_build_array(b.topic, b.partition, b."offset",
                                                   b.verdict IS NOT NULL))
                FROM close_barriers b
                WHERE b.cohort_code = c.cohort_code AND b.source = '/publishers/' || c.publisher
                  AND b.passed AND b.verdict IS DISTINCT FROM 'refused'),
               (SELECT v.event_time FROM evaluations v
                WHERE v.cohort_code = c.cohort_code AND v.nip = $2)
           FROM cohorts c WHERE c.cohort_code = $1""",
        cohort_code,
        nip,
    )
    if row is None:
        return None, None
    barriers = tuple(judgement.CloseBarrier(t, p, o, a) for t, p, o, a in row[4] or ())
    return domain.EvaluationFacts(row[0], row[1], row[2], row[3], barriers), row[5]


# --- evaluations and attendance ----------------------------------------------------------


async def save_evaluation(
    conn: Conn, cohort_code: str, nip: str, score: Decimal, event_id: str, event_time: dt.datetime
) -> None:
    # The domain chose it over the score held; the cohort lock keeps that read current.
    await conn.execute(
        """INSERT INTO evaluations (cohort_code, nip, score, event_id, event_time)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (cohort_code, nip) DO UPDATE SET score = EXCLUDED.score,
               event_id = EXCLUDED.event_id, event_time = EXCLUDED.event_time""",
        cohort_code,
        nip,
        score,
        event_id,
        event_time,
    )


async def save_attendance(conn: Conn, result: ParticipantFinalised) -> None:
    await conn.execute(
        """INSERT INTO attendance_results (cohort_code, nip, jp_present, jp_total, rate_pct,
               finalised_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (cohort_code, nip) DO NOTHING""",
        result.cohort_code,
        result.nip,
        result.jp_present,
        result.jp_total,
        result.rate_pct,
        result.finalised_at,
    )


async def save_attendances(conn: Conn, results: Sequence[ParticipantFinalised]) -> None:
    """`save_attendance` for many in one statement (the first result of a participant wins)."""
    first: dict[tuple[str, str], ParticipantFinalised] = {}
    for r in results:
        first.setdefault((r.cohort_code, r.nip), r)
    if not first:
        return
    await conn.execute(
        f"""INSERT INTO attendance_results (cohort_code, nip, jp_present, jp_total, rate_pct,
               finalised_at) {_ATTENDANCE_ROWS}
           ON CONFLICT (cohort_code, nip) DO NOTHING""",
        json_rows(
            [
                (r.cohort_code, r.nip, r.jp_present, r.jp_total, r.rate_pct, r.finalised_at)
                for r in first.values()
            ]
        ),
    )


_ATTENDANCE_ROWS = from_json_rows("text, text, numeric, numeric, numeric, timestamptz")


# --- decisions ---------------------------------------------------------------------------


async def deciding_cohorts(conn: Conn, codes: Sequence[str]) -> dict[str, Cohort]:
    """Those of `codes` whose participants may be decided (closed, this service's barrier for
    that close, the owner's record enrolment accepted, passed, not cancelled), in one round
    trip."""
    rows = await conn.fetch(
        """SELECT cohort_code, publisher, info, policy_version, min_attendance_pct,
               evaluation_required, pass_score, cancelled, close_event_id, finalised, closed_at
           FROM cohorts c
           WHERE c.cohort_code = ANY($1::text[]) AND NOT c.cancelled
             AND EXISTS (SELECT 1 FROM close_barriers b
                         WHERE b.cohort_code = c.cohort_code
                           AND b.source = '/publishers/' || c.publisher
                           AND b.event_id = c.close_event_id AND b.passed
                           AND b.verdict = 'closed')""",
        list(codes),
    )
    return {r["cohort_code"]: Cohort(**dict(r)) for r in rows}


async def undecided(
    conn: Conn, wanted: Sequence[tuple[str, str | None, bool]]
) -> list[tuple[str, Candidate]]:
    """Enrolled participants without a decision that have their attendance (or are withdrawn,
    where include_withdrawn), for each (cohort, NIP or None for all of it, include_withdrawn):
    one round trip, as (cohort, candidate) in the order wanted, then NIP order.

    Read per cohort (an index range each) and sorted out here: a join of every wanted key
    against the tables was planned as scans of all enrolments, results and decisions (the
    planner takes a parameter's rows for 100), ~10 ms a batch in a burst of closes."""
    if not wanted:
        return []
    rows = await conn.fetch(
        """SELECT e.cohort_code, e.nip, e.participant, e.withdrawn, a.jp_present, a.jp_total,
               a.rate_pct, v.score, a.nip IS NOT NULL
           FROM enrolments e
           LEFT JOIN attendance_results a ON a.cohort_code = e.cohort_code AND a.nip = e.nip
           LEFT JOIN evaluations v ON v.cohort_code = e.cohort_code AND v.nip = e.nip
           WHERE e.cohort_code = ANY($1::text[])
             AND NOT EXISTS (SELECT 1 FROM decisions d
                             WHERE d.cohort_code = e.cohort_code AND d.nip = e.nip)
           ORDER BY e.cohort_code, e.nip""",
        list({code for code, _, _ in wanted}),
    )
    per_cohort: dict[str, list[tuple[Candidate, bool]]] = {}
    per_key: dict[tuple[str, str], tuple[Candidate, bool]] = {}
    for r in rows:
        found = (Candidate(*r[1:8]), r[8])
        per_cohort.setdefault(r[0], []).append(found)
        per_key[(r[0], r[1])] = found
    out: list[tuple[str, Candidate]] = []
    for code, nip, with_withdrawn in dict.fromkeys(wanted):
        pairs = per_cohort.get(code, []) if nip is None else [per_key.get((code, nip))]
        out += [
            (code, candidate)
            for candidate, attended in filter(None, pairs)
            if (with_withdrawn if candidate.withdrawn else attended)
        ]
    return out


async def insert_decisions(conn: Conn, ds: Sequence[Decision]) -> set[tuple[str, str]]:
    """Insert decisions not taken yet; returns the (cohort, NIP) pairs inserted."""
    if not ds:
        return set()
    rows = await conn.fetch(
        f"""INSERT INTO decisions (cohort_code, nip, completed, policy_version, rate_pct, score,
               predicate, explanation_id, explanation_en, decided_at) {_DECISION_ROWS}
           ON CONFLICT (cohort_code, nip) DO NOTHING RETURNING cohort_code, nip""",
        json_rows(
            [
                (
                    d.cohort_code,
                    d.nip,
                    d.completed,
                    d.policy_version,
                    d.rate_pct,
                    d.score,
                    d.predicate,
                    d.explanation_id,
                    d.explanation_en,
                    d.decided_at,
                )
                for d in ds
            ]
        ),
    )
    return {(r[0], r[1]) for r in rows}


_DECISION_ROWS = from_json_rows(
    "text, text, boolean, int, numeric, numeric, text, text, text, timestamptz"
)


async def decisions_of(conn: Conn, cohort_code: str) -> list[Decision]:
    rows = await conn.fetch(
        """SELECT cohort_code, nip, completed, policy_version, rate_pct, score, predicate,
               explanation_id, explanation_en, decided_at
           FROM decisions WHERE cohort_code = $1 ORDER BY nip""",
        cohort_code,
    )
    return [Decision(**dict(r)) for r in rows]


# --- certificates ------------------------------------------------------------------------


async def next_sequence(conn: Conn, publisher: str, year: int) -> int:
    # The row lock taken by the upsert serialises issuers of one organiser and year.
    seq: int = await conn.fetchval(
        """INSERT INTO certificate_counters (publisher, year, last_seq) VALUES ($1, $2, 1)
           ON CONFLICT (publisher, year)
           DO UPDATE SET last_seq = certificate_counters.last_seq + 1
           RETURNING last_seq""",
        publisher,
        year,
    )
    return seq


async def insert_certificate(conn: Conn, c: Certificate) -> bool:
    """Insert one certificate unless its participant holds a valid one; True if inserted."""
    return c.id in await insert_certificates(conn, [c])


async def set_status(
    conn: Conn,
    certificate_id: uuid.UUID,
    status: str,
    reason: str,
    at: dt.datetime,
    superseded_by: uuid.UUID | None = None,
) -> bool:
    """Move a valid certificate to revoked/superseded; False if it was not valid."""
    changed = await conn.fetchval(
        """UPDATE certificates SET status = $2, status_reason = $3, status_changed_at = $4,
               superseded_by = $5
           WHERE id = $1 AND status = 'valid' RETURNING 1""",
        certificate_id,
        status,
        reason,
        at,
        superseded_by,
    )
    return changed is not None


async def next_sequences(conn: Conn, publisher: str, year: int, count: int) -> range:
    """The next `count` numbers of an organiser and year (as `count` single draws would be)."""
    # The row lock taken by the upsert serialises issuers of one organiser and year.
    last: int = await conn.fetchval(
        """INSERT INTO certificate_counters (publisher, year, last_seq) VALUES ($1, $2, $3)
           ON CONFLICT (publisher, year)
           DO UPDATE SET last_seq = certificate_counters.last_seq + EXCLUDED.last_seq
           RETURNING last_seq""",
        publisher,
        year,
        count,
    )
    return range(last - count + 1, last + 1)


async def insert_certificates(conn: Conn, cs: Sequence[Certificate]) -> set[uuid.UUID]:
    """Insert certificates (skipping any whose participant holds a valid one); returns the ids
    inserted."""
    if not cs:
        return set()
    rows = await conn.fetch(
        f"""INSERT INTO certificates (id, cohort_code, nip, publisher, number, version,
               verification_code, status, content, issued_at, previous_id) {_CERTIFICATE_ROWS}
           ON CONFLICT (cohort_code, nip) WHERE status = 'valid' DO NOTHING RETURNING id""",
        json_rows(
            [
                (
                    c.id,
                    c.cohort_code,
                    c.nip,
                    c.publisher,
                    c.number,
                    c.version,
                    c.verification_code,
                    c.status,
                    c.content,
                    c.issued_at,
                    c.previous_id,
                )
                for c in cs
            ]
        ),
    )
    return {r[0] for r in rows}


_CERTIFICATE_ROWS = from_json_rows(
    "uuid, text, text, text, text, int, text, text, jsonb, timestamptz, uuid"
)


async def get_certificate(
    conn: Conn, certificate_id: uuid.UUID, for_update: bool = False
) -> Certificate | None:
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(
        f"SELECT {_CERT_COLUMNS} FROM certificates WHERE id = $1{lock}", certificate_id
    )
    return Certificate(**dict(row)) if row else None


async def find_certificate(
    conn: Conn, *, code: str | None = None, number: str | None = None
) -> Certificate | None:
    row = await conn.fetchrow(
        f"""SELECT {_CERT_COLUMNS} FROM certificates
            WHERE verification_code = $1 OR number = $2""",
        code,
        number,
    )
    return Certificate(**dict(row)) if row else None


async def valid_certificates_of(conn: Conn, cohort_code: str) -> list[Certificate]:
    rows = await conn.fetch(
        f"""SELECT {_CERT_COLUMNS} FROM certificates
            WHERE cohort_code = $1 AND status = 'valid' ORDER BY number""",
        cohort_code,
    )
    return [Certificate(**dict(r)) for r in rows]


async def pdf_of(conn: Conn, certificate_id: uuid.UUID) -> bytes | None:
    pdf: bytes | None = await conn.fetchval(
        "SELECT pdf FROM certificates WHERE id = $1", certificate_id
    )
    return pdf


async def pdfs_of(conn: Conn, ids: list[uuid.UUID]) -> dict[uuid.UUID, bytes]:
    rows = await conn.fetch(
        "SELECT id, pdf FROM certificates WHERE id = ANY($1::uuid[]) AND pdf IS NOT NULL", ids
    )
    return {r["id"]: r["pdf"] for r in rows}


async def claim_pending_pdfs(conn: Conn, limit: int) -> list[Certificate]:
    """Certificates without a PDF, locked so another instance's worker skips them; call
    inside a transaction."""
    rows = await conn.fetch(
        f"""SELECT {_CERT_COLUMNS} FROM certificates WHERE pdf IS NULL
            ORDER BY issued_at LIMIT $1 FOR UPDATE SKIP LOCKED""",
        limit,
    )
    return [Certificate(**dict(r)) for r in rows]


async def store_pdf(conn: Conn, certificate_id: uuid.UUID, pdf: bytes) -> None:
    await conn.execute(
        "UPDATE certificates SET pdf = $2, pdf_rendered_at = now() WHERE id = $1",
        certificate_id,
        pdf,
    )
