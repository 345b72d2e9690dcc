"""The core's port contracts (port_contracts.py) on the Postgres adapters, on a fresh schema."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from shared import db
from shared.consumer.postgres import PostgresStore
from tests.shared.port_contracts import (
    CohortLocksContract,
    InboxContract,
    OutboxContract,
    ParkingContract,
)

pytestmark = pytest.mark.integration
SCHEMA = "ports"
# Advisory locks of this database that someone is waiting for.
WAITING = """SELECT count(*) FROM pg_locks
             WHERE locktype = 'advisory' AND NOT granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""


class PostgresAdapters:
    @pytest.fixture
    async def store(self, database_url: str) -> AsyncIterator[PostgresStore]:
        admin = await asyncpg.connect(database_url)
        try:
            await admin.execute(f"CREATE SCHEMA {SCHEMA}")
            await db.migrate(admin, SCHEMA, db.service_migrations(SCHEMA, None))
        finally:
            await admin.close()
        pool = await db.create_pool(database_url, SCHEMA, max_size=4)
        try:
            yield PostgresStore(pool)
        finally:
            await pool.close()

    async def recorded_outcome(self, store: Any, key: tuple[str, str]) -> tuple[str, Any] | None:
        async with store.pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT outcome, reason FROM processed_events WHERE source = $1 AND event_id = $2",
                *key,
            )
        return None if row is None else (row["outcome"], row["reason"])

    async def published(self, store: Any) -> list[str]:
        async with store.pool.acquire() as conn:
            return [r[0] for r in await conn.fetch("SELECT event_id FROM outbox ORDER BY id")]

    async def lock_waiters(self, store: Any) -> int:
        async with store.pool.acquire() as conn:
            return int(await conn.fetchval(WAITING))


class TestPostgresInbox(PostgresAdapters, InboxContract):
    pass


class TestPostgresParking(PostgresAdapters, ParkingContract):
    pass


class TestPostgresCohortLocks(PostgresAdapters, CohortLocksContract):
    pass


class TestPostgresOutbox(PostgresAdapters, OutboxContract):
    pass
