"""Enrolment repository: cohorts and enrolments in the `enrolment` schema (SQL lives only here);
`PostgresEnrolmentRepository` is the handlers' port (`services/enrolment/ports.py`) on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

import asyncpg

from services.enrolment.domain import CohortStatus, CohortView, EnrolmentStatus
from services.enrolment.ports import NewEnrolment, StoredCohort
from shared.db import Connection as Conn
from shared.db import from_json_rows, json_rows
from shared.events.domain import CohortInfo

_DECISION_COLUMNS = """cohort_code, publisher, status, first_session_start, quota,
                     open_to_other_regions, timezone, policy_version, enrolled, withdrawn"""


def _stored(row: asyncpg.Record) -> StoredCohort:
    view = CohortView(
        row["cohort_code"],
        row["publisher"],
        CohortStatus(row["status"]),
        row["first_session_start"],
        row["quota"],
        row["open_to_other_regions"],
        row["timezone"],
    )
    return StoredCohort(view, row["policy_version"], row["enrolled"], row["withdrawn"])


async def load_cohort(conn: Conn, cohort_code: str) -> StoredCohort | None:
    row = await conn.fetchrow(
        f"SELECT {_DECISION_COLUMNS} FROM cohorts WHERE cohort_code = $1", cohort_code
    )
    return _stored(row) if row is not None else None


async def load_cohorts(conn: Conn, cohort_codes: Collection[str]) -> dict[str, StoredCohort]:
    rows = await conn.fetch(
        f"SELECT {_DECISION_COLUMNS} FROM cohorts WHERE cohort_code = ANY($1::text[])",
        list(cohort_codes),
    )
    return {row["cohort_code"]: _stored(row) for row in rows}


def _schedule_values(info: CohortInfo) -> tuple[Any, ...]:
    dumped = info.model_dump(mode="json")
    return (
        info.cohort_code,
        info.publisher,
        info.programme_name,
        info.category.value,
        info.organizer,
        info.year,
        info.angkatan,
        info.location,
        info.timezone,
        info.quota,
        info.open_to_other_regions,
        dumped["completion"],
        dumped["sessions"],
        min(s.starts_at for s in info.sessions),
        info.start_date,
        info.end_date,
        info.total_jp,
        info.policy_version,
    )


async def insert_cohort(conn: Conn, info: CohortInfo, now: dt.datetime) -> None:
    await insert_cohorts(conn, [info], now)


async def insert_cohorts(conn: Conn, infos: Sequence[CohortInfo], now: dt.datetime) -> None:
    """New cohorts, pipelined in one round trip."""
    if not infos:
        return
    await conn.executemany(
        """INSERT INTO cohorts (cohort_code, publisher, programme_name, category, organizer, year,
               angkatan, location, timezone, quota, open_to_other_regions, completion, sessions,
               first_session_start, start_date, end_date, total_jp, policy_version,
               scheduled_at, updated_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$19)""",
        [(*_schedule_values(info), now) for info in infos],
    )


async def amend_cohort(conn: Conn, info: CohortInfo, now: dt.datetime) -> None:
    await conn.execute(
        """UPDATE cohorts SET publisher = $2, programme_name = $3, category = $4, organizer = $5,
               year = $6, angkatan = $7, location = $8, timezone = $9, quota = $10,
               open_to_other_regions = $11, completion = $12, sessions = $13,
               first_session_start = $14, start_date = $15, end_date = $16, total_jp = $17,
               policy_version = $18, updated_at = $19
           WHERE cohort_code = $1""",
        *_schedule_values(info),
        now,
    )


async def cancel_cohort(conn: Conn, cohort_code: str, reason: str, now: dt.datetime) -> None:
    await conn.execute(
        """UPDATE cohorts SET status = 'CANCELLED', cancel_reason = $2, cancelled_at = $3,
               updated_at = $3 WHERE cohort_code = $1""",
        cohort_code,
        reason,
        now,
    )


async def close_cohorts(conn: Conn, closes: Sequence[tuple[str, dt.datetime]]) -> None:
    """Close each (cohort code, closed at) in one statement."""
    if not closes:
        return
    await conn.execute(
        """UPDATE cohorts c SET status = 'CLOSED', closed_at = k.closed_at, updated_at = now()
           FROM unnest($1::text[], $2::timestamptz[]) AS k(code, closed_at)
           WHERE c.cohort_code = k.code""",
        [code for code, _ in closes],
        [closed_at for _, closed_at in closes],
    )


async def enrolment_status(conn: Conn, cohort_code: str, nip: str) -> EnrolmentStatus | None:
    status = await conn.fetchval(
        "SELECT status FROM enrolments WHERE cohort_code = $1 AND nip = $2", cohort_code, nip
    )
    return EnrolmentStatus(status) if status is not None else None


async def enrolment_statuses(
    conn: Conn, keys: Collection[tuple[str, str]]
) -> dict[tuple[str, str], EnrolmentStatus]:
    """Current status of each (cohort, NIP) that has a row, in one round trip. Asked as two
    lists, each an index condition: a join of every key against the table was planned as a
    scan of all enrolments (the planner takes a parameter's rows for 100), 7 ms a batch."""
    wanted = set(keys)
    rows = await conn.fetch(
        """SELECT cohort_code, nip, status FROM enrolments
           WHERE cohort_code = ANY($1::text[]) AND nip = ANY($2::text[])""",
        list({code for code, _ in wanted}),
        list({nip for _, nip in wanted}),
    )
    return {(r[0], r[1]): EnrolmentStatus(r[2]) for r in rows if (r[0], r[1]) in wanted}


async def registration_facts(
    conn: Conn, keys: Collection[tuple[str, str]]
) -> tuple[dict[str, StoredCohort], dict[tuple[str, str], EnrolmentStatus]]:
    """The run's known cohorts with their (cohort, NIP) statuses, in one round trip: each
    cohort's enrolments are an index range probed by the run's NIPs."""
    wanted = set(keys)
    rows = await conn.fetch(
        f"""SELECT {_DECISION_COLUMNS}, s.nips, s.statuses FROM cohorts c
            LEFT JOIN LATERAL (
                SELECT array_agg(e.nip) AS nips, array_agg(e.status) AS statuses
                FROM enrolments e
                WHERE e.cohort_code = c.cohort_code AND e.nip = ANY($2::text[])) s ON true
            WHERE c.cohort_code = ANY($1::text[])""",
        list({code for code, _ in wanted}),
        list({nip for _, nip in wanted}),
    )
    statuses = {
        (row["cohort_code"], nip): EnrolmentStatus(status)
        for row in rows
        for nip, status in zip(row["nips"] or (), row["statuses"] or (), strict=True)
        if (row["cohort_code"], nip) in wanted
    }
    return {row["cohort_code"]: _stored(row) for row in rows}, statuses


async def enrol_many(conn: Conn, enrolments: Sequence[NewEnrolment], now: dt.datetime) -> None:
    """Enrol (or re-enrol) many at once, and move each cohort's seat counters: one statement."""
    if not enrolments:
        return
    await conn.execute(
        f"""WITH k AS ({_ENROLMENT_ROWS}),
           enrolled AS (
               INSERT INTO enrolments AS e (cohort_code, nip, status, name, asn_type, gender,
                   position, rank, agency, region, enrolled_at)
               SELECT code, nip, 'ENROLLED', name, asn_type, gender, position, rank, agency,
                      region, $2
               FROM k
               ON CONFLICT (cohort_code, nip) DO UPDATE SET status = 'ENROLLED',
                   name = EXCLUDED.name, asn_type = EXCLUDED.asn_type, gender = EXCLUDED.gender,
                   position = EXCLUDED.position, rank = EXCLUDED.rank, agency = EXCLUDED.agency,
                   region = EXCLUDED.region, enrolled_at = EXCLUDED.enrolled_at,
                   withdrawn_at = NULL, withdraw_reason = NULL)
           UPDATE cohorts c SET enrolled = c.enrolled + d.enrolled,
               withdrawn = c.withdrawn - d.rejoined, updated_at = $2
           FROM (SELECT code, count(*)::int AS enrolled,
                        count(*) FILTER (WHERE rejoined)::int AS rejoined
                 FROM k GROUP BY code) d
           WHERE c.cohort_code = d.code""",
        json_rows(
            [
                (
                    e.cohort_code,
                    p.nip,
                    p.name,
                    p.asn_type,
                    p.gender,
                    p.position,
                    p.rank,
                    p.agency,
                    p.region,
                    e.was_withdrawn,
                )
                for e in enrolments
                for p in [e.participant]
            ]
        ),
        now,
    )


_ENROLMENT_ROWS = from_json_rows(
    "code text, nip text, name text, asn_type text, gender text, position text, rank text,"
    " agency text, region text, rejoined boolean"
)


async def withdraw(conn: Conn, cohort_code: str, nip: str, reason: str, now: dt.datetime) -> None:
    await conn.execute(
        """UPDATE enrolments SET status = 'WITHDRAWN', withdrawn_at = $3, withdraw_reason = $4
           WHERE cohort_code = $1 AND nip = $2""",
        cohort_code,
        nip,
        now,
        reason,
    )
    # A withdrawal frees the seat: the quota counts active enrolments only.
    await conn.execute(
        """UPDATE cohorts SET enrolled = enrolled - 1, withdrawn = withdrawn + 1, updated_at = $2
           WHERE cohort_code = $1""",
        cohort_code,
        now,
    )


async def home_regions(conn: Conn, nips: Collection[str]) -> dict[str, str]:
    rows = await conn.fetch("SELECT nip, region FROM roster WHERE nip = ANY($1::text[])", nips)
    return {r["nip"]: r["region"] for r in rows}


async def record_home_regions(
    conn: Conn, regions: Sequence[tuple[str, str]], now: dt.datetime
) -> None:
    if regions:
        await conn.execute(
            f"""INSERT INTO roster (nip, region, recorded_at)
                SELECT nip, region, $2 FROM ({from_json_rows("nip text, region text")}) r
                ON CONFLICT (nip) DO UPDATE SET region = EXCLUDED.region,
                    recorded_at = EXCLUDED.recorded_at""",
            json_rows(regions),
            now,
        )


class PostgresEnrolmentRepository:
    """The enrolment repository port on one transaction's connection."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def load_cohort(self, cohort_code: str) -> StoredCohort | None:
        return await load_cohort(self.conn, cohort_code)

    async def load_cohorts(self, cohort_codes: Collection[str]) -> dict[str, StoredCohort]:
        return await load_cohorts(self.conn, cohort_codes)

    async def insert_cohort(self, info: CohortInfo, now: dt.datetime) -> None:
        await insert_cohort(self.conn, info, now)

    async def insert_cohorts(self, infos: Sequence[CohortInfo], now: dt.datetime) -> None:
        await insert_cohorts(self.conn, infos, now)

    async def amend_cohort(self, info: CohortInfo, now: dt.datetime) -> None:
        await amend_cohort(self.conn, info, now)

    async def cancel_cohort(self, cohort_code: str, reason: str, now: dt.datetime) -> None:
        await cancel_cohort(self.conn, cohort_code, reason, now)

    async def close_cohorts(self, closes: Sequence[tuple[str, dt.datetime]]) -> None:
        await close_cohorts(self.conn, closes)

    async def enrolment_status(self, cohort_code: str, nip: str) -> EnrolmentStatus | None:
        return await enrolment_status(self.conn, cohort_code, nip)

    async def enrolment_statuses(
        self, keys: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], EnrolmentStatus]:
        return await enrolment_statuses(self.conn, keys)

    async def registration_facts(
        self, keys: Collection[tuple[str, str]]
    ) -> tuple[dict[str, StoredCohort], dict[tuple[str, str], EnrolmentStatus]]:
        return await registration_facts(self.conn, keys)

    async def enrol_many(self, enrolments: Sequence[NewEnrolment], now: dt.datetime) -> None:
        await enrol_many(self.conn, enrolments, now)

    async def withdraw(self, cohort_code: str, nip: str, reason: str, now: dt.datetime) -> None:
        await withdraw(self.conn, cohort_code, nip, reason, now)

    async def home_regions(self, nips: Collection[str]) -> dict[str, str]:
        return await home_regions(self.conn, nips)

    async def record_home_regions(
        self, regions: Sequence[tuple[str, str]], now: dt.datetime
    ) -> None:
        await record_home_regions(self.conn, regions, now)


# --- queries for the HTTP API ------------------------------------------------------------

_COHORT_COLUMNS = """cohort_code, publisher, status, programme_name, category, organizer, year,
    angkatan, location, timezone, quota, open_to_other_regions, completion, sessions,
    start_date, end_date, total_jp, policy_version, enrolled, withdrawn, closed_at,
    cancelled_at"""


async def cohorts_of(conn: Conn, publisher: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {_COHORT_COLUMNS} FROM cohorts WHERE publisher = $1 "
        "ORDER BY start_date, cohort_code",
        publisher,
    )
    return rows


async def cohort(conn: Conn, cohort_code: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {_COHORT_COLUMNS} FROM cohorts WHERE cohort_code = $1", cohort_code
    )
    return row


async def roster(conn: Conn, cohort_code: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT nip, status, name, asn_type, gender, position, rank, agency, region,
                  enrolled_at, withdrawn_at
           FROM enrolments WHERE cohort_code = $1 ORDER BY enrolled_at, nip""",
        cohort_code,
    )
    return rows


async def enrolments_of(conn: Conn, nip: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT c.cohort_code, c.publisher, c.programme_name, c.category, c.year, c.angkatan,
                  c.status AS cohort_status, c.start_date, c.end_date, c.total_jp,
                  e.status, e.enrolled_at, e.withdrawn_at
           FROM enrolments e JOIN cohorts c USING (cohort_code)
           WHERE e.nip = $1 ORDER BY c.start_date, c.cohort_code""",
        nip,
    )
    return rows


async def outcome_counts(conn: Conn, publisher: str) -> list[asyncpg.Record]:
    """Ingest outcomes per (outcome, reason) for one publisher, from the inbox."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT outcome, reason, count(*) AS n FROM processed_events
           WHERE publisher = $1 GROUP BY outcome, reason ORDER BY outcome, reason""",
        publisher,
    )
    return rows
