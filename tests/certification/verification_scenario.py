"""Certificates in each status the public page shows: one valid, one revoked, one superseded by
its re-issue (and that re-issue, valid). Shared by the page's HTTP and browser tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from services.certification.entrypoints.app import DEFINITION
from shared.runtime import ServiceDefinition, ServiceRuntime
from shared.settings import InfraSettings
from tests.certification import builders as b
from tests.support import Publisher, eventually, prepare_topics, running

CODE = "15/LATSAR/2022/VII"
NIPS = ["198609262015051001", "198701012010011002", "199002022015032003"]
ADMIN = {"Authorization": "Bearer adm"}
REVOKE_REASON = "Dokumen <b>palsu</b> & tidak sah"  # markup in it must show as text
JSON = {"Accept": "application/json"}


@dataclass(frozen=True)
class Held:
    id: str
    number: str
    code: str
    name: str


@dataclass(frozen=True)
class Statuses:
    valid: Held
    revoked: Held
    superseded: Held
    current: Held  # the re-issue that replaced `superseded`


async def _issued(svc: ServiceRuntime) -> list[Held]:
    async with svc.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT id::text, number, verification_code, content->>'name' AS name "
            "FROM certificates ORDER BY number"
        )
    return [Held(r["id"], r["number"], r["verification_code"], r["name"]) for r in rows]


async def _statuses(svc: ServiceRuntime, client: httpx.AsyncClient) -> Statuses:
    async def three() -> list[Held]:
        found = await _issued(svc)
        return found if len(found) == 3 else []

    valid, revoked, superseded = await eventually(three, what="three certificates")
    answer = await client.post(
        f"/api/v1/certificates/{revoked.id}/revoke", json={"reason": REVOKE_REASON}, headers=ADMIN
    )
    assert answer.status_code == 200, answer.text
    answer = await client.post(
        f"/api/v1/certificates/{superseded.id}/reissue",
        json={"reason": "koreksi nama", "name": "Budi Santosa Dua"},
        headers=ADMIN,
    )
    assert answer.status_code == 201, answer.text
    new = answer.json()
    current = Held(str(new["id"]), new["number"], new["verification_code"], "Budi Santosa Dua")
    return Statuses(valid, revoked, superseded, current)


@contextlib.asynccontextmanager
async def certificates_in_each_status(
    infra: InfraSettings, definition: ServiceDefinition = DEFINITION
) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient, Statuses]]:
    """The service running with the three certificates issued and two of them changed."""
    await prepare_topics(infra, ["15"])
    async with (
        running(definition, infra, api_tokens="adm=admin") as svc,
        Publisher(infra) as pub,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=svc.http_app()), base_url="http://t"
        ) as client,
    ):
        await b.complete_cohort(pub, CODE, NIPS)
        yield svc, client, await _statuses(svc, client)
