"""The at-risk list, one agency's and one ASN's pages (issue 21) on the running consolidation
with the scenario and a roster: the lists are the API's, in its order, sorted and paged; the
downloads are the API's files; the ASN page gives each training's verdict and links each
certificate to its verification page; a publisher is refused another region's by URL."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from lxml import html

from services.consolidation.entrypoints.dashboard import atrisk
from services.consolidation.settings import DashboardSettings
from shared.formatting import jp, number, percent
from tests.consolidation import scenario
from tests.consolidation.dashboard_data import AGENCIES, seed_roster
from tests.consolidation.helpers import JAMBI, NATIONAL, get, scenario_running
from tests.consolidation.test_dashboard_pages import sign_in

pytestmark = pytest.mark.integration
TUBAN = "35.23"


async def page_of(session: httpx.AsyncClient, path: str, **params: Any) -> html.HtmlElement:
    response = await session.get(path, params=params)
    assert response.status_code == 200, response.text
    assert "Traceback" not in response.text
    return html.fromstring(response.text)


def one(element: html.HtmlElement, xpath: str) -> html.HtmlElement:
    (found,) = element.xpath(xpath)
    return found


def listed(page: html.HtmlElement) -> list[tuple[str, str, str]]:
    """(NIP, shortfall, status words) of each row of the page's at-risk table."""
    return [
        (
            row.get("data-nip"),
            one(row, ".//td[contains(@class, 'shortfall')]").text_content().strip(),
            one(row, ".//span[contains(@class, 'standing')]").text_content().strip(),
        )
        for row in page.xpath("//table[contains(@class, 'risk-table')]/tbody/tr[@data-nip]")
    ]


