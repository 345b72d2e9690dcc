"""The dashboard's pages in Debian's chromium (issue 21): signed in once, each page loaded
`LOADS` times; the first contentful paint from the page's own paint timing, which counts from
the navigation's start and so includes the server's answer."""

from __future__ import annotations

import time
from typing import Any

from playwright.async_api import Page, async_playwright

from bench.figures import percentiles
from tests.browser import ARGS, CHROMIUM

LOADS = 10
FCP = "performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)[0] ?? null"
# When the page's first byte arrived: the server's share of the first paint.
FIRST_BYTE = "performance.getEntriesByType('navigation')[0].responseStart"


async def first_paints(base: str, token: str, pages: dict[str, str]) -> dict[str, Any]:
    """{page name: {path, p50_ms, p95_ms, max_ms}} for each dashboard path (relative to base)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1440, "height": 900})
            page = await context.new_page()
            await sign_in(page, base, token)
            return {name: await _loads(page, base, path) for name, path in pages.items()}
        finally:
            await browser.close()


async def sign_in(page: Page, base: str, token: str) -> None:
    await page.goto(f"{base}/masuk")
    await page.fill("#kredensial", token)
    await page.click("button[type=submit].primary")
    await page.wait_for_url(lambda url: "/masuk" not in url)


class NotPainted(Exception):
    """A page that did not answer 200 or did not paint: reported, the other pages go on."""


async def _loads(page: Page, base: str, path: str) -> dict[str, Any]:
    try:
        took = [await _first_paint(page, base + path) for _ in range(LOADS)]
    except NotPainted as failed:
        return {"path": path, "failed": str(failed)}
    cuts = percentiles([paint for paint, _ in took])
    first_byte = percentiles([byte for _, byte in took])
    return {
        "path": path,
        "p50_ms": round(cuts["p50"], 1),
        "p95_ms": round(cuts["p95"], 1),
        "max_ms": round(cuts["max"], 1),
        "first_byte_p50_ms": round(first_byte["p50"], 1),
    }


async def _first_paint(page: Page, url: str) -> tuple[float, float]:
    """(first contentful paint, first byte) in ms from the navigation's start."""
    response = await page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        status = None if response is None else response.status
        raise NotPainted(f"HTTP {status}")
    deadline = time.monotonic() + 10
    while (painted := await page.evaluate(FCP)) is None:
        if time.monotonic() > deadline:
            raise NotPainted("no first contentful paint within 10 s")
        await page.wait_for_timeout(20)
    return float(painted), float(await page.evaluate(FIRST_BYTE))
