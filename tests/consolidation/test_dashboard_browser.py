"""The dashboard in a real headless chromium: token, province table from the API, drill-down."""

from __future__ import annotations

import pytest
from playwright.async_api import async_playwright

from tests.browser import ARGS, CHROMIUM, serving
from tests.consolidation import scenario
from tests.consolidation.helpers import get, scenario_running

pytestmark = [pytest.mark.integration, pytest.mark.browser]


async def test_dashboard_shows_api_numbers_and_drills_down_to_participants(infra, artifacts):
    async with (
        scenario_running(infra) as (runtime, http),
        serving(runtime) as base,
        async_playwright() as playwright,
    ):
        expected = {p["code"]: p for p in await get(http, "/api/v1/provinces", year=2024)}
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 1400})
            await page.goto(f"{base}/dashboard")
            await page.fill("#token", "nat")
            await page.fill("#year", "2024")
            await page.click("#load")
            row = page.locator('tr[data-province="15"]')
            await row.wait_for()
            for code in ("15", "35", "nasional"):
                cells = page.locator(f'tr[data-province="{code}"]')
                assert await cells.locator(".cohorts").inner_text() == str(
                    expected[code]["cohorts"]
                )
                assert await cells.locator(".participants").inner_text() == str(
                    expected[code]["participants"]
                )
            assert await row.locator(".compliance").inner_text() == "50.0%"
            assert await row.locator(".completion").inner_text() == "100.0%"
            await page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)

            await page.click('a.province[data-code="35"]')
            await page.click('a.publisher[data-id="35.23"]')
            await page.click(f'a.cohort[data-code="{scenario.T1}"]')
            await page.locator("tr.participant").first.wait_for()
            text = await page.locator("#view").inner_text()
            assert scenario.NIP["B"] in text and scenario.NIP["E"] in text
            assert await page.locator("tr.participant").count() == 2
            assert await page.evaluate("localStorage.getItem('diklat.token')") == "nat"
            await page.screenshot(path=str(artifacts / "dashboard-participants.png"))
        finally:
            await browser.close()
