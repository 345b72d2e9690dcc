"""The dashboard in a real headless chromium (issue 21), with every request that leaves the
loopback blocked: sign in as national and as a publisher, the overview's figures against the
API's, the charts drawn, no horizontal scroll at 360 and 1440 px, a visible keyboard focus, the
other region's page refused, and /docs and /redoc rendered from local assets. Screenshots of
each page at both widths go to the artifacts directory."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route, async_playwright

from services.consolidation.entrypoints.dashboard import atrisk
from shared.formatting import number, percent
from tests.browser import ARGS, CHROMIUM, serving
from tests.consolidation import scenario
from tests.consolidation.dashboard_data import seed_roster
from tests.consolidation.helpers import JAMBI, NATIONAL, get, scenario_running
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.browser]
WIDTHS = (360, 1440)


class Offline:
    """Aborts every request for a host other than the loopback, and remembers it."""

    def __init__(self) -> None:
        self.blocked: list[str] = []

    async def route(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            await route.continue_()
        else:
            self.blocked.append(route.request.url)
            await route.abort()


async def offline_context(browser: Browser, offline: Offline) -> BrowserContext:
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    await context.route("**/*", offline.route)
    return context


async def sign_in(page: Page, base: str, token: str) -> None:
    await page.goto(f"{base}/dasbor?year=2024")
    assert urlsplit(page.url).path == "/masuk"
    await page.fill("#kredensial", token)
    await page.click("button[type=submit].primary")
    await page.wait_for_url(f"{base}/dasbor?year=2024")


async def no_horizontal_scroll(page: Page) -> bool:
    width: bool = await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    return width


async def fits_soon(page: Page, width: int) -> None:
    """The page fits its width once the charts' resize handlers have run (polled with a
    deadline from outside the page: its CSP forbids the evaluated predicates of
    `wait_for_function`)."""
    await eventually(lambda: no_horizontal_scroll(page), 10, f"no sideways scroll at {width} px")


async def shoot(page: Page, folder: Path, name: str) -> None:
    """The page at each width, whole; the page must fit each width without a sideways scroll."""
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900})
        await fits_soon(page, width)
        await page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    await page.set_viewport_size({"width": 1440, "height": 900})


async def figure(page: Page, key: str) -> str:
    text: str = await page.locator(f'[data-figure="{key}"] .figure-value').inner_text()
    return text


async def overview_shows(page: Page, summary: dict[str, Any], stats: dict[str, Any]) -> None:
    totals = summary["totals"]
    assert await figure(page, "roster") == number(totals["roster"])
    assert await figure(page, "compliance") == percent(totals["compliance_pct"])
    for key in ("met", "below", "zero", "exempt", "not_in_roster"):
        assert await figure(page, key) == number(totals[key])
    assert await figure(page, "participants") == number(stats["enrolled"])
    assert await figure(page, "certificates") == number(stats["certificates_issued"])
    rows = page.locator("table.ranking tbody tr[data-part]")
    assert await rows.count() == len(summary["rows"])
    for row in summary["rows"]:
        cell = page.locator(f'table.ranking tr[data-part="{row["key"]}"] .compliance')
        assert await cell.inner_text() == percent(row["compliance_pct"])
    await page.locator("#grafik-peringkat svg").wait_for()
    await page.locator("#grafik-tren svg").wait_for()


async def test_dashboard_signed_in_as_national_and_as_a_publisher(infra, artifacts):
    offline = Offline()
    async with (
        scenario_running(infra) as (runtime, http),
        serving(runtime) as base,
        async_playwright() as playwright,
    ):
        await seed_roster(runtime)
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            national = await (await offline_context(browser, offline)).new_page()
            await national.goto(f"{base}/masuk")
            await shoot(national, artifacts, "masuk")
            await sign_in(national, base, "nat")
            await overview_shows(
                national,
                await get(http, "/api/v1/compliance", NATIONAL, year=2024),
                await get(http, "/api/v1/statistics", NATIONAL, year=2024),
            )
            assert await national.evaluate("localStorage.length") == 0
            await shoot(national, artifacts, "ringkasan-nasional")
            await national.keyboard.press("Tab")
            focused = "getComputedStyle(document.activeElement).outlineStyle"
            assert await national.evaluate(focused) == "solid"

            await national.click('table.ranking tr[data-part="15"] a')
            await national.wait_for_url(f"{base}/dasbor/provinsi/15?year=2024")
            assert "Provinsi Jambi" in await national.locator("h1").inner_text()
            trail = national.locator("nav.trail a")
            assert await trail.all_inner_texts() == ["Nasional", "Jambi"]
            assert await trail.last.get_attribute("aria-current") == "page"
            await shoot(national, artifacts, "provinsi-15")

            await national.click("text=English")
            assert "20 JP compliance" in await national.locator("h1").inner_text()
            await national.click("text=Bahasa Indonesia")

            await national.goto(f"{base}/docs")
            await national.locator(".swagger-ui .info .title").wait_for()
            assert (
                "consolidation" in await national.locator(".swagger-ui .info .title").inner_text()
            )
            await national.locator(".opblock").first.wait_for()
            await shoot(national, artifacts, "docs")
            await national.goto(f"{base}/redoc")
            await national.locator("h1:has-text('consolidation')").wait_for()
            await national.screenshot(path=str(artifacts / "redoc-1440.png"))

            jambi = await (await offline_context(browser, offline)).new_page()
            await sign_in(jambi, base, "jambi")
            assert "Provinsi Jambi" in await jambi.locator("h1").inner_text()
            await overview_shows(
                jambi,
                await get(http, "/api/v1/compliance", JAMBI, year=2024, province="15"),
                await get(http, "/api/v1/statistics", JAMBI, year=2024),
            )
            await shoot(jambi, artifacts, "ringkasan-jambi")
            refused = await jambi.goto(f"{base}/dasbor/provinsi/35")
            assert refused is not None and refused.status == 403
            assert "Akses ditolak" in await jambi.locator("h1").inner_text()
            await shoot(jambi, artifacts, "ditolak")

            await jambi.click("text=Keluar")
            await jambi.wait_for_url(f"{base}/masuk")
            await jambi.goto(f"{base}/dasbor")
            assert urlsplit(jambi.url).path == "/masuk"
        finally:
            await browser.close()
    assert offline.blocked == []


async def drill_down_to_a_below_minimum_asn(page: Page, base: str) -> str:
    """From the overview by clicking: a province, a kabupaten/kota, its at-risk list, the
    first ASN below the minimum (not at zero). The ASN's NIP."""
    await page.goto(f"{base}/dasbor?year=2024")
    await page.click('table.ranking tr[data-part="35"] a')
    await page.wait_for_url(f"{base}/dasbor/provinsi/35?year=2024")
    await page.click('table.ranking tr[data-part="35.78"] a')
    await page.wait_for_url(f"{base}/dasbor/wilayah/35.78?year=2024")
    await page.click('a[data-link="all-at-risk"]')
    await page.wait_for_url("**/dasbor/berisiko?**")
    below = page.locator('table.risk-table tr[data-standing="BELOW"]').first
    nip = await below.get_attribute("data-nip")
    assert nip is not None
    assert await below.locator(".standing").inner_text() == "Di bawah minimum"
    await below.locator("th a").click()
    await page.wait_for_url(f"{base}/dasbor/asn/{nip}")
    assert await page.locator('[data-fact="standing"]').inner_text() == "Di bawah minimum"
    await page.locator("#grafik-jp svg").wait_for()
    return nip


