"""The 20 JP reminders through the running consolidation service: one per region with ASN below
the minimum and per period, on the region's feedback topic, listed for those who may see them;
a second check in the same period sends nothing."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.consolidation.adapters.compliance import open_years
from services.consolidation.entrypoints import reminder_worker as reminder_worker_module
from services.consolidation.entrypoints.app import DEFINITION
from services.consolidation.entrypoints.reminder_worker import send_due
from services.consolidation.reminders import Schedule
from services.consolidation.settings import ComplianceSettings
from shared.events.feedback import REMINDER_TYPE
from shared.runtime import ServiceRuntime
from shared.topics import feedback_topic
from tests.consolidation.helpers import NATIONAL, TOKENS, TUBAN, client
from tests.consolidation.test_compliance_views import seed
from tests.support import TopicReader, eventually, prepare_topics, running

pytestmark = pytest.mark.integration

SCHEDULE = Schedule()  # from 1 October, weekly


@pytest.fixture
async def service(infra) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient]]:
    await prepare_topics(infra, ["35.23", "15.71"])
    async with running(DEFINITION, infra, api_tokens=TOKENS) as runtime, client(runtime) as http:
        await seed(runtime)
        yield runtime, http


def at(day: int, month: int = 10) -> dt.datetime:
    return dt.datetime(2024, month, day, 9, tzinfo=dt.UTC)


async def test_one_reminder_per_region_and_period(service, infra) -> None:
    runtime, http = service
    assert await send_due(runtime, at(30, 9), SCHEDULE) == 0  # before the start day
    assert await send_due(runtime, at(1), SCHEDULE) == 2  # Tuban (Budi) and Kota Jambi (Ani)
    assert await send_due(runtime, at(7), SCHEDULE) == 0  # the same period
    async with TopicReader(infra, feedback_topic("35.23")) as tuban:

        async def reminders() -> list[dict[str, Any]]:
            events = await tuban.poll()
            return [e for e in events if e["type"] == REMINDER_TYPE]

        [reminder] = await eventually(reminders, 30, "Tuban's reminder relayed")
    data = reminder["data"]
    assert (data["period"], data["roster"], data["zero"], data["below"]) == ("2024-P01", 2, 1, 0)
    assert data["message_id"].startswith("Pengingat 20 JP 2024 (daerah 35.23): 1 dari 2 ASN")
    assert data["list_path"] == "/api/v1/compliance/at-risk?year=2024&region=35.23"
    assert "198609262015051001" not in str(reminder)  # counts only, no NIP
    assert await send_due(runtime, at(8), SCHEDULE) == 2  # the next period
    mine = (await http.get("/api/v1/compliance/reminders", headers=TUBAN)).json()
    assert [(r["publisher"], r["period"]) for r in mine] == [
        ("35.23", "2024-P02"),
        ("35.23", "2024-P01"),
    ]
    everyone = (await http.get("/api/v1/compliance/reminders?year=2024", headers=NATIONAL)).json()
    assert len(everyone) == 4


async def test_the_worker_sends_this_periods_reminders_by_itself(
    service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The background loop itself (not `send_due` called by hand) reminds each region whose ASN
    trained nothing this year, once: with reminders from 1 January, today is always in one."""
    runtime, _ = service
    from_new_year = ComplianceSettings(reminder_start="01-01")
    monkeypatch.setattr(reminder_worker_module, "compliance_settings", lambda: from_new_year)
    year = dt.datetime.now(dt.UTC).year
    async with runtime.pool.acquire() as conn, conn.transaction():
        await open_years(conn, [year])  # Tuban's Budi and Kota Jambi's Ani: zero JP this year

    async def sent() -> list[str]:
        async with runtime.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT publisher FROM reminders_sent WHERE year = $1 ORDER BY 1", year
            )
        return [r["publisher"] for r in rows]

    worker = asyncio.create_task(reminder_worker_module.reminder_worker(runtime))
    try:
        assert await eventually(sent, 30, "the worker's reminders") == ["15.71", "35.23"]
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
