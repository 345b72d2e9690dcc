"""Certificates on real Kafka and Postgres: PDF content and QR, public verification, revocation
and re-issue, and exactly one certificate across instances and replays."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import httpx
import pypdf
import pytest
import zxingcpp

from services.certification.entrypoints.app import DEFINITION
from shared.events.domain import CohortAmended
from shared.runtime import ServiceRuntime
from shared.topics import CERTIFICATION_EVENTS
from tests.certification import builders as b
from tests.support import (
    Publisher,
    TopicReader,
    eventually,
    prepare_topics,
    running,
    wait_until_assigned,
)

pytestmark = pytest.mark.integration

TOKENS = "nat=national,p15=publisher:15,p16=publisher:16,adm=admin"
BASE_URL = "https://sttp.example.go.id"
JSON = {"Accept": "application/json"}  # /verify/{code} answers a page otherwise


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _count(runtime: ServiceRuntime, sql: str) -> int:
    async with runtime.pool.acquire() as conn:
        return int(await conn.fetchval(sql))


async def test_pdf_qr_verification_revocation_and_reissue(infra):
    code = "15/LATSAR/2022/II"
    nips = ["198609262015051001", "198701012010011002"]
    await prepare_topics(infra, ["15"])
    async with (
        running(DEFINITION, infra, api_tokens=TOKENS, public_base_url=BASE_URL) as svc,
        Publisher(infra) as pub,
        TopicReader(infra, CERTIFICATION_EVENTS) as announced,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=svc.http_app()), base_url="http://t"
        ) as client,
    ):
        await b.complete_cohort(pub, code, nips)
        # Rendered by the background worker, not by the consumer.
        await eventually(
            lambda: _count(svc, "SELECT count(*) = 2 FROM certificates WHERE pdf IS NOT NULL"),
            what="PDFs rendered",
        )
        async with svc.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT id, number, verification_code, nip FROM certificates ORDER BY number"
            )
        first, second = ({**r} for r in rows)

        response = await client.get(f"/api/v1/certificates/{first['id']}/pdf", headers=_auth("p15"))
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        _assert_sttp_pdf(response.content, first, "Budi Santoso 0")
        for token in ("p16", None):
            denied = await client.get(
                f"/api/v1/certificates/{first['id']}/pdf", headers=_auth(token) if token else {}
            )
            assert denied.status_code in (401, 403)

        archive = await client.get(f"/api/v1/cohorts/{code}/certificates.zip", headers=_auth("nat"))
        assert archive.status_code == 200
        names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
        assert sorted(names) == sorted(
            n.replace("/", "_") + suffix
            for n in (first["number"], second["number"])
            for suffix in (".pdf", ".jwt")  # each PDF with its verifiable credential
        )

        shown = (
            await client.get(f"/verify/{first['verification_code'].lower()}", headers=JSON)
        ).json()
        assert shown["status"] == "valid"
        assert shown["certificate"]["nip_masked"] == "1986**********1001"
        # Dated the day the cohort closed (b.NOW, in Jakarta), not the day it was processed.
        assert shown["certificate"]["issue_date"] == "2022-05-24"
        by_number = await client.get(
            "/api/v1/verify", params={"number": first["number"], "name": "budi  SANTOSO 0"}
        )
        assert by_number.json()["certificate"]["name"] == "Budi Santoso 0"
        assert first["nip"] not in by_number.text

        as_publisher = await client.post(
            f"/api/v1/certificates/{first['id']}/revoke", json={"reason": "x"}, headers=_auth("p15")
        )
        assert as_publisher.status_code == 403
        revoked = await client.post(
            f"/api/v1/certificates/{first['id']}/revoke",
            json={"reason": "dokumen palsu"},
            headers=_auth("adm"),
        )
        assert revoked.json()["status"] == "revoked"
        verdict = (await client.get(f"/verify/{first['verification_code']}", headers=JSON)).json()
        assert (verdict["status"], verdict["status_reason"]) == ("revoked", "dokumen palsu")
        again = await client.post(
            f"/api/v1/certificates/{first['id']}/revoke",
            json={"reason": "lagi"},
            headers=_auth("adm"),
        )
        assert again.status_code == 409

        reissued = await client.post(
            f"/api/v1/certificates/{second['id']}/reissue",
            json={"reason": "koreksi nama", "name": "Budi Santosa"},
            headers=_auth("adm"),
        )
        assert reissued.status_code == 201
        new = reissued.json()
        assert (new["number"], new["version"]) == (f"{second['number']}-v2", 2)
        old = (await client.get(f"/verify/{second['verification_code']}", headers=JSON)).json()
        assert (old["status"], old["current_number"]) == ("superseded", new["number"])
        current = (await client.get(f"/verify/{new['verification_code']}", headers=JSON)).json()
        assert (current["status"], current["certificate"]["name"]) == ("valid", "Budi Santosa")
        new_pdf = await client.get(f"/api/v1/certificates/{new['id']}/pdf", headers=_auth("p15"))
        assert (
            "Budi Santosa" in pypdf.PdfReader(io.BytesIO(new_pdf.content)).pages[0].extract_text()
        )

        await announced.wait_for(
            lambda _: bool(
                announced.of_type("certificate_revoked.v1")
                and announced.of_type("certificate_superseded.v1")
                and len(announced.within("cohort_decided.v1", "certificates")) == 2
                and len(announced.of_type("certificate_issued.v1")) == 1
            ),
            what="revocation and re-issue events",
        )
        assert announced.of_type("certificate_issued.v1")[-1]["data"]["version"] == 2


async def test_two_instances_and_a_full_replay_issue_one_certificate_per_participant(infra):
    code = "15/TEKNIS/2022/I"
    nips = [f"19860926201505{i:04d}" for i in range(1001, 1013)]
    await prepare_topics(infra, ["15"])
    async with running(DEFINITION, infra) as one, running(DEFINITION, infra) as two:
        await wait_until_assigned(one)
        await wait_until_assigned(two)
        async with Publisher(infra) as pub:
            await b.complete_cohort(pub, code, nips)
            # The same finalisations again, with new ids: redelivered by a confused producer.
            for nip in nips[:4]:
                await b.send_domain(pub, b.finalised(code, "15", nip, "20"))
        await eventually(
            lambda: _count(one, "SELECT count(*) = 12 FROM decisions"), what="all decided"
        )
        async with TopicReader(infra, CERTIFICATION_EVENTS) as announced:
            await announced.wait_for(
                lambda _: (
                    len(announced.within("cohort_decided.v1", "decisions")) == 12
                    and len(announced.within("cohort_decided.v1", "certificates")) == 12
                ),
                what="12 decisions + 12 issued",
            )
            announcements = len(announced.events)
        assert await _count(one, "SELECT count(DISTINCT number) FROM certificates") == 12

    # A new consumer group over the same database re-reads every topic from the start.
    async with (
        running(DEFINITION, infra, consumer_group="replay") as replay,
        Publisher(infra) as pub,
    ):
        # One harmless event at the end of each stream the replay must have passed.
        sentinels = [
            await b.send_domain(pub, b.cohort_finalised(code, "15", 12)),
            await b.send_domain(pub, CohortAmended(**b.cohort(code, "15").model_dump())),
        ]
        await eventually(
            lambda: _count(
                replay,
                "SELECT count(*) = 2 FROM processed_events "
                f"WHERE event_id IN ('{sentinels[0]}', '{sentinels[1]}')",
            ),
            what="replay reached the end of the enrolment and attendance streams",
        )
        assert await _count(replay, "SELECT count(*) FROM certificates") == 12
        assert await _count(replay, "SELECT count(*) FROM outbox") == 0
        assert replay.relay is not None and replay.relay.published == 0
    async with TopicReader(infra, CERTIFICATION_EVENTS) as announced:
        await announced.wait_for(lambda e: len(e) >= announcements, what="the announcements")
        assert len(announced.events) == announcements  # the replay announced nothing again


def _assert_sttp_pdf(pdf: bytes, certificate: dict[str, Any], name: str) -> None:
    """Text read back names the participant, number and programme; the QR is the URL."""
    first = certificate
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    text = page.extract_text()
    assert name in text
    assert first["number"] in text
    assert "Pelatihan Kepemimpinan Administrator" in text
    assert abs(float(page.mediabox.width) - 595.28) < 1  # A4 portrait
    url = f"{BASE_URL}/verify/{first['verification_code']}"
    decoded = [r.text for image in page.images for r in zxingcpp.read_barcodes(image.image)]
    assert decoded == [url]