async def csv_downloaded(page: Page) -> list[dict[str, str]]:
    """The rows of the CSV the page's "Unduh CSV" button downloads."""
    async with page.expect_download() as download_info:
        await page.click("text=Unduh CSV")
    download = await download_info.value
    text = await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


async def next_page_by_keyboard(page: Page) -> None:
    """Tab to the pager's "next" link and follow it with Enter."""
    following = page.locator('.pager a[rel="next"]')
    for _ in range(100):
        await page.keyboard.press("Tab")
        if await following.evaluate("link => link === document.activeElement"):
            break
    else:
        raise AssertionError("the next page's link is not reachable by keyboard")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**page=2**")


async def filter_and_download(page: Page, base: str, http: Any, artifacts: Path) -> None:
    """The national at-risk list paged by keyboard, narrowed with the form to Tuban, and
    downloaded at each width."""
    await page.goto(f"{base}/dasbor/berisiko?year=2024")
    await shoot(page, artifacts, "berisiko-nasional")
    await next_page_by_keyboard(page)
    current = page.locator('.pager a[aria-current="page"]')
    assert await current.inner_text() == "2"
    api = await get(http, "/api/v1/compliance/at-risk", NATIONAL, year=2024, limit=5, offset=5)
    rows = page.locator("table.risk-table tr[data-nip]")
    assert await rows.evaluate_all("rows => rows.map(r => r.dataset.nip)") == [
        r["nip"] for r in api["items"]
    ]
    await page.select_option("#f-province", "35")
    await page.click(".filters button[type=submit]")
    await page.wait_for_url("**province=35**")
    await page.select_option("#f-region", "35.23")
    await page.click(".filters button[type=submit]")
    await page.wait_for_url("**region=35.23**")
    await shoot(page, artifacts, "berisiko-35.23")
    api = await get(http, "/api/v1/compliance/at-risk", NATIONAL, year=2024, region="35.23")
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900})
        rows = await csv_downloaded(page)
        assert [r["nip"] for r in rows] == [r["nip"] for r in api["items"]]
        assert [float(r["shortfall"]) for r in rows] == [r["shortfall"] for r in api["items"]]