def expected(items: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    words = {"BELOW": "Di bawah minimum", "ZERO": "Nol JP"}
    return [(r["nip"], jp(r["shortfall"]), words[r["standing"]]) for r in items]


async def test_the_at_risk_list_is_the_apis_sorted_paged_and_downloadable(infra, monkeypatch):
    monkeypatch.setattr(atrisk, "PAGE_SIZE", 5)
    async with scenario_running(infra) as (runtime, http):
        await seed_roster(runtime)
        national = await sign_in(runtime, "nat")
        try:
            for sort in ("shortfall", "jp", "name"):
                api = await get(http, "/api/v1/compliance/at-risk", NATIONAL, year=2024,
                                sort=sort, limit=1000)  # fmt: skip
                assert api["total"] > 10
                if sort == "jp":
                    assert [r["jp"] for r in api["items"]] == sorted(r["jp"] for r in api["items"])
                shown: list[tuple[str, str, str]] = []
                for number_ in range(1, 1 + (api["total"] + 4) // 5):
                    page = await page_of(national, "/dasbor/berisiko", year=2024, sort=sort,
                                         page=number_)  # fmt: skip
                    current = page.xpath("//nav[@class='pager']//a[@aria-current='page']")
                    assert [a.text_content() for a in current] == [str(number_)]
                    shown += listed(page)
                assert shown == expected(api["items"]), sort

            page = await page_of(national, "/dasbor/berisiko", year=2024, region=TUBAN)
            tuban = await get(http, "/api/v1/compliance/at-risk", NATIONAL, year=2024,
                              region=TUBAN)  # fmt: skip
            assert listed(page) == expected(tuban["items"][:5])
            crumbs = [a.text_content() for a in page.xpath("//nav[@class='trail']//a")]
            assert crumbs == ["Nasional", "Jawa Timur", "Kabupaten Tuban"]
            assert f"{number(tuban['total'])} ASN" in one(page, "//*[@id='h-list']").text_content()

            files = {
                a.text_content(): a.get("href") for a in page.xpath("//div[@class='downloads']/a")
            }
            assert set(files) == {"Unduh CSV", "Unduh XLSX", "Ekspor SIASN (CSV)",
                                  "Ekspor SIASN (XLSX)"}  # fmt: skip
            download = await national.get(files["Unduh CSV"])
            assert download.status_code == 200
            rows = list(csv.DictReader(io.StringIO(download.text)))
            assert [r["nip"] for r in rows] == [r["nip"] for r in tuban["items"]]
            assert {r["standing"] for r in rows} <= {"BELOW", "ZERO"}
            xlsx = await national.get(files["Unduh XLSX"])
            assert xlsx.content.startswith(b"PK")
            siasn = await national.get(files["Ekspor SIASN (CSV)"])
            assert siasn.status_code == 200 and siasn.text.startswith("nip,jenisDiklatId,")
        finally:
            await national.aclose()


async def test_a_publisher_sees_its_own_area_and_is_refused_another_by_url(infra):
    async with scenario_running(infra) as (runtime, http):
        await seed_roster(runtime)
        jambi = await sign_in(runtime, "jambi")
        try:
            page = await page_of(jambi, "/dasbor/berisiko", year=2024)
            api = await get(http, "/api/v1/compliance/at-risk", JAMBI, year=2024, province="15")
            assert listed(page) == expected(api["items"][: atrisk.PAGE_SIZE])
            assert (
                page.xpath("//*[@id='f-province']") == []
            )  # a publisher has no province to choose
            for path in (
                f"/dasbor/berisiko?year=2024&region={TUBAN}",
                f"/dasbor/wilayah/{TUBAN}/instansi/{quote(AGENCIES[TUBAN])}",
                f"/dasbor/asn/{scenario.NIP['B']}",
            ):
                refused = await jambi.get(path)
                assert refused.status_code == 403, path
                shown = one(html.fromstring(refused.text), "//main").text_content()
                assert "Akses ditolak" in shown and scenario.NIP["B"] not in shown
            own = await jambi.get(f"/dasbor/asn/{scenario.NIP['A']}?year=2024")
            assert own.status_code == 200
            unknown = await jambi.get("/dasbor/asn/199901012020121999")
            assert unknown.status_code == 404 and "ASN tidak dikenal" in unknown.text
            anonymous = await http.get(f"/dasbor/asn/{scenario.NIP['A']}")
            assert anonymous.status_code == 303
            assert anonymous.headers["location"].startswith("/masuk?kembali=")
        finally:
            await jambi.aclose()


async def test_the_agency_and_region_pages_show_their_counts_and_largest_shortfalls(infra):
    async with scenario_running(infra) as (runtime, http):
        await seed_roster(runtime)
        national = await sign_in(runtime, "nat")
        try:
            agency = AGENCIES[TUBAN]
            page = await page_of(national, f"/dasbor/wilayah/{TUBAN}/instansi/{quote(agency)}",
                                 year=2024)  # fmt: skip
            api = await get(http, "/api/v1/compliance", NATIONAL, year=2024, region=TUBAN,
                            agency=agency)  # fmt: skip
            totals = api["totals"]
            for key in ("roster", "met", "below", "zero", "exempt"):
                value = one(
                    page, f"//*[@data-figure='{key}']/span[@class='figure-value']"
                ).text_content()
                assert value == number(totals[key]), key
            compliance = one(page, "//*[@data-figure='compliance']/span[@class='figure-value']")
            assert compliance.text_content() == percent(totals["compliance_pct"])
            top = await get(http, "/api/v1/compliance/at-risk", NATIONAL, year=2024,
                            region=TUBAN, agency=agency, limit=10)  # fmt: skip
            assert listed(page) == expected(top["items"])
            crumbs = [a.text_content() for a in page.xpath("//nav[@class='trail']//a")]
            assert crumbs == ["Nasional", "Jawa Timur", "Kabupaten Tuban", agency]

            region = await page_of(national, f"/dasbor/wilayah/{TUBAN}", year=2024)
            assert listed(region) == expected(top["items"])
            ranked = region.xpath("//table[@class='ranking']//tr[@data-part]//a")
            assert [a.text_content() for a in ranked] == [agency]
            province = await page_of(national, "/dasbor/provinsi/35", year=2024)
            names = [
                a.text_content()
                for a in province.xpath("//table[@class='ranking']//tr[@data-part]//a")
            ]
            assert sorted(names) == ["Kabupaten Tuban", "Kota Surabaya"]
        finally:
            await national.aclose()


async def test_the_asn_page_explains_each_training_and_links_its_certificates(infra):
    async with scenario_running(infra) as (runtime, http):
        await seed_roster(runtime)
        national = await sign_in(runtime, "nat")
        try:
            nip = scenario.NIP["B"]  # 28 JP: Jambi's J1 and Tuban's T1 (revoked certificate)
            page = await page_of(national, f"/dasbor/asn/{nip}", year=2024)
            api = await get(http, f"/api/v1/compliance/asn/{nip}", NATIONAL, year=2024)
            assert one(page, "//*[@data-fact='jp']").text_content().startswith(jp(api["jp"]))
            trainings = page.xpath("//li[contains(@class, 'training ')]")
            assert [li.get("data-cohort") for li in trainings] == [
                p["cohort_code"] for p in api["provenance"]
            ]
            for li, p in zip(trainings, api["provenance"], strict=True):
                assert p["why_id"] in one(li, ".//*[@data-why]").text_content()
            certificates = await get(http, "/api/v1/certificates", NATIONAL, nip=nip)
            links = {
                row.get("data-certificate"): row.xpath(".//a[@data-verify]")
                for row in page.xpath("//table[contains(@class, 'certificates')]/tbody/tr")
            }
            settings = DashboardSettings()
            for c in certificates["items"]:
                assert c["verification_code"]
                (link,) = links[c["number"]]
                assert link.get("href") == settings.verification_url(c["verification_code"])
            years = page.xpath("//tr[@data-year]")
            assert "2024" in [tr.get("data-year") for tr in years]

            failed = await page_of(national, f"/dasbor/asn/{scenario.NIP['E']}", year=2024)
            verdicts = one(failed, f"//li[@data-cohort='{scenario.T1}']")
            assert "Tidak dihitung: tidak lulus" in verdicts.text_content()
            reason = one(failed, "//*[@data-fact='reason']").text_content()
            assert "Tidak ada pelatihan yang dihitung" in reason and "No training" in reason
        finally:
            await national.aclose()
