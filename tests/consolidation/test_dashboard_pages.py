"""The dashboard's pages and the API behind a session cookie, on the running consolidation with
the scenario published (issue 21): the cookie reads the API as its credential's bearer would,
within its area only, and the overview shows the API's figures."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from shared.formatting import number, percent
from shared.runtime import ServiceRuntime
from shared.web.session import COOKIE
from tests.consolidation.dashboard_data import seed_roster
from tests.consolidation.helpers import JAMBI, NATIONAL, client, get, scenario_running

pytestmark = pytest.mark.integration


async def sign_in(runtime: ServiceRuntime, token: str) -> httpx.AsyncClient:
    http = client(runtime)
    response = await http.post("/masuk", data={"kredensial": token, "kembali": "/dasbor"})
    assert response.status_code == 303, response.text
    assert COOKIE in http.cookies
    return http


def figure(page: str, key: str) -> str:
    found = re.search(
        rf'data-figure="{key}">.*?<span class="figure-value">([^<]*)</span>', page, re.S
    )
    assert found is not None, key
    return found.group(1)


async def test_a_session_reads_the_api_within_its_area_and_the_overview_shows_its_figures(infra):
    async with scenario_running(infra) as (runtime, http):
        await seed_roster(runtime)
        national = await sign_in(runtime, "nat")
        jambi = await sign_in(runtime, "jambi")
        try:
            for path in ("/api/v1/compliance", "/api/v1/statistics", "/api/v1/compliance/trend"):
                for session, bearer in ((national, NATIONAL), (jambi, JAMBI)):
                    by_cookie = await session.get(path, params={"year": 2024})
                    assert by_cookie.status_code == 200, by_cookie.text
                    assert by_cookie.json() == await get(http, path, bearer, year=2024)

            other = await jambi.get("/api/v1/compliance", params={"year": 2024, "province": "35"})
            assert other.status_code == 403
            page = await jambi.get("/dasbor/provinsi/35")
            assert page.status_code == 403
            assert "Akses ditolak" in page.text and "35" in page.text
            assert "Traceback" not in page.text and "detail" not in page.text

            await overview_matches_the_api(national, http, NATIONAL, "Provinsi")
            await overview_matches_the_api(jambi, http, JAMBI, "Kabupaten/kota")
        finally:
            await national.aclose()
            await jambi.aclose()


async def overview_matches_the_api(
    session: httpx.AsyncClient, http: httpx.AsyncClient, bearer: dict[str, str], parts: str
) -> None:
    page = (await session.get("/dasbor", params={"year": 2024})).text
    stats: dict[str, Any] = await get(http, "/api/v1/statistics", bearer, year=2024)
    position = {} if bearer is NATIONAL else {"province": "15"}
    totals = (await get(http, "/api/v1/compliance", bearer, year=2024, **position))["totals"]
    assert figure(page, "roster") == number(totals["roster"])
    assert figure(page, "compliance") == percent(totals["compliance_pct"])
    for key in ("met", "below", "zero", "exempt", "not_in_roster"):
        assert figure(page, key) == number(totals[key])
    assert figure(page, "participants") == number(stats["enrolled"])
    assert figure(page, "certificates") == number(stats["certificates_issued"])
    assert f"{parts} menurut kepatuhan" in page
