"""A publisher's default signatory and place of issue (PUT/GET /api/v1/publishers/{p}/profile):
set by an admin, read by the publisher itself or an admin, and printed on the certificates of
its cohorts whose schedules name none."""

from __future__ import annotations

import httpx
import pytest

from diklat import profiles
from services.certification.entrypoints.app import DEFINITION
from tests.certification import builders as b
from tests.support import Publisher, eventually, prepare_topics, running

pytestmark = pytest.mark.integration

TOKENS = "adm=admin,nat=national,jbi=publisher:15,sms=publisher:16"
ADMIN, NATIONAL = {"Authorization": "Bearer adm"}, {"Authorization": "Bearer nat"}
JAMBI, SUMSEL = {"Authorization": "Bearer jbi"}, {"Authorization": "Bearer sms"}
SIGNATORY = {
    "name": "Dr. H. Ahmad Yani, S.H., M.Si.",
    "nip": "196805121994031004",
    "title": "Kepala BPSDM Provinsi Jambi",
}
PROFILE = {"signatory": SIGNATORY, "place_of_issue": "Jambi"}
URL = "/api/v1/publishers/15/profile"


async def test_an_admin_sets_a_profile_its_publisher_reads_it_and_certificates_carry_it(infra):
    await prepare_topics(infra, ["15"])
    async with (
        running(DEFINITION, infra, api_tokens=TOKENS) as svc,
        Publisher(infra) as pub,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=svc.http_app()), base_url="http://t"
        ) as client,
    ):
        empty = await client.get(URL, headers=JAMBI)
        assert empty.status_code == 200
        assert empty.json() == {"publisher": "15", "signatory": None, "place_of_issue": None}

        assert (await client.put(URL, json=PROFILE, headers=JAMBI)).status_code == 403
        put = await client.put(URL, json=PROFILE, headers=ADMIN)
        assert put.status_code == 200 and put.json() == {"publisher": "15", **PROFILE}
        for headers in (JAMBI, ADMIN):
            assert (await client.get(URL, headers=headers)).json() == {"publisher": "15", **PROFILE}
        for headers in (SUMSEL, NATIONAL):
            assert (await client.get(URL, headers=headers)).status_code == 403
        assert (await client.get(URL)).status_code == 401

        await b.complete_cohort(pub, "15/LATSAR/2022/IV", ["198609262015051001"])

        async def issued() -> bool:
            async with svc.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT count(*) FROM certificates"))

        await eventually(issued, what="the certificate")
        async with svc.pool.acquire() as conn:
            content = await conn.fetchval("SELECT content FROM certificates")
        assert (content["signatory"], content["place_of_issue"]) == (SIGNATORY, "Jambi")


async def test_a_profile_is_refused_with_a_reason_for_a_bad_nip_or_publisher(infra):
    async with (
        running(DEFINITION, infra, api_tokens=TOKENS) as svc,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=svc.http_app()), base_url="http://t"
        ) as client,
    ):
        bad_nip = {"signatory": SIGNATORY | {"nip": "196813121994031004"}}
        refused = await client.put(URL, json=bad_nip, headers=ADMIN)
        assert refused.status_code == 422 and "NIP penandatangan" in refused.text
        nowhere = await client.put("/api/v1/publishers/99x/profile", json={}, headers=ADMIN)
        assert nowhere.status_code == 422 and "bukan kode penerbit" in nowhere.text
        cleared = await client.put(URL, json={"place_of_issue": "Jambi"}, headers=ADMIN)
        assert cleared.json() == {"publisher": "15", "signatory": None, "place_of_issue": "Jambi"}


async def test_the_cli_sets_a_profile_through_the_admin_api(infra):
    async with running(DEFINITION, infra, api_tokens=TOKENS) as svc:
        transport = httpx.ASGITransport(app=svc.http_app())

        def client(token: str) -> httpx.AsyncClient:
            headers = {"Authorization": f"Bearer {token}"}
            return httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers)

        body = profiles.profile_body(
            SIGNATORY["name"], SIGNATORY["nip"], SIGNATORY["title"], "Jambi"
        )
        async with client("adm") as admin:
            stored = await profiles.put_profile(admin, "15", body)
        assert stored == {"publisher": "15", **PROFILE}
        assert profiles.described(stored).startswith("publisher 15: Dr. H. Ahmad Yani")
        async with client("jbi") as publisher:
            with pytest.raises(profiles.ProfileRefused, match="HTTP 403"):
                await profiles.put_profile(publisher, "15", body)
        with pytest.raises(profiles.ProfileRefused, match="nama, NIP dan jabatan"):
            profiles.profile_body("Dr. Ahmad", None, None, None)
        with pytest.raises(profiles.ProfileRefused, match="tidak dapat dihubungi"):
            await profiles.set_profile("15", body, "http://127.0.0.1:9")
