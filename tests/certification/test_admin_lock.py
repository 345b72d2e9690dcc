"""Admin changes and the consumers take one cohort lock (`shared.consumer.lock_cohorts`): while
one side holds it, the other's transaction on that cohort waits (issue 17, item 12)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from services.certification.entrypoints.app import DEFINITION
from shared.consumer import lock_cohorts
from shared.runtime import ServiceRuntime
from tests.certification import builders as b
from tests.support import Publisher, eventually, prepare_topics, running

pytestmark = pytest.mark.integration

TOKENS = "adm=admin"
ADMIN = {"Authorization": "Bearer adm"}
CODE = "15/LATSAR/2022/III"
NIPS = ["198609262015051001", "198701012010011002"]

# Advisory locks of this test's database that someone is waiting for.
WAITING = """SELECT count(*) FROM pg_locks
             WHERE locktype = 'advisory' AND NOT granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""


async def _count(runtime: ServiceRuntime, sql: str) -> int:
    async with runtime.pool.acquire() as conn:
        return int(await conn.fetchval(sql))


async def _waits(runtime: ServiceRuntime, task: asyncio.Task[object] | None, what: str) -> None:
    """Poll until some transaction waits for an advisory lock; fail at once if `task` finished
    (it went through the lock held by the test instead of waiting)."""

    async def waiting() -> bool:
        if task is not None and task.done():
            raise AssertionError(f"{what} did not wait for the cohort lock: {task.result()!r}")
        return await _count(runtime, WAITING) > 0

    await eventually(waiting, 30, f"{what} waiting for the cohort lock")


async def test_the_admin_api_and_the_consumers_exclude_each_other_on_a_cohort(infra):
    await prepare_topics(infra, ["15"])
    async with (
        running(DEFINITION, infra, api_tokens=TOKENS) as svc,
        Publisher(infra) as pub,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=svc.http_app()), base_url="http://t"
        ) as client,
    ):
        await b.complete_cohort(pub, CODE, NIPS)
        await eventually(
            lambda: _count(svc, "SELECT count(*) = 2 FROM certificates"), what="certificates"
        )
        async with svc.pool.acquire() as conn:
            ids = [r["id"] for r in await conn.fetch("SELECT id FROM certificates ORDER BY nip")]

        # A consumer's transaction holds the cohort: the admin's revoke waits for it.
        async with svc.pool.acquire() as holder:
            transaction = holder.transaction()
            await transaction.start()
            await lock_cohorts(holder, [CODE])
            revoke = asyncio.create_task(
                client.post(
                    f"/api/v1/certificates/{ids[0]}/revoke",
                    json={"reason": "dokumen palsu"},
                    headers=ADMIN,
                )
            )
            try:
                await _waits(svc, revoke, "the revoke")
                assert (
                    await _count(svc, "SELECT count(*) FROM certificates WHERE status = 'revoked'")
                    == 0
                )
            finally:
                await transaction.rollback()
            response = await revoke
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "revoked"

        # The same lock, held as the admin API holds it, makes a consumer's batch on the
        # cohort wait: nothing of it is applied until the lock is released.
        async with svc.pool.acquire() as holder:
            transaction = holder.transaction()
            await transaction.start()
            await lock_cohorts(holder, [CODE])
            try:
                sentinel = await b.send_domain(pub, b.cohort_finalised(CODE, "15", len(NIPS)))
                await _waits(svc, None, "the consumer's batch")
                applied = f"SELECT count(*) FROM processed_events WHERE event_id = '{sentinel}'"
                assert await _count(svc, applied) == 0
            finally:
                await transaction.rollback()
        await eventually(lambda: _count(svc, applied), what="the batch applied after release")
