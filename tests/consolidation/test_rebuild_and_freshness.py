"""Rebuilding from the topics reproduces the live model; a new event shows within 2 seconds."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from services.consolidation.entrypoints.rebuild import rebuild
from tests.consolidation import scenario
from tests.consolidation.helpers import client, get, read_tables, scenario_running
from tests.support import Publisher, eventually
from tests.support import test_settings as service_settings

pytestmark = pytest.mark.integration


async def _views(http: Any) -> list[Any]:
    return [
        await get(http, path)
        for path in (
            "/api/v1/statistics",
            "/api/v1/provinces",
            "/api/v1/cohorts?limit=100",
            "/api/v1/certificates",
            "/api/v1/data-quality",
            f"/api/v1/asn/{scenario.NIP['B']}",
        )
    ]


async def test_rebuild_from_topics_equals_live_read_model(infra):
    async with scenario_running(infra) as (runtime, http):
        live_tables, live_views = await read_tables(runtime), await _views(http)
        replayed = await rebuild(infra, service_settings("consolidation"))
        assert replayed >= len(scenario.events()) + len(scenario.FEEDBACK_15)
        async with runtime.pool.acquire() as conn:
            schemas = await conn.fetch(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'consolidation%'"
            )
        assert [r["nspname"] for r in schemas] == ["consolidation"]  # old one dropped
        assert await read_tables(runtime) == live_tables
        assert await _views(http) == live_views


async def test_domain_event_is_visible_through_the_api_within_2_seconds(infra):
    async with scenario_running(infra) as (_, http), Publisher(infra) as pub:
        code = "15/FRESH/2024/I"
        info = scenario.cohort_info(scenario.J1).model_copy(update={"cohort_code": code})
        started = time.monotonic()
        await scenario.publish(pub, [info])

        async def visible() -> bool:
            page = await get(http, "/api/v1/cohorts", publisher="15", year=2024)
            return code in {c["cohort_code"] for c in page["items"]}

        await eventually(visible, 2.0, "new cohort in the API")
        assert time.monotonic() - started < 2.0


async def test_dashboard_and_openapi_are_served(infra):
    async with scenario_running(infra) as (runtime, _), client(runtime) as http:
        old = await http.get("/dashboard?year=2024")
        assert old.status_code == 307 and old.headers["location"] == "/dasbor?year=2024"
        page = await http.get("/dasbor")  # not signed in: the sign-in page, then back
        assert page.status_code == 303 and page.headers["location"] == "/masuk?kembali=%2Fdasbor"
        sign_in = await http.get(page.headers["location"])
        assert sign_in.status_code == 200 and 'name="kredensial"' in sign_in.text
        assert "http" not in sign_in.text.split("<body>")[0]  # every asset local: no CDN
        paths = (await http.get("/openapi.json")).json()["paths"]
        assert "/api/v1/asn/below-minimum" in paths


async def test_rebuild_while_events_keep_flowing_loses_nothing(infra):
    async with scenario_running(infra) as (_, http), Publisher(infra) as pub:
        before = (await get(http, "/api/v1/cohorts", limit=1))["total"]
        fresh = [
            scenario.cohort_info(scenario.J1).model_copy(update={"cohort_code": f"15/LIVE/{i}"})
            for i in range(300)
        ]

        async def keep_publishing() -> None:
            for start in range(0, len(fresh), 10):
                batch = fresh[start : start + 10]
                await scenario.publish(pub, batch)

        publishing = asyncio.create_task(keep_publishing())
        await rebuild(infra, service_settings("consolidation"))
        await publishing

        async def all_there() -> int:
            total = (await get(http, "/api/v1/cohorts", limit=1))["total"]
            return total if total == before + len(fresh) else 0

        assert await eventually(all_there, 30, "every cohort after the swap") == before + 300
