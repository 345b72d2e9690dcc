"""The drill-down's lower levels: the at-risk list at every level (`/dasbor/berisiko`), one
agency (`/dasbor/wilayah/{code}/instansi/{agency}`) and one ASN (`/dasbor/asn/{nip}`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.consolidation.entrypoints.dashboard import atrisk, links
from services.consolidation.entrypoints.dashboard.atrisk import OverviewLinks, Position, Step
from services.consolidation.entrypoints.dashboard.data import Reader
from services.consolidation.entrypoints.dashboard.overview import chosen_year
from services.consolidation.entrypoints.dashboard.pages import pages
from services.consolidation.entrypoints.dashboard.person import asn_page
from services.consolidation.entrypoints.dashboard.words import (
    CERTIFICATE_STATUSES_IN_FULL,
    COUNTED,
    REASONS,
    STANDINGS,
    said,
)
from services.consolidation.entrypoints.schemas import AtRiskRow, ComplianceSummary
from shared.regions import region_name
from shared.web.signin import page_principal

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=200)]
Short = Annotated[str | None, Query(max_length=20)]
WORDS = {
    "standing": lambda code: said(STANDINGS, code),
    "reason": lambda code: said(REASONS, code),
    "counted": lambda code: said(COUNTED, code),
    "certificate_status": lambda code: said(CERTIFICATE_STATUSES_IN_FULL, code),
    "place": atrisk.place,
}


@router.get("/dasbor/berisiko")
async def at_risk_page(
    request: Request,
    year: Short = None,
    province: Short = None,
    region: Short = None,
    agency: Text = None,
    sort: Short = None,
    page: Short = None,
) -> Response:
    """The ASN below the minimum or at zero JP at the position asked for, paged."""
    reader = Reader(request, page_principal(request))
    found = await atrisk.at_risk_list(
        reader, (year, province, region, agency), sort, page, dt.date.today()
    )
    context = {"list": found, "sorts": atrisk.SORTS, **WORDS}
    return pages().render(request, "berisiko.html", context)


@dataclass(frozen=True)
class AgencyPage:
    at: Position
    years: list[int]
    summary: ComplianceSummary
    top: list[AtRiskRow]
    trail: list[Step]
    region_name: str

    @property
    def risk_href(self) -> str:
        return links.at_risk(self.at.year, None, self.at.region, self.at.agency)

    def downloads(self) -> list[tuple[str, str, str]]:
        return atrisk.downloads(self.at)


@router.get("/dasbor/wilayah/{code}/instansi/{agency}")
async def agency_page(request: Request, code: str, agency: str, year: Short = None) -> Response:
    """One agency of a kabupaten/kota (or of a province): its counts, units and at-risk ASN."""
    reader = Reader(request, page_principal(request))
    today = dt.date.today()
    trend = await reader.trend(region=code)
    at = Position(chosen_year(year, trend, today), None, code, agency)
    found = AgencyPage(
        at=at,
        years=sorted({*(r.year for r in trend), at.year, today.year}, reverse=True),
        summary=await reader.agency(at.year, code, agency),
        top=await atrisk.top_of(reader, at),
        trail=atrisk.trail(reader.principal, at, OverviewLinks),
        region_name=region_name(code),
    )
    return pages().render(request, "instansi.html", {"agency": found, **WORDS})


@router.get("/dasbor/asn/{nip}")
async def person_page(request: Request, nip: str, year: Short = None) -> Response:
    """One ASN, for a credential whose area holds the ASN's home region (else the 403 page)."""
    reader = Reader(request, page_principal(request))
    found = await asn_page(reader, nip, year, dt.date.today())
    return pages().render(request, "asn.html", {"person": found, **WORDS})
