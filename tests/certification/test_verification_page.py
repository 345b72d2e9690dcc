"""The public verification page (issue 20, item 3): HTML to a browser, JSON to a client that
asks for it; what it shows for a valid, a revoked and a superseded certificate, the seal; the
404 and 429 as pages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import uuid

import httpx
import pytest

from services.certification.adapters.pdf import tanggal
from services.certification.dependencies import Dependencies
from services.certification.entrypoints.app import DEFINITION
from services.certification.entrypoints.throttle import FailureLimiter
from services.certification.entrypoints.verification import NOT_FOUND
from services.certification.entrypoints.verification_page import wants_json
from services.certification.ports import SealStatus
from services.certification.sealing import credential_keys
from tests.certification.verification_scenario import (
    JSON,
    NIPS,
    REVOKE_REASON,
    Statuses,
    certificates_in_each_status,
)
from tests.support import running

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SEALED_ON = dt.datetime(2022, 5, 25, 3, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("accept", "json"),
    [
        (None, False),
        ("", False),
        ("*/*", False),
        (BROWSER["Accept"], False),
        ("application/json", True),
        ("Application/JSON; charset=utf-8", True),
        ("application/json, text/plain, */*", True),
        ("text/html, application/json", False),
        ("text/html;q=0.5, application/json", True),
        ("application/json;q=0", False),
        ("application/json;q=oops", False),
    ],
)
def test_html_unless_the_client_asks_for_json(accept, json):
    assert wants_json(accept) is json


class FakeSeals:
    """A seal check that knows the seals a test gives it."""

    def __init__(self) -> None:
        self.seals: dict[uuid.UUID, SealStatus] = {}
        self.failing: set[uuid.UUID] = set()

    async def check(self, certificate_id: uuid.UUID) -> SealStatus | None:
        if certificate_id in self.failing:
            raise ConnectionError("the signature service did not answer")
        return self.seals.get(certificate_id)


def _shown(text: str) -> str:
    """The page's text with its markup's entities read back (what a person sees)."""
    return html.unescape(text)


async def test_each_status_as_a_page_and_as_json(infra):
    seals = FakeSeals()
    definition = dataclasses.replace(
        DEFINITION,
        dependencies=lambda _: Dependencies(seal_check=seals, credential_keys=credential_keys()),
    )
    async with certificates_in_each_status(infra, definition) as (_, client, held):
        seals.seals[uuid.UUID(held.valid.id)] = SealStatus("BPSDM Provinsi Jambi", True, SEALED_ON)
        seals.seals[uuid.UUID(held.current.id)] = SealStatus("BPSDM Provinsi Jambi", False)
        seals.failing.add(uuid.UUID(held.superseded.id))
        await _valid_page(client, held)
        await _revoked_page(client, held)
        await _superseded_pages(client, held)
        await _as_json(client, held)


async def _valid_page(client: httpx.AsyncClient, held: Statuses) -> None:
    # A browser, and a client that names nothing, get the page.
    for headers in (BROWSER, {}):
        valid = await client.get(f"/verify/{held.valid.code.lower()}", headers=headers)
        assert valid.status_code == 200
        assert valid.headers["content-type"].startswith("text/html")
    assert valid.headers["vary"] == "Accept"
    assert valid.headers["cache-control"] == "no-store"
    page = _shown(valid.text)
    assert 'data-status="valid"' in valid.text and 'class="banner valid"' in valid.text
    assert "Berlaku" in page and "Valid" in page
    for shown in (
        held.valid.name,
        "1986**********1001",
        "Pelatihan Kepemimpinan Administrator",
        "IV / 2022",
        "BPSDM Provinsi Jambi",
        "20 JP",
        held.valid.number,
        "Tanggal terbit",
        "24 Mei 2022",
        "Penata Tk. I (III/d)",
        "Segel elektronik",
        "Electronic seal",
        "Terverifikasi",
        "25 Mei 2022",
        "Unduh kredensial digital",
    ):
        assert shown in page, shown
    assert NIPS[0] not in valid.text
    assert f'href="{held.valid.code}/credential"' in valid.text
    assert page.index("Nama") < page.index(held.valid.name)  # the Indonesian label first


async def _revoked_page(client: httpx.AsyncClient, held: Statuses) -> None:
    revoked = await client.get(f"/verify/{held.revoked.code}", headers=BROWSER)
    as_json = (await client.get(f"/verify/{held.revoked.code}", headers=JSON)).json()
    changed = dt.datetime.fromisoformat(as_json["status_changed_at"])
    page = _shown(revoked.text)
    assert 'class="banner revoked"' in revoked.text
    assert "Dicabut" in page and "Revoked" in page
    assert REVOKE_REASON in page  # shown as the admin typed it ...
    assert "<b>palsu</b>" not in revoked.text  # ... as text, never as markup
    day = changed.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    assert f"dicabut pada {tanggal(day)}" in page
    assert f"revoked on {day.day} {day.strftime('%B')} {day.year}" in page  # an English month
    assert "/credential" not in revoked.text and "Belum disegel" in page


async def _superseded_pages(client: httpx.AsyncClient, held: Statuses) -> None:
    superseded = await client.get(f"/verify/{held.superseded.code}", headers=BROWSER)
    page = _shown(superseded.text)
    assert 'class="banner superseded"' in superseded.text
    assert "Digantikan" in page and "Superseded" in page
    assert held.current.number in page
    assert f'href="{held.current.code}"' in superseded.text
    assert "/credential" not in superseded.text
    assert "Segel tidak dapat diperiksa" in page  # a failed check, not "not sealed"
    assert "Belum disegel" not in page and "Terverifikasi" not in page
    current = await client.get(f"/verify/{held.current.code}", headers=BROWSER)
    page = _shown(current.text)
    assert "Berlaku" in page and held.current.name in page
    assert "Tidak dapat diverifikasi" in page


async def _as_json(client: httpx.AsyncClient, held: Statuses) -> None:
    """JSON keeps today's shape and adds the links and the seal."""
    valid = (await client.get(f"/verify/{held.valid.code}", headers=JSON)).json()
    assert valid["status"] == "valid"
    assert valid["certificate"]["nip_masked"] == "1986**********1001"
    url = f"http://127.0.0.1:8083/verify/{held.valid.code}"
    assert valid["verification_url"] == url
    assert valid["credential_url"] == f"{url}/credential"
    assert valid["seal"] == {
        "signer": "BPSDM Provinsi Jambi",
        "verified": True,
        "signed_at": "2022-05-25T03:00:00Z",
    }
    revoked = (await client.get(f"/verify/{held.revoked.code}", headers=JSON)).json()
    assert (revoked["status"], revoked["status_reason"]) == ("revoked", REVOKE_REASON)
    assert revoked["credential_url"] is None and revoked["seal"] is None
    old = (await client.get(f"/verify/{held.superseded.code}", headers=JSON)).json()
    assert (old["status"], old["current_number"], old["current_code"]) == (
        "superseded",
        held.current.number,
        held.current.code,
    )
    assert old["current_url"] == f"http://127.0.0.1:8083/verify/{held.current.code}"
    assert (old["seal"], old["seal_checked"], valid["seal_checked"]) == (None, False, True)
    by_api = await client.get("/api/v1/verify", params={"code": held.superseded.code})
    assert by_api.json() == old


