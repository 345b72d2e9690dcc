"""Start consolidation with the hand-computed scenario published and an API client."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx

from services.consolidation.entrypoints.app import DEFINITION
from shared.runtime import ServiceRuntime
from shared.settings import InfraSettings
from tests.consolidation import scenario
from tests.support import Publisher, eventually, prepare_topics, running, wait_until_assigned

TOKENS = "nat=national,tuban=publisher:35.23,jambi=publisher:15,nas=publisher:nasional"
NATIONAL = {"Authorization": "Bearer nat"}
TUBAN = {"Authorization": "Bearer tuban"}
JAMBI = {"Authorization": "Bearer jambi"}
NASIONAL = {"Authorization": "Bearer nas"}  # the national organiser's publisher credential
# The read model's tables, compared whole before and after a rebuild.
TABLES = [
    "cohorts",
    "cohort_figures",
    "enrolments",
    "attendance",
    "completions",
    "certificates",
    "ingest_outcomes",
    "quality_counts",
    "asn",
    "roster",
    "roster_history",
    "compliance_years",
    "asn_years",
    "compliance_counts",
    "compliance_jp",
]


def client(runtime: ServiceRuntime) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=runtime.http_app()), base_url="http://t"
    )


@contextlib.asynccontextmanager
async def scenario_running(
    infra: InfraSettings,
) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient]]:
    await prepare_topics(infra, ["nasional", "15", "35.23"])
    async with (
        running(DEFINITION, infra, api_tokens=TOKENS) as runtime,
        Publisher(infra) as pub,
        client(runtime) as http,
    ):
        await wait_until_assigned(runtime)
        await scenario.publish(pub, scenario.events())
        await scenario.publish_feedback(pub)
        await eventually(lambda: settled(http), 30, "scenario consolidated")
        yield runtime, http


async def settled(http: httpx.AsyncClient) -> bool:
    stats = (await http.get("/api/v1/statistics", headers=NATIONAL)).json()
    quality = (await http.get("/api/v1/data-quality", headers=NATIONAL)).json()
    return bool(stats == scenario.EXPECTED_ALL and quality and quality[0]["applied"] == 3)


async def get(
    http: httpx.AsyncClient, path: str, headers: dict[str, str] = NATIONAL, **params: Any
) -> Any:
    response = await http.get(path, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def read_tables(runtime: ServiceRuntime) -> dict[str, list[Any]]:
    async with runtime.pool.acquire() as conn:
        return {
            t: [tuple(r) for r in await conn.fetch(f"SELECT * FROM {t} ORDER BY {t}::text")]
            for t in TABLES
        }
