"""Sealed PDFs through the real path (Kafka, Postgres, the renderer process, the API): every
stored PDF verifies against the local trust root; a certificate revoked or superseded before
its PDF exists never gets one, and its re-issue gets its own."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

import httpx
import pytest

from services.certification.adapters.seal_check import seal_status
from services.certification.adapters.seals import FileSeals
from services.certification.entrypoints.app import DEFINITION
from services.certification.entrypoints.pdf_worker import render_pending, renderer
from services.certification.sealing import seal_check, sealing
from services.certification.settings import SealSettings
from shared.runtime import ServiceRuntime
from tests.certification import builders as b
from tests.support import Publisher, eventually, prepare_topics, running

pytestmark = pytest.mark.integration

TOKENS = "p15=publisher:15,adm=admin"
BASE_URL = "https://sttp.example.go.id"
SEAL_CN = "Segel elektronik penerbit 15"
WITHOUT_WORKER = dataclasses.replace(DEFINITION, background=())


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _certificate_ids(runtime: ServiceRuntime) -> list[uuid.UUID]:
    async with runtime.pool.acquire() as conn:
        return [r["id"] for r in await conn.fetch("SELECT id FROM certificates ORDER BY number")]


async def _with_pdf(runtime: ServiceRuntime) -> set[uuid.UUID]:
    async with runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT id FROM certificates WHERE pdf IS NOT NULL")
    return {r["id"] for r in rows}


async def test_only_valid_certificates_get_a_sealed_pdf_that_verifies(infra):
    code = "15/LATSAR/2022/III"
    nips = ["198609262015051001", "198701012010011002", "198802022011012003"]
    await prepare_topics(infra, ["15"])
    overrides = {"api_tokens": TOKENS, "public_base_url": BASE_URL}
    async with (
        running(WITHOUT_WORKER, infra, **overrides) as svc,
        Publisher(infra) as pub,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=svc.http_app()), base_url="http://t"
        ) as client,
    ):
        await b.complete_cohort(pub, code, nips)
        revoked, superseded, untouched = await eventually(
            lambda: _certificates_issued(svc, 3), what="3 certificates issued"
        )
        assert (
            await client.post(
                f"/api/v1/certificates/{revoked}/revoke",
                json={"reason": "salah peserta"},
                headers=_auth("adm"),
            )
        ).status_code == 200
        reissue = await client.post(
            f"/api/v1/certificates/{superseded}/reissue",
            json={"reason": "koreksi nama", "name": "Budi Santosa"},
            headers=_auth("adm"),
        )
        reissued = uuid.UUID(reissue.json()["id"])

        for gone in (revoked, superseded):
            refused = await client.get(f"/api/v1/certificates/{gone}/pdf", headers=_auth("p15"))
            assert refused.status_code == 409
            assert refused.json()["detail"].startswith("Sertifikat ini dicabut atau digantikan")
        # Asked for before the worker reached it: rendered and sealed on the spot.
        on_the_spot = await client.get(
            f"/api/v1/certificates/{untouched}/pdf", headers=_auth("p15")
        )
        assert on_the_spot.status_code == 200
        spot = await asyncio.to_thread(seal_status, on_the_spot.content, sealing().trust_roots)
        assert (spot.signer, spot.verified) == (SEAL_CN, True)

    async with running(DEFINITION, infra, **overrides) as worker:
        # The worker claims in issue order: once the re-issue has its PDF, the older revoked
        # and superseded certificates were passed over.
        await eventually(
            lambda: _has(worker, reissued), what="the re-issue's PDF rendered by the worker"
        )
        assert await _with_pdf(worker) == {untouched, reissued}
        checks = seal_check(lambda: worker.pool)
        for stored in (untouched, reissued):
            status = await checks.check(stored)
            assert status is not None
            assert (status.signer, status.verified) == (SEAL_CN, True)
            assert status.signed_at is not None
        assert await checks.check(revoked) is None


async def _certificates_issued(runtime: ServiceRuntime, count: int) -> list[uuid.UUID] | None:
    ids = await _certificate_ids(runtime)
    return ids if len(ids) == count else None


async def _has(runtime: ServiceRuntime, certificate_id: uuid.UUID) -> bool:
    return certificate_id in await _with_pdf(runtime)


async def test_a_publisher_without_a_seal_gets_no_pdf_and_holds_up_no_one(infra, tmp_path):
    """pkcs12 mode with no .p12 for the publisher: its certificates stay pending, and the
    worker's next claims pass them over."""
    await prepare_topics(infra, ["15"])
    FileSeals(tmp_path / "elsewhere", issue_missing=True).trust_roots()  # writes its ca.pem
    roots = tmp_path / "elsewhere" / "ca.pem"
    settings = SealSettings(mode="pkcs12", dir=tmp_path, trust_roots=roots)
    async with running(WITHOUT_WORKER, infra) as svc, Publisher(infra) as pub:
        await b.complete_cohort(pub, "15/TEKNIS/2022/IV", ["198609262015051001"])
        await eventually(lambda: _certificates_issued(svc, 1), what="1 certificate issued")
        executor = renderer(settings)
        try:
            assert await render_pending(svc.pool, BASE_URL, executor) == (0, {"15"})
            passed_over = await render_pending(svc.pool, BASE_URL, executor, without={"15"})
            assert passed_over == (0, set())
        finally:
            executor.shutdown()
        assert await _with_pdf(svc) == set()
