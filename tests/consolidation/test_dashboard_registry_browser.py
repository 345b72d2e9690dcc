"""The cohorts, registry and data-quality pages in a real headless chromium (issue 21), every
request leaving the loopback blocked: a cohort's failed participant and why, the registry
searched by a name and by a number, data quality with its chart, a CSV downloaded from its
button; each page fits 360 and 1440 px (screenshots in the artifacts directory); another
publisher's cohort is refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright

from services.consolidation.settings import dashboard_settings
from tests.browser import ARGS, CHROMIUM, serving
from tests.consolidation import scenario
from tests.consolidation.helpers import scenario_running
from tests.consolidation.test_dashboard_browser import Offline, offline_context, shoot, sign_in

pytestmark = [pytest.mark.integration, pytest.mark.browser]


async def texts(page: Page, selector: str) -> list[str]:
    found: list[str] = await page.locator(selector).evaluate_all(
        "rows => rows.map(r => r.dataset.number || r.dataset.nip || r.dataset.cohort)"
    )
    return found


async def a_failed_participant_and_why(page: Page, base: str, artifacts: Path) -> None:
    await page.goto(f"{base}/dasbor/kelas?year=2024")
    closed = page.locator(f'tr[data-cohort="{scenario.N1}"] .state')
    assert await closed.inner_text() == "Ditutup"
    await shoot(page, artifacts, "kelas")
    await page.click(f'tr[data-cohort="{scenario.N1}"] th a')
    await page.wait_for_url(f"{base}/dasbor/kelas/{scenario.N1}")
    cahyo = page.locator(f'tr[data-nip="{scenario.NIP["C"]}"] .result')
    for width in (360, 1440):
        await page.set_viewport_size({"width": width, "height": 900})
        assert await cahyo.locator(".verdict").inner_text() == "Tidak lulus"
        assert await cahyo.locator(".why").inner_text() == "kehadiran 70% di bawah 80%"
        await cahyo.locator(".why").scroll_into_view_if_needed()
        assert await cahyo.locator(".why").is_visible()
    link = page.locator(f'tr[data-nip="{scenario.NIP["A"]}"] a')
    assert await link.get_attribute("href") == dashboard_settings().verification_url("V0")
    await shoot(page, artifacts, "kelas-peserta")


async def the_registry_by_name_and_number(page: Page, base: str, artifacts: Path) -> None:
    await page.goto(f"{base}/dasbor/sertifikat")
    await page.fill("#q", "Siti")
    await page.click("form.search button[type=submit]")
    await page.wait_for_url(f"{base}/dasbor/sertifikat?q=Siti*")
    by_name = await texts(page, "table.certificates tbody tr[data-number]")
    assert sorted(by_name) == ["800/1/BPSDM/2024", "800/2/BPSDM/2024"]
    await shoot(page, artifacts, "sertifikat")
    await page.fill("#q", "800/3/BPSDM/2024")
    await page.click("form.search button[type=submit]")
    await page.wait_for_url(f"{base}/dasbor/sertifikat?q=800*")
    assert await texts(page, "table.certificates tbody tr[data-number]") == ["800/3/BPSDM/2024"]
    holder = page.locator('tr[data-number="800/3/BPSDM/2024"] td').first
    assert "Budi Santoso" in await holder.inner_text()


async def data_quality_and_its_csv(page: Page, base: str, artifacts: Path) -> None:
    await page.goto(f"{base}/dasbor/kualitas-data")
    await page.locator("#grafik-kualitas svg").wait_for()
    fixer = page.locator('[data-reason="QUOTA_FULL"] .fixer')
    assert await fixer.inner_text() == "Penyelenggara"
    await shoot(page, artifacts, "kualitas-data")
    async with page.expect_download() as started:
        await page.click("section[aria-labelledby=h-penyelenggara] a[data-format=csv]")
    download = await started.value
    saved = await download.path()
    lines = (await asyncio.to_thread(Path(saved).read_text, encoding="utf-8")).splitlines()
    assert lines == [
        "publisher,applied,duplicate,parked,rejected,reason,n",
        "15,3,0,0,1,QUOTA_FULL,1",
    ]


async def test_cohorts_registry_and_data_quality_in_a_browser(infra, artifacts):
    offline = Offline()
    async with (
        scenario_running(infra) as (runtime, _),
        serving(runtime) as base,
        async_playwright() as playwright,
    ):
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            national = await (await offline_context(browser, offline)).new_page()
            await sign_in(national, base, "nat")
            await a_failed_participant_and_why(national, base, artifacts)
            await the_registry_by_name_and_number(national, base, artifacts)
            await data_quality_and_its_csv(national, base, artifacts)

            jambi = await (await offline_context(browser, offline)).new_page()
            await sign_in(jambi, base, "jambi")
            refused = await jambi.goto(f"{base}/dasbor/kelas/{scenario.T1}")
            assert refused is not None and refused.status == 403
            assert "Akses ditolak" in await jambi.locator("h1").inner_text()
            await jambi.goto(f"{base}/dasbor/kelas")
            assert sorted(await texts(jambi, "table.cohorts tbody tr[data-cohort]")) == sorted(
                [scenario.J1, scenario.J2]
            )
        finally:
            await browser.close()
    assert offline.blocked == []
