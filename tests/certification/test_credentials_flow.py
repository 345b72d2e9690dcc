"""Verifiable credentials on the real service (issue 20): downloaded by verification code and by
the publisher, checked by the verifier (PyJWT) against the published issuer key and status list,
the bit flipping on revocation; the cohort ZIP carries them; misses look like `/verify` misses."""

from __future__ import annotations

import base64
import gzip
import io
import zipfile
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from diklat import credential_verify as cv
from services.certification.entrypoints.app import DEFINITION
from services.certification.entrypoints.throttle import FailureLimiter
from shared.runtime import ServiceRuntime
from tests.certification import builders as b
from tests.support import Publisher, eventually, prepare_topics, running

pytestmark = pytest.mark.integration

TOKENS = "nat=national,p15=publisher:15,p16=publisher:16,adm=admin"
BASE_URL = "https://sttp.example.go.id"
CODE = "15/LATSAR/2022/VII"
NIPS = ["198609262015051001", "198701012010011002"]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _issued(svc: ServiceRuntime) -> list[dict[str, Any]]:
    async with svc.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT id, number, verification_code FROM certificates ORDER BY number"
        )
    return [dict(r) for r in rows] if len(rows) == len(NIPS) else []


def _bit(status_list_jwt: str, index: int) -> bool:
    """The bit, read as the Recommendation says (MSB of byte 0 is index 0)."""
    listed = jwt.decode(status_list_jwt, options={"verify_signature": False})
    encoded = listed["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")  # multibase base64url
    text = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    assert len(bits) * 8 >= 131_072
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


async def _only_the_publisher_downloads(
    client: httpx.AsyncClient, certificate_id: Any, fetch: cv.Fetch
) -> None:
    own = await client.get(
        f"/api/v1/certificates/{certificate_id}/credential", headers=_auth("p15")
    )
    assert own.status_code == 200
    assert (await cv.verify(own.text, fetch)).verdict is cv.Verdict.VALID
    for denied in ("p16", None):
        refused = await client.get(
            f"/api/v1/certificates/{certificate_id}/credential",
            headers=_auth(denied) if denied else {},
        )
        assert refused.status_code in (401, 403)


async def _misses_look_alike_and_count(client: httpx.AsyncClient, known_code: str) -> None:
    """A miss answers as `/verify` does, and counts against the address (10 allowed)."""
    miss = await client.get("/verify/ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ/credential")
    verify_miss = await client.get(
        "/verify/ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", headers={"Accept": "application/json"}
    )
    assert miss.status_code == verify_miss.status_code == 404
    assert miss.json() == verify_miss.json()
    for _ in range(8):
        await client.get("/verify/not-a-code/credential")
    limited = await client.get(f"/verify/{known_code}/credential")
    assert limited.status_code == 429 and "Retry-After" in limited.headers