async def region_and_agency_pages(page: Page, base: str, artifacts: Path) -> None:
    await page.goto(f"{base}/dasbor/wilayah/35.23?year=2024")
    await shoot(page, artifacts, "wilayah-35.23")
    await page.click("table.ranking tr[data-part] a")
    await page.wait_for_url("**/dasbor/wilayah/35.23/instansi/**")
    assert await page.locator("table.risk-table tr[data-nip]").count() > 0
    await shoot(page, artifacts, "instansi")


async def test_dashboard_drill_down_to_one_asn_and_download_the_at_risk_list(
    infra, artifacts, monkeypatch
):
    monkeypatch.setattr(atrisk, "PAGE_SIZE", 5)  # a list of a few pages from the small seed
    offline = Offline()
    async with (
        scenario_running(infra) as (runtime, http),
        serving(runtime) as base,
        async_playwright() as playwright,
    ):
        await seed_roster(runtime)
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await (await offline_context(browser, offline)).new_page()
            await sign_in(page, base, "nat")
            for width in WIDTHS:
                await page.set_viewport_size({"width": width, "height": 900})
                nip = await drill_down_to_a_below_minimum_asn(page, base)
                await fits_soon(page, width)
                api = await get(http, f"/api/v1/compliance/asn/{nip}", NATIONAL, year=2024)
                assert api["standing"] == "BELOW"
            await shoot(page, artifacts, "asn-di-bawah")
            await region_and_agency_pages(page, base, artifacts)
            await filter_and_download(page, base, http, artifacts)

            met = scenario.NIP["B"]
            await page.goto(f"{base}/dasbor/asn/{met}?year=2024")
            await page.locator("#grafik-jp svg").wait_for()
            await shoot(page, artifacts, "asn-memenuhi")
            await page.click("text=English")
            await page.locator("#grafik-jp svg").wait_for()
            assert await page.locator("#h-years").inner_text() == "JP per year against the minimum"
            assert await page.locator('[data-fact="reason"]').inner_text() == "Minimum JP met"
            await shoot(page, artifacts, "asn-en")
            await page.click("text=Bahasa Indonesia")
            jambi = await (await offline_context(browser, offline)).new_page()
            await sign_in(jambi, base, "jambi")
            refused = await jambi.goto(f"{base}/dasbor/asn/{met}")
            assert refused is not None and refused.status == 403
            assert "Akses ditolak" in await jambi.locator("h1").inner_text()
        finally:
            await browser.close()
    assert offline.blocked == []
