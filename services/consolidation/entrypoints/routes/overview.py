"""The national overview: totals, one row per province, one row per publisher."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request

from services.consolidation import domain
from services.consolidation.adapters import views
from services.consolidation.entrypoints.filters import (
    AllFilters,
    check_province,
    forbidden,
    scope_of,
)
from services.consolidation.entrypoints.schemas import ProvinceRow, PublisherRow, Statistics, plain
from services.consolidation.entrypoints.tabular import FormatOf, table
from shared.auth import CurrentPrincipal
from shared.regions import PROVINCES
from shared.runtime import runtime_of

router = APIRouter()


@router.get("/api/v1/statistics", response_model=Statistics, tags=["views"])
async def statistics(
    request: Request,
    principal: CurrentPrincipal,
    given: AllFilters,
    format: FormatOf,
) -> Any:
    f = given.checked(request, principal)
    async with views.reading(runtime_of(request).pool) as conn:
        row = await views.statistics(conn, f, dt.date.today())
    stats = Statistics(
        **plain(row),
        completion_rate=domain.completion_rate(row["completed"], row["not_completed"]),
    )
    if format != "json":
        return table([stats], Statistics, format, "statistics")
    return stats


@router.get("/api/v1/provinces", response_model=list[ProvinceRow], tags=["views"])
async def provinces(
    request: Request,
    principal: CurrentPrincipal,
    given: AllFilters,
    format: FormatOf,
) -> Any:
    """One row per province (and nasional): the activity of the cohorts it organised
    (`publisher`, `category`, `region` narrow them) and the 20 JP compliance of the ASN whose
    home it is, as `/api/v1/compliance` determines it (`asn_years`: the ASN-years assessed,
    the roster's untrained included; `year`, `region` narrow them). A publisher credential
    sees its own province's row: its own cohorts, its own region's ASN."""
    f = given.checked(request, principal, province=None)  # applied below: it picks the row
    scope = scope_of(principal)
    province = given.province
    if province is not None:
        check_province(domain.EVERYTHING, province, asn_view=False)  # a code or nasional
        if not scope.sees_province_row(province):
            raise forbidden(
                f"kredensial ini tidak boleh melihat provinsi {province}",
                f"this credential may not see province {province}",
            )
    async with views.reading(runtime_of(request).pool) as conn:
        activity, compliance = await views.provinces(conn, f)
    by_activity = {r["key"]: r for r in activity}
    by_compliance = {r["province"]: r for r in compliance}
    rows = []
    for code, name in [("nasional", "Nasional (BPSDM Kemendagri)"), *PROVINCES.items()]:
        if not scope.sees_province_row(code) or province not in (None, code):
            continue
        a, c = by_activity.get(code), by_compliance.get(code)
        years, met = (c["asn_years"], c["met"]) if c else (0, 0)
        rows.append(
            ProvinceRow(
                code=code,
                name=name,
                cohorts=a["cohorts"] if a else 0,
                participants=a["participants"] if a else 0,
                completion_rate=domain.completion_rate(a["completed"], a["not_completed"])
                if a
                else None,
                asn_years=years,
                jp_compliant=met,
                jp_compliance=domain.compliance_rate(met, years),
            )
        )
    if format != "json":
        return table(rows, ProvinceRow, format, "provinces")
    return rows


@router.get("/api/v1/publishers", response_model=list[PublisherRow], tags=["views"])
async def publishers(
    request: Request,
    principal: CurrentPrincipal,
    given: AllFilters,
    format: FormatOf,
) -> Any:
    f = given.checked(request, principal)
    async with views.reading(runtime_of(request).pool) as conn:
        found = await views.publishers(conn, f)
    rows = [
        PublisherRow(
            publisher=r["key"],
            cohorts=r["cohorts"],
            participants=r["participants"],
            completion_rate=domain.completion_rate(r["completed"], r["not_completed"]),
        )
        for r in found
    ]
    if format != "json":
        return table(rows, PublisherRow, format, "publishers")
    return rows
