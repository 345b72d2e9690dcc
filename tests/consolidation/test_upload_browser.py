"""The upload page in a real headless chromium (Debian's), as a kabupaten operator uses it:
sign in as Kabupaten Tuban, follow "Unggah data", upload the templates with one NIP a digit
short and read that row's message, upload the fixed files, press "Kirim / Publish" and watch
the outcomes and the cohort's results arrive; national gets the explanation. Every page must
fit 360 and 1440 px; screenshots go to the artifacts directory (unggah-*.png)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, async_playwright

from tests.browser import ARGS, CHROMIUM, serving
from tests.consolidation.test_dashboard_browser import Offline, offline_context, shoot
from tests.consolidation.upload_support import (
    CODE,
    SHORT_NIP_MESSAGE,
    all_services,
    template_files,
    with_short_nip,
)
from tests.support import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def as_files(files: list[tuple[str, bytes]]) -> list[Any]:
    return [{"name": name, "mimeType": "text/csv", "buffer": data} for name, data in files]


async def sign_in(page: Page, base: str, token: str) -> None:
    await page.goto(f"{base}/dasbor")
    await page.fill("#kredensial", token)
    await page.click("button[type=submit].primary")
    await page.wait_for_url(f"{base}/dasbor")


async def choose_and_check(page: Page, files: list[tuple[str, bytes]]) -> None:
    await page.set_input_files("#berkas", as_files(files))
    await page.click("text=Periksa berkas")
    await page.wait_for_url("**/dasbor/unggah/*")


async def heading_once_done(page: Page) -> str | None:
    """The results' heading once the run finished; None while the page still reloads."""
    try:
        text = await page.locator("#h-hasil").inner_text(timeout=2000)
    except PlaywrightError:  # the page was reloading
        return None
    return text if text == "Selesai" else None


async def test_a_publisher_uploads_fixes_publishes_and_sees_the_outcomes(infra, artifacts):
    offline = Offline()
    async with (
        all_services(infra) as runtime,
        serving(runtime) as base,
        async_playwright() as playwright,
    ):
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await (await offline_context(browser, offline)).new_page()
            await sign_in(page, base, "tuban")
            await page.click("nav.main-nav >> text=Unggah data")
            await page.wait_for_url(f"{base}/dasbor/unggah")
            await shoot(page, artifacts, "unggah-pilih")

            await choose_and_check(page, with_short_nip(template_files()))
            problem = page.locator("table.up-problems tbody tr")
            assert await problem.count() == 1
            assert await problem.locator("td").all_inner_texts() == [
                "peserta.csv",
                "—",
                "3",
                "B (NIP)",
                SHORT_NIP_MESSAGE,
            ]
            assert await page.locator("text=Kirim / Publish").count() == 0
            await shoot(page, artifacts, "unggah-masalah")

            await choose_and_check(page, template_files())
            assert await page.locator("#h-siap").inner_text() == ("Pemeriksaan lolos: siap dikirim")
            await shoot(page, artifacts, "unggah-siap")
            await page.click("text=Kirim / Publish")
            await eventually(lambda: heading_once_done(page), 120, "the outcomes and results")
            states = await page.locator("table.up-outcomes tbody tr").evaluate_all(
                "rows => rows.map(r => r.dataset.state)"
            )
            assert states and set(states) == {"applied"}
            result = page.locator(f'section[data-cohort="{CODE}"]')
            assert await result.locator(".up-issued").inner_text() == "2"
            assert await result.locator(".up-failed").inner_text() == "1"
            await shoot(page, artifacts, "unggah-hasil")

            national = await (await offline_context(browser, offline)).new_page()
            await sign_in(national, base, "nat")
            assert await national.locator("text=Unggah data").count() == 0
            await national.goto(f"{base}/dasbor/unggah")
            assert urlsplit(national.url).path == "/dasbor/unggah"
            assert "untuk penyelenggara" in await national.locator("h2").first.inner_text()
            await shoot(national, artifacts, "unggah-nasional")
        finally:
            await browser.close()
    assert offline.blocked == []
