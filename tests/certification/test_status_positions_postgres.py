"""Two requests drawing a certificate's status-list place at once, on Postgres: the publisher's
list lock makes the second wait and then take the place the first drew (one place, no error)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from services.certification import credentialing
from services.certification.adapters.postgres import PostgresRepository
from shared import db
from tests.certification.repository_contract import NIP1, NIP2, certificate
from tests.support import eventually

pytestmark = pytest.mark.integration
SCHEMA = "certification"
MIGRATIONS = "services.certification.adapters.migrations"


async def test_concurrent_first_requests_share_one_place(database_url: str) -> None:
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(f"CREATE SCHEMA {SCHEMA}")
        await db.migrate(admin, SCHEMA, db.service_migrations(SCHEMA, MIGRATIONS))
    finally:
        await admin.close()
    pool = await db.create_pool(database_url, SCHEMA, max_size=2)
    held = [certificate(NIP1, "n1"), certificate(NIP2, "n2")]
    first_locked, release = asyncio.Event(), asyncio.Event()
    try:
        async with pool.acquire() as conn:
            await PostgresRepository(conn).insert_certificates(held)

        async def slow_first() -> dict[object, object]:
            async with pool.acquire() as conn, conn.transaction():
                repo = PostgresRepository(conn)
                await repo.open_status_list("15")  # holds the list until this commits
                first_locked.set()
                await release.wait()
                return dict(await credentialing.status_positions(repo, held))

        async def second() -> dict[object, object]:
            await first_locked.wait()
            async with pool.acquire() as conn, conn.transaction():
                return dict(await credentialing.status_positions(PostgresRepository(conn), held))

        first_task = asyncio.create_task(slow_first())
        second_task = asyncio.create_task(second())
        await first_locked.wait()
        await eventually(lambda: _waiting_on_a_lock(database_url), what="second waits")
        release.set()
        one, two = await asyncio.gather(first_task, second_task)
        assert one == two and len(one) == 2
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM credential_status") == 2
    finally:
        await pool.close()


async def _waiting_on_a_lock(database_url: str) -> bool:
    conn = await asyncpg.connect(database_url)
    try:
        waiting: int = await conn.fetchval(
            """SELECT count(*) FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock'"""
        )
    finally:
        await conn.close()
    return waiting == 1