async def test_credentials_verify_their_status_flips_on_revoke_and_misses_look_alike(
    infra, tmp_path: Path
):
    await prepare_topics(infra, ["15"])
    async with (
        running(DEFINITION, infra, api_tokens=TOKENS, public_base_url=BASE_URL) as svc,
        Publisher(infra) as pub,
    ):
        app = svc.http_app()
        app.state.verify_failures = FailureLimiter(limit=10, window_s=600)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:

            async def fetch(url: str) -> bytes:
                # The verifier's HTTP, served by the app itself.
                response = await client.get(url.removeprefix(BASE_URL))
                if response.status_code != 200:
                    raise cv.FetchError(f"HTTP {response.status_code}")
                return response.content

            await b.complete_cohort(pub, CODE, NIPS)
            first, second = await eventually(lambda: _issued(svc), what="two certificates")

            # Public, by the code on the paper.
            got = await client.get(f"/verify/{first['verification_code'].lower()}/credential")
            assert got.status_code == 200, got.text
            assert got.headers["content-type"].startswith("application/vc+jwt")
            filename = first["number"].replace("/", "_") + ".jwt"
            assert got.headers["content-disposition"] == f'attachment; filename="{filename}"'
            token = got.text
            assert NIPS[0] not in token and NIPS[0] not in str(
                jwt.decode(token, options={"verify_signature": False})
            )
            verdict = await cv.verify(token, fetch)
            assert verdict.verdict is cv.Verdict.VALID, verdict.lines()

            # Asked again: the same place in the list.
            again = await client.get(f"/verify/{first['verification_code']}/credential")
            claims = jwt.decode(token, options={"verify_signature": False})
            assert jwt.decode(again.text, options={"verify_signature": False}) == claims
            entry = claims["credentialStatus"]
            assert entry["statusListCredential"].startswith(f"{BASE_URL}/status-lists/15/")
            list_path = entry["statusListCredential"].removeprefix(BASE_URL)
            index = int(entry["statusListIndex"])
            listed = await client.get(list_path)
            assert listed.headers["cache-control"] == "public, max-age=300"
            assert not _bit(listed.text, index)

            # The issuer's profile lists the key the credential names.
            profile = (await client.get("/issuers/15")).json()
            kid = jwt.get_unverified_header(token)["kid"]
            assert kid in profile["assertionMethod"]
            assert profile["name"] == "BPSDM Provinsi Jambi"
            assert (await client.get("/issuers/16")).status_code == 404  # no cohort, no key

            # Revoked: the credential is still served, its bit is set, the verifier says so.
            revoked = await client.post(
                f"/api/v1/certificates/{first['id']}/revoke",
                json={"reason": "dokumen palsu"},
                headers=_auth("adm"),
            )
            assert revoked.status_code == 200
            assert _bit((await client.get(list_path)).text, index)
            after = await client.get(f"/verify/{first['verification_code']}/credential")
            assert after.status_code == 200
            assert (await cv.verify(after.text, fetch)).verdict is cv.Verdict.REVOKED

            await _only_the_publisher_downloads(client, second["id"], fetch)
            await _misses_look_alike_and_count(client, second["verification_code"])


async def test_the_cohort_zip_holds_each_pdf_and_credential_and_lists_do_not_leak(
    infra, tmp_path: Path
):
    await prepare_topics(infra, ["15"])
    async with (
        running(DEFINITION, infra, api_tokens=TOKENS, public_base_url=BASE_URL) as svc,
        Publisher(infra) as pub,
    ):
        app = svc.http_app()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            await b.complete_cohort(pub, CODE, NIPS)
            issued = await eventually(lambda: _issued(svc), what="two certificates")
            assert (await client.get("/status-lists/15/1")).status_code == 404  # none drawn

            archive = await client.get(
                f"/api/v1/cohorts/{CODE}/certificates.zip", headers=_auth("p15")
            )
            assert archive.status_code == 200
            files = zipfile.ZipFile(io.BytesIO(archive.content))
            stems = [c["number"].replace("/", "_") for c in issued]
            assert sorted(files.namelist()) == sorted(
                [f"{s}.pdf" for s in stems] + [f"{s}.jwt" for s in stems]
            )
            for stem, certificate in zip(stems, issued, strict=True):
                assert files.read(f"{stem}.pdf").startswith(b"%PDF")
                claims = jwt.decode(files.read(f"{stem}.jwt"), options={"verify_signature": False})
                assert claims["id"] == f"urn:uuid:{certificate['id']}"
            denied = await client.get(
                f"/api/v1/cohorts/{CODE}/certificates.zip", headers=_auth("p16")
            )
            assert denied.status_code == 403

            # Places were drawn for the ZIP: list 1 exists now, list 2 and strangers do not.
            assert (await client.get("/status-lists/15/1")).status_code == 200
            for path in ("/status-lists/15/2", "/status-lists/15/0", "/status-lists/..%2Fca/1"):
                assert (await client.get(path)).status_code == 404
            async with svc.pool.acquire() as conn:
                places = await conn.fetch("SELECT list_no, list_index FROM credential_status")
            assert len(places) == 2 and {p["list_no"] for p in places} == {1}
