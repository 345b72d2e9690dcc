"""The rebuild's swap takes the live tables one by one while the live service goes on: a live
batch holding one of them and wanting one the swap already holds is a deadlock, and Postgres
aborts one side. Whichever it is, the swap must still complete."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from services.consolidation.entrypoints import rebuild
from services.consolidation.entrypoints.rebuild import SERVICE
from tests.support import eventually

pytestmark = pytest.mark.integration
LIVE = f'"{SERVICE}"'


async def test_the_swap_completes_when_it_deadlocks_with_a_live_batch(infra):
    admin = await asyncpg.connect(infra.database_url)
    live = await asyncpg.connect(infra.database_url)
    try:
        await admin.execute(
            f"""CREATE SCHEMA {LIVE}; CREATE TABLE {LIVE}.a (x int); CREATE TABLE {LIVE}.b (x int);
                CREATE SCHEMA rebuilt; CREATE TABLE rebuilt.only_in_the_new_model (x int)"""
        )
        batch = live.transaction()
        await batch.start()
        await live.execute(f"INSERT INTO {LIVE}.b VALUES (1)")  # the live batch holds b

        async def final_pass() -> int:
            return 7

        swap = asyncio.ensure_future(rebuild.swap(infra, "rebuilt", "old_model", final_pass()))

        async def swap_holds_a_and_waits_for_b() -> bool:
            waiting = await admin.fetchval(
                """SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                   WHERE NOT l.granted AND l.mode = 'AccessExclusiveLock' AND c.relname = 'b'"""
            )
            return bool(waiting)

        await eventually(swap_holds_a_and_waits_for_b, what="the swap waiting for table b")
        try:
            await live.execute(f"INSERT INTO {LIVE}.a VALUES (1)")  # and now wants a
            await batch.commit()
        except asyncpg.DeadlockDetectedError:
            await batch.rollback()  # the live side lost: its batch would be redelivered
        assert await asyncio.wait_for(swap, 30) == 7
        live_tables = await admin.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = $1", SERVICE
        )
        assert [r["tablename"] for r in live_tables] == ["only_in_the_new_model"]
        assert await admin.fetchval("SELECT to_regnamespace('old_model')") is None
    finally:
        await live.close()
        await admin.close()