async def _get(app_client: httpx.AsyncClient, code: str, headers: dict[str, str]) -> httpx.Response:
    return await app_client.get(f"/verify/{code}", headers=headers)


async def test_a_miss_and_a_wait_are_pages_to_a_browser_and_json_to_a_client(infra):
    async with running(DEFINITION, infra) as svc:
        app = svc.http_app()
        app.state.verify_failures = FailureLimiter(limit=3, window_s=600)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as client:
            unknown = await _get(client, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", BROWSER)
            malformed = await _get(client, "not-a-code", BROWSER)
            assert unknown.status_code == malformed.status_code == 404
            assert unknown.content == malformed.content  # every miss alike
            assert unknown.headers["content-type"].startswith("text/html")
            page = _shown(unknown.text)
            assert "Tidak ditemukan" in page and "Not found" in page
            assert 'lang="id"' in unknown.text and "viewport" in unknown.text
            as_json = await _get(client, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", JSON)
            assert (as_json.status_code, as_json.json()) == (404, {"detail": NOT_FOUND})

            waiting = await _get(client, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", BROWSER)  # the fourth
            assert waiting.status_code == 429
            assert 0 < int(waiting.headers["retry-after"]) <= 600
            page = _shown(waiting.text)
            assert "Coba lagi nanti" in page
            assert f"{waiting.headers['retry-after']} detik" in page
            assert "Traceback" not in page and "detail" not in page
            as_json = await _get(client, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", JSON)
            assert as_json.status_code == 429 and "Retry-After" in as_json.headers
            assert "coba lagi dalam" in as_json.json()["detail"]


def test_the_page_holds_no_outside_asset_or_script():
    """Read on a phone with a poor connection: everything it needs is in the page."""
    from importlib import resources

    templates = resources.files("services.certification.entrypoints") / "templates"
    for template in templates.iterdir():
        text = template.read_text()
        assert "<script" not in text and "http" not in text.replace("http-equiv", ""), template
