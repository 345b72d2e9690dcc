"""The public verification page in a real headless chromium at a phone's size (issue 20): a
valid, a revoked and a superseded certificate in Indonesian, the status banner, the link to the
current version; screenshots under the test's tmp dir (phone and desktop widths)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.browser import ARGS, CHROMIUM, serving
from tests.certification.verification_scenario import REVOKE_REASON, certificates_in_each_status

pytestmark = [pytest.mark.integration, pytest.mark.browser]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
GREEN, RED, AMBER = "rgb(21, 128, 61)", "rgb(185, 28, 28)", "rgb(180, 83, 9)"


async def _phone(browser: Browser) -> Page:
    context = await browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="id-ID"
    )
    return await context.new_page()


async def _banner(page: Page) -> tuple[str, str]:
    """The status banner's text and colour."""
    banner = page.locator("#status")
    colour = await banner.evaluate("e => getComputedStyle(e).backgroundColor")
    return await banner.inner_text(), colour


async def _fits_the_width(page: Page) -> bool:
    return bool(
        await page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


async def _shot(page: Page, path: Path) -> None:
    image = await page.screenshot(path=str(path), full_page=True)
    assert image.startswith(b"\x89PNG")


async def test_a_phone_reads_each_status_and_follows_the_current_version(infra, tmp_path):
    async with (
        certificates_in_each_status(infra) as (svc, _, held),
        serving(svc) as base,
        async_playwright() as playwright,
    ):
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await _phone(browser)
            await page.goto(f"{base}/verify/{held.valid.code}")
            text, colour = await _banner(page)
            assert text.startswith("Berlaku") and "Valid" in text and colour == GREEN
            body = await page.locator("main").inner_text()
            for shown in (held.valid.name, "1986**********1001", "Tanggal terbit", "20 JP"):
                assert shown in body, shown
            assert "Belum disegel" in body
            assert await page.locator("#credential a").is_visible()
            assert await _fits_the_width(page)
            await _shot(page, tmp_path / "valid-phone.png")

            await page.goto(f"{base}/verify/{held.revoked.code}")
            text, colour = await _banner(page)
            assert text.startswith("Dicabut") and REVOKE_REASON in text and colour == RED
            assert await page.locator("#credential").count() == 0
            await _shot(page, tmp_path / "revoked-phone.png")

            await page.goto(f"{base}/verify/{held.superseded.code}")
            text, colour = await _banner(page)
            assert text.startswith("Digantikan") and colour == AMBER
            assert await _fits_the_width(page)
            await _shot(page, tmp_path / "superseded-phone.png")
            await page.click("#current")
            await page.wait_for_url(f"{base}/verify/{held.current.code}")
            text, colour = await _banner(page)
            assert text.startswith("Berlaku") and colour == GREEN
            assert held.current.name in await page.locator("#certificate").inner_text()

            await page.goto(f"{base}/verify/ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ")
            text, _ = await _banner(page)
            assert text.startswith("Tidak ditemukan")
            await _shot(page, tmp_path / "not-found-phone.png")

            wide = await browser.new_page(viewport=DESKTOP)
            await wide.goto(f"{base}/verify/{held.valid.code}")
            await _shot(wide, tmp_path / "valid-desktop.png")
        finally:
            await browser.close()
