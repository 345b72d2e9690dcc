"""The Postgres adapters of the core's ports (`ports.py`): all of the core's own SQL.

Each works on the caller's connection, inside the batch's transaction: what a batch records
commits with the state its handlers changed, or not at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Iterable, Sequence

import asyncpg

from shared.consumer.parked import as_json, from_json
from shared.consumer.ports import AlreadyInInbox, InboxRow, Key, Position, Settled, Stores
from shared.db import Connection, from_json_rows, json_rows
from shared.envelope import CloudEvent, RecordPosition
from shared.outbox import OutboxRow, write_rows
from shared.reasons import ReasonCode


def stores(conn: Connection) -> Stores:
    """The ports on one connection, for the transaction it is in."""
    return Stores(
        PostgresInbox(conn), PostgresParking(conn), PostgresLocks(conn), PostgresOutbox(conn)
    )


class PostgresStore:
    """A pool as the ports' database: a transaction is one connection's."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Stores]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield stores(conn)


class PostgresInbox:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def seen(self, keys: Sequence[Key]) -> dict[Key, Position]:
        rows = await self.conn.fetch(_SEEN, json_rows(keys))
        return {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}

    async def add(self, rows: Sequence[InboxRow]) -> None:
        if not rows:
            return
        try:
            # One statement for the batch: an event already in the inbox (a redelivery the
            # batch did not look up, or another instance's concurrent claim) aborts it.
            await self.conn.execute(_INSERT, json_rows(rows))
        except asyncpg.UniqueViolationError:
            raise AlreadyInInbox from None

    async def settle(self, rows: Sequence[Settled]) -> None:
        if rows:
            await self.conn.executemany(
                """UPDATE processed_events SET outcome = $3, reason = $4, processed_at = now()
                   WHERE source = $1 AND event_id = $2""",
                rows,
            )


_SEEN = f"""SELECT p.source, p.event_id, p.topic, p.partition, p."offset"
    FROM processed_events p
    JOIN ({from_json_rows("source text, event_id text")}) AS b
      ON p.source = b.source AND p.event_id = b.event_id"""
_INSERT = f"""INSERT INTO processed_events (source, event_id, event_type, publisher, outcome,
    reason, topic, partition, "offset") {
    from_json_rows(
        "source text, event_id text, event_type text, publisher text, outcome text,"
        ' reason text, topic text, partition int, "offset" bigint'
    )
}"""


class PostgresParking:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def park(
        self,
        event: CloudEvent,
        waiting_for: str,
        reject_code: ReasonCode,
        expires_at: dt.datetime | None,
    ) -> None:
        position = event.position or RecordPosition("", 0, 0)
        await self.conn.execute(
            """INSERT INTO parked_events (source, event_id, waiting_for, reject_code, topic,
                   partition, "offset", event, expires_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9::timestamptz, 'infinity'))
               ON CONFLICT (source, event_id) DO UPDATE SET waiting_for = EXCLUDED.waiting_for""",
            event.source,
            event.id,
            waiting_for,
            reject_code.value,
            position.topic,
            position.partition,
            position.offset,
            as_json(event),
            expires_at,
        )

    async def waiting_on(self, keys: Sequence[str], prefixes: Sequence[str]) -> list[str]:
        # A prefix as a byte-ordered range: the index on (waiting_for COLLATE "C") answers it.
        rows = await self.conn.fetch(
            """SELECT waiting_for FROM parked_events WHERE waiting_for = ANY($1::text[])
               UNION
               SELECT p.waiting_for FROM unnest($2::text[], $3::text[]) AS b(low, high)
               CROSS JOIN LATERAL (
                   SELECT waiting_for FROM parked_events
                   WHERE (waiting_for COLLATE "C") >= b.low AND (waiting_for COLLATE "C") < b.high
               ) p""",
            list(keys),
            list(prefixes),
            [_just_past(prefix) for prefix in prefixes],
        )
        return [r["waiting_for"] for r in rows]

    async def release(self, waiting_for: Sequence[str]) -> list[CloudEvent]:
        rows = await self.conn.fetch(
            """DELETE FROM parked_events WHERE waiting_for = ANY($1::text[])
               RETURNING event, topic, partition, "offset" """,
            list(waiting_for),
        )
        return [from_json(r["event"], _position(r)) for r in rows]

    async def expire(self, at_most: int) -> list[tuple[CloudEvent, ReasonCode]]:
        # Publishers' events only: domain events are parked with no end, and rows parked before
        # that was so are kept by the source test.
        rows = await self.conn.fetch(
            """DELETE FROM parked_events WHERE (source, event_id) IN (
                   SELECT source, event_id FROM parked_events
                   WHERE expires_at <= now() AND source LIKE '/publishers/%'
                   ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)
               RETURNING event, topic, partition, "offset", reject_code""",
            at_most,
        )
        return [(from_json(r["event"], _position(r)), ReasonCode(r["reject_code"])) for r in rows]

    async def waiting_facts(self) -> tuple[int, float]:
        row = await self.conn.fetchrow(
            """SELECT count(*), extract(epoch FROM now() - min(parked_at))
               FROM parked_events WHERE source NOT LIKE '/publishers/%'"""
        )
        assert row is not None  # an aggregate's one row
        return row[0], float(row[1] or 0)


def _position(row: asyncpg.Record) -> RecordPosition:
    return RecordPosition(row["topic"], row["partition"], row["offset"])


def _just_past(prefix: str) -> str:
    """The least string above every string that starts with `prefix`, in byte order."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class PostgresLocks:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def lock(self, cohort_codes: Iterable[str]) -> None:
        await lock_cohorts(self.conn, cohort_codes)


async def lock_cohorts(conn: Connection, codes: Iterable[str]) -> None:
    """The cohort lock: transaction-scoped, per schema and cohort code, taken in hash order (no
    deadlocks). Everything that changes a cohort's state (the consumers, the admin API) takes
    it through here, so they exclude each other."""
    keys = sorted(set(codes))
    if keys:
        await conn.execute(
            """SELECT pg_advisory_xact_lock(h) FROM (
                   SELECT DISTINCT hashtext(current_schema() || '/' || k) AS h
                   FROM unnest($1::text[]) AS k ORDER BY h) s""",
            keys,
        )


class PostgresOutbox:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def write(self, rows: list[OutboxRow]) -> None:
        await write_rows(self.conn, rows)
