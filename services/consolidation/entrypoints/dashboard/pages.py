"""The dashboard's routes: the overview at `/dasbor` (`/` and `/dashboard` lead there), the
same picture of one province or kabupaten/kota, and the dashboard's own assets (styles, script,
the vendored ECharts) from the package."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from services.consolidation.entrypoints.dashboard import links
from services.consolidation.entrypoints.dashboard.atrisk import Position, place, top_of
from services.consolidation.entrypoints.dashboard.data import Reader
from services.consolidation.entrypoints.dashboard.overview import overview
from services.consolidation.entrypoints.dashboard.words import STANDINGS, said
from shared.web.signin import page_principal
from shared.web.templating import Pages, environment

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).parent / "static"
# The only files served from STATIC, with their media types.
ASSETS = {
    "dasbor.css": "text/css",
    "dasbor.js": "text/javascript",
    "asn.js": "text/javascript",
    "vendor/echarts/echarts.min.js": "text/javascript",
}


@functools.cache
def pages() -> Pages:
    return Pages(environment("services.consolidation.entrypoints.dashboard"))


@router.get("/")
@router.get("/dashboard")
async def old_addresses(request: Request) -> Response:
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(links.HOME + query, status_code=307)


Year = Annotated[str | None, Query(max_length=10)]


@router.get(links.HOME)
async def overview_page(request: Request, year: Year = None) -> Response:
    return await _overview(request, year)


@router.get("/dasbor/provinsi/{code}")
async def province_page(request: Request, code: str, year: Year = None) -> Response:
    """A province's overview (the next step adds its at-risk list and agencies)."""
    return await _overview(request, year, province=code)


@router.get("/dasbor/wilayah/{code}")
async def region_page(request: Request, code: str, year: Year = None) -> Response:
    """A kabupaten/kota's overview (the next step adds its at-risk list)."""
    return await _overview(request, year, region=code)


async def _overview(
    request: Request, year: str | None, province: str | None = None, region: str | None = None
) -> Response:
    principal = page_principal(request)
    reader = Reader(request, principal)
    page = await overview(reader, year, dt.date.today(), province, region)
    at = Position(page.year, page.province, page.region)
    return pages().render(
        request,
        "ringkasan.html",
        {
            "page": page,
            # A province's or a kabupaten/kota's largest shortfalls (not the nation's).
            "top": await top_of(reader, at) if page.province or page.region else None,
            "standing": lambda code: said(STANDINGS, code),
            "place": place,
            "risk_href": links.at_risk(page.year, page.province, page.region),
            "cohorts_href": links.cohorts(page.year),
            "certificates_href": links.certificates(page.year),
            "quality_href": links.data_quality(page.region or page.province),
        },
    )


@router.get("/dasbor/aset/{name:path}")
async def asset(name: str) -> Response:
    if name not in ASSETS:
        raise HTTPException(404, "tidak ada / not found")
    return FileResponse(
        STATIC / name, media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=3600"}
    )
