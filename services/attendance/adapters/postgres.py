"""Attendance repository: every SQL statement of the service, each taking an asyncpg connection;
`PostgresAttendanceRepository` is the handlers' port (`services/attendance/ports.py`) on them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from services.attendance import domain
from services.attendance.ports import Close, CohortRow, Enrolment, RosterRow
from shared import judgement
from shared.barrier import BarrierRow, save_noted, save_verdicts
from shared.db import from_json_rows, json_rows
from shared.events.domain import CohortInfo

# Handlers pass the transaction's connection, the API a pooled one.
Conn = asyncpg.Connection | PoolConnectionProxy


@dataclass(frozen=True)
class SessionRow:
    no: int
    jp: Decimal
    title: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime


async def save_cohort(conn: Conn, info: CohortInfo) -> None:
    """Insert or replace a cohort and its schedule (scheduled or amended)."""
    await conn.execute(
        """INSERT INTO cohorts (cohort_code, publisher, programme_name, organizer, angkatan, year,
               location, timezone, total_jp)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (cohort_code) DO UPDATE SET publisher = EXCLUDED.publisher,
               programme_name = EXCLUDED.programme_name, organizer = EXCLUDED.organizer,
               angkatan = EXCLUDED.angkatan, year = EXCLUDED.year, location = EXCLUDED.location,
               timezone = EXCLUDED.timezone, total_jp = EXCLUDED.total_jp""",
        info.cohort_code,
        info.publisher,
        info.programme_name,
        info.organizer,
        info.angkatan,
        info.year,
        info.location,
        info.timezone,
        info.total_jp,
    )
    await conn.execute("DELETE FROM sessions WHERE cohort_code = $1", info.cohort_code)
    await conn.execute(
        """INSERT INTO sessions (cohort_code, no, jp, method, title, starts_at, ends_at)
           SELECT $1, * FROM unnest($2::int[], $3::numeric[], $4::text[], $5::text[],
                                    $6::timestamptz[], $7::timestamptz[])""",
        info.cohort_code,
        [s.no for s in info.sessions],
        [s.jp for s in info.sessions],
        [s.method.value for s in info.sessions],
        [s.title for s in info.sessions],
        [s.starts_at for s in info.sessions],
        [s.ends_at for s in info.sessions],
    )


async def cancel_cohort(conn: Conn, code: str) -> None:
    await conn.execute(
        "UPDATE cohorts SET status = 'cancelled' WHERE cohort_code = $1 AND status = 'scheduled'",
        code,
    )


async def mark_closed_many(conn: Conn, closes: Sequence[Close]) -> None:
    """`mark_closed` for many (code, close event id, closed at) in one statement."""
    first: dict[str, tuple[str, str, dt.datetime]] = {}
    for close in closes:  # as one by one: the first close of a cohort wins
        first.setdefault(close[0], close)
    if not first:
        return
    codes, event_ids, times = zip(*first.values(), strict=True)
    await conn.execute(
        """UPDATE cohorts c SET close_event_id = k.event_id, closed_at = k.closed_at
           FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS k(code, event_id, closed_at)
           WHERE c.cohort_code = k.code AND c.close_event_id IS NULL""",
        list(codes),
        list(event_ids),
        list(times),
    )


_COHORT_COLUMNS = """cohort_code, publisher, programme_name, organizer, angkatan, year, location,
                  timezone, total_jp, status, close_event_id, finalised_at"""


async def finalise_ready(conn: Conn, codes: Sequence[str], at: dt.datetime) -> list[CohortRow]:
    """Mark finalised, in one statement, those of `codes` that are scheduled, closed and whose
    close barrier (the owner's record enrolment accepted) this service has passed; only a
    first finalisation returns the cohort."""
    rows = await conn.fetch(
        f"""UPDATE cohorts c SET status = 'finalised', finalised_at = $2
            WHERE c.cohort_code = ANY($1::text[]) AND c.status = 'scheduled'
              AND EXISTS (SELECT 1 FROM close_barriers b
                          WHERE b.cohort_code = c.cohort_code
                            AND b.source = '/publishers/' || c.publisher
                            AND b.event_id = c.close_event_id AND b.passed
                            AND b.verdict = 'closed')
            RETURNING {_COHORT_COLUMNS}""",
        list(codes),
        at,
    )
    return [CohortRow(**dict(r)) for r in rows]


async def cohort(conn: Conn, code: str) -> CohortRow | None:
    row = await conn.fetchrow(f"SELECT {_COHORT_COLUMNS} FROM cohorts WHERE cohort_code = $1", code)
    return CohortRow(**dict(row)) if row else None


async def enrol_many(conn: Conn, rows: Sequence[Enrolment]) -> None:
    """`enrol` for many (cohort, NIP, name, enrolled at), in order: the last of a key wins."""
    latest = {(code, nip): (code, nip, name, at) for code, nip, name, at in rows}
    if not latest:
        return
    await conn.execute(
        f"""INSERT INTO enrolments (cohort_code, nip, name, enrolled_at) {_ENROLMENT_ROWS}
           ON CONFLICT (cohort_code, nip) DO UPDATE SET name = EXCLUDED.name,
               enrolled_at = EXCLUDED.enrolled_at, withdrawn_at = NULL""",
        json_rows(list(latest.values())),
    )


_ENROLMENT_ROWS = from_json_rows("text, text, text, timestamptz")


async def withdraw(conn: Conn, code: str, nip: str, at: dt.datetime) -> None:
    await conn.execute(
        """INSERT INTO enrolments (cohort_code, nip, withdrawn_at) VALUES ($1, $2, $3)
           ON CONFLICT (cohort_code, nip) DO UPDATE SET withdrawn_at = EXCLUDED.withdrawn_at""",
        code,
        nip,
        at,
    )


async def mark_facts(
    conn: Conn, marks: Sequence[domain.Mark]
) -> tuple[dict[str, domain.CohortFacts], domain.Held]:
    """What a run of marks is judged against, by cohort, and the marks held for their keys, in
    one round trip that reads per cohort, not per mark: a batch's thousand marks touch a
    handful of cohorts, and a lookup per mark (a join of every key) was Postgres' costliest
    statement. Cohorts unknown here are absent."""
    rows = await conn.fetch(
        _MARK_FACTS,
        list({m.cohort_code for m in marks}),
        list({m.nip for m in marks}),
        list({m.session_no for m in marks}),
    )
    cohorts: dict[str, domain.CohortFacts] = {}
    held: dict[tuple[str, str, int], tuple[dt.datetime, str]] = {}
    for row in rows:
        code = row[0]
        cohorts[code] = domain.CohortFacts(
            row[1],
            row[2],
            row[3],
            frozenset(row[4]),
            frozenset(row[5]),
            frozenset(row[6]),
            tuple(judgement.CloseBarrier(t, p, o, a) for t, p, o, a in row[7] or ()),
        )
        if row[8]:
            held.update(((code, n, no), (t, i)) for n, no, t, i in zip(*row[8:], strict=True))
    return cohorts, held


_MARK_FACTS = """
    SELECT c.cohort_code, c.publisher, c.status, c.close_event_id IS NOT NULL,
           ARRAY(SELECT s.no FROM sessions s WHERE s.cohort_code = c.cohort_code),
           ARRAY(SELECT e.nip FROM enrolments e
                 WHERE e.cohort_code = c.cohort_code AND e.nip = ANY($2::text[])
                   AND e.withdrawn_at IS NULL),
           ARRAY(SELECT e.nip FROM enrolments e
                 WHERE e.cohort_code = c.cohort_code AND e.nip = ANY($2::text[])
                   AND e.withdrawn_at IS NOT NULL),
           (SELECT jsonb_agg(jsonb_build_array(b.topic, b.partition, b."offset",
                                               b.verdict IS NOT NULL))
            FROM close_barriers b
            WHERE b.cohort_code = c.cohort_code AND b.source = '/publishers/' || c.publisher
              AND b.passed AND b.verdict IS DISTINCT FROM 'refused'),
           h.nips, h.nos, h.times, h.ids
    FROM cohorts c CROSS JOIN LATERAL (
        SELECT array_agg(a.nip) AS nips, array_agg(a.session_no) AS nos,
               array_agg(a.event_time) AS times, array_agg(a.event_id) AS ids
        FROM attendance a
        WHERE a.cohort_code = c.cohort_code AND a.nip = ANY($2::text[])
          AND a.session_no = ANY($3::int[])) h
    WHERE c.cohort_code = ANY($1::text[])"""


async def save_marks(conn: Conn, marks: Sequence[domain.Mark]) -> None:
    """One upsert for many marks, at most one per (cohort, NIP, session), each replacing the
    stored one: the domain chose them against what `mark_facts` read, and the cohort lock the
    transaction holds keeps that current."""
    if not marks:
        return
    await conn.execute(
        f"""INSERT INTO attendance (cohort_code, nip, session_no, status, note, event_id,
               event_time) {_MARK_ROWS}
           ON CONFLICT (cohort_code, nip, session_no) DO UPDATE SET status = EXCLUDED.status,
               note = EXCLUDED.note, event_id = EXCLUDED.event_id,
               event_time = EXCLUDED.event_time, recorded_at = now()""",
        json_rows([tuple(m) for m in marks]),
    )


_MARK_ROWS = from_json_rows(
    "cohort_code text, nip text, session_no int, status text, note text, event_id text,"
    " event_time timestamptz"
)


async def sessions(conn: Conn, code: str) -> list[SessionRow]:
    rows = await conn.fetch(
        """SELECT no, jp, title, starts_at, ends_at FROM sessions WHERE cohort_code = $1
           ORDER BY no""",
        code,
    )
    return [SessionRow(**dict(r)) for r in rows]


async def roster(conn: Conn, code: str, nip: str | None = None) -> list[RosterRow]:
    rows = await conn.fetch(
        """SELECT nip, name, withdrawn_at IS NOT NULL AS withdrawn FROM enrolments
           WHERE cohort_code = $1 AND ($2::text IS NULL OR nip = $2) ORDER BY name, nip""",
        code,
        nip,
    )
    return [RosterRow(**dict(r)) for r in rows]


async def marks(conn: Conn, code: str, nip: str | None = None) -> dict[str, dict[int, str]]:
    """nip -> session number -> winning status."""
    rows = await conn.fetch(
        """SELECT nip, session_no, status FROM attendance
           WHERE cohort_code = $1 AND ($2::text IS NULL OR nip = $2)""",
        code,
        nip,
    )
    result: dict[str, dict[int, str]] = {}
    for r in rows:
        result.setdefault(r["nip"], {})[r["session_no"]] = r["status"]
    return result


async def schedules_of(conn: Conn, codes: Sequence[str]) -> dict[str, list[domain.Session]]:
    """The sessions of many cohorts in one round trip, as finalisation needs them."""
    rows = await conn.fetch(
        """SELECT cohort_code, no, jp, starts_at, ends_at FROM sessions
           WHERE cohort_code = ANY($1::text[]) ORDER BY cohort_code, no""",
        list(codes),
    )
    result: dict[str, list[domain.Session]] = {}
    for r in rows:
        # Only number and JP matter to the rate; the local date is the API's business.
        start, end = r["starts_at"], r["ends_at"]
        result.setdefault(r["cohort_code"], []).append(
            domain.Session(r["no"], start.date(), start.time(), end.time(), r["jp"])
        )
    return result


async def rosters_of(conn: Conn, codes: Sequence[str]) -> dict[str, list[RosterRow]]:
    """`roster` of many cohorts in one round trip."""
    rows = await conn.fetch(
        """SELECT cohort_code, nip, name, withdrawn_at IS NOT NULL AS withdrawn FROM enrolments
           WHERE cohort_code = ANY($1::text[]) ORDER BY cohort_code, name, nip""",
        list(codes),
    )
    result: dict[str, list[RosterRow]] = {}
    for r in rows:
        result.setdefault(r["cohort_code"], []).append(
            RosterRow(r["nip"], r["name"], r["withdrawn"])
        )
    return result


async def marks_of(conn: Conn, codes: Sequence[str]) -> dict[str, dict[str, dict[int, str]]]:
    """`marks` of many cohorts in one round trip: code -> nip -> session number -> status."""
    rows = await conn.fetch(
        """SELECT cohort_code, nip, session_no, status FROM attendance
           WHERE cohort_code = ANY($1::text[])""",
        list(codes),
    )
    result: dict[str, dict[str, dict[int, str]]] = {}
    for r in rows:
        result.setdefault(r["cohort_code"], {}).setdefault(r["nip"], {})[r["session_no"]] = r[
            "status"
        ]
    return result


async def save_finalisations_many(
    conn: Conn, results: dict[str, dict[str, domain.Figures]], at: dt.datetime
) -> set[tuple[str, str]]:
    """Insert the figures of many cohorts (code -> nip -> figures) in one statement; the
    (code, nip) inserted now, so a replay announces nobody twice."""
    rows = [
        (code, nip, *_finalisation_columns(figures), at)
        for code, per_nip in results.items()
        for nip, figures in per_nip.items()
    ]
    if not rows:
        return set()
    columns = list(zip(*rows, strict=True))
    inserted = await conn.fetch(
        """INSERT INTO finalisations (cohort_code, nip, jp_present, jp_total, rate_pct,
               sessions_total, sessions_present, missed_by_status, finalised_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[],
                                $5::numeric[], $6::int[], $7::int[], $8::jsonb[],
                                $9::timestamptz[])
           ON CONFLICT (cohort_code, nip) DO NOTHING RETURNING cohort_code, nip""",
        *[list(c) for c in columns],
    )
    return {(r["cohort_code"], r["nip"]) for r in inserted}


def _finalisation_columns(f: domain.Figures) -> tuple[Any, ...]:
    return (
        f.jp_present,
        f.jp_total,
        f.rate_pct,
        f.sessions_total,
        f.sessions_present,
        f.missed_by_status,
    )


class PostgresAttendanceRepository:
    """The attendance repository port on one transaction's connection."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def save_cohort(self, info: CohortInfo) -> None:
        await save_cohort(self.conn, info)

    async def cancel_cohort(self, code: str) -> None:
        await cancel_cohort(self.conn, code)

    async def mark_closed_many(self, closes: Sequence[Close]) -> None:
        await mark_closed_many(self.conn, closes)

    async def finalise_ready(self, codes: Sequence[str], at: dt.datetime) -> list[CohortRow]:
        return await finalise_ready(self.conn, codes, at)

    async def enrol_many(self, rows: Sequence[Enrolment]) -> None:
        await enrol_many(self.conn, rows)

    async def withdraw(self, code: str, nip: str, at: dt.datetime) -> None:
        await withdraw(self.conn, code, nip, at)

    async def mark_facts(
        self, marks: Sequence[domain.Mark]
    ) -> tuple[dict[str, domain.CohortFacts], domain.Held]:
        return await mark_facts(self.conn, marks)

    async def save_marks(self, marks: Sequence[domain.Mark]) -> None:
        await save_marks(self.conn, marks)

    async def schedules_of(self, codes: Sequence[str]) -> dict[str, list[domain.Session]]:
        return await schedules_of(self.conn, codes)

    async def rosters_of(self, codes: Sequence[str]) -> dict[str, list[RosterRow]]:
        return await rosters_of(self.conn, codes)

    async def marks_of(self, codes: Sequence[str]) -> dict[str, dict[str, dict[int, str]]]:
        return await marks_of(self.conn, codes)

    async def save_finalisations_many(
        self, results: dict[str, dict[str, domain.Figures]], at: dt.datetime
    ) -> set[tuple[str, str]]:
        return await save_finalisations_many(self.conn, results, at)

    async def note_barriers(self, rows: Sequence[BarrierRow]) -> None:
        await save_noted(self.conn, rows)

    async def rule_barriers(self, rows: Sequence[BarrierRow]) -> None:
        await save_verdicts(self.conn, rows)
