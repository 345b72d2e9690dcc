"""20 JP compliance over the whole roster: the drill-down, the at-risk list, one ASN's
determination with its provenance, the trend over years. A publisher credential sees the ASN
whose home region lies in its own area; asking for another area is 403."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status

from services.consolidation.adapters import compliance as store
from services.consolidation.adapters import compliance_views as cviews
from services.consolidation.adapters import reminders
from services.consolidation.adapters.views import reading
from services.consolidation.domain import compliance_rate
from services.consolidation.entrypoints.filters import PageOf, forbidden, refused, scope_of
from services.consolidation.entrypoints.schemas import (
    AtRiskRow,
    ComplianceCounts,
    ComplianceSummary,
    DeterminationView,
    Page,
    ProvenanceRow,
    ReminderRow,
    RosterChangeRow,
    TrendRow,
    plain,
)
from services.consolidation.entrypoints.tabular import FormatOf, table
from services.consolidation.settings import compliance_settings
from shared.auth import CurrentPrincipal, Principal
from shared.regions import NASIONAL, PROVINCES, is_province, is_valid_region, region_name
from shared.runtime import runtime_of

router = APIRouter()

Year = Annotated[int, Query(ge=2000, le=2100, description="tahun / year, e.g. 2024")]
Province = Annotated[
    str | None, Query(description="provinsi asal ASN: 15 (nasional: instansi pusat)")
]
Region = Annotated[str | None, Query(description="kabupaten/kota asal ASN: 35.23")]
Agency = Annotated[str | None, Query(max_length=200, description="instansi / agency")]
Unit = Annotated[
    str | None, Query(max_length=200, description="unit kerja (kosong: tanpa unit), with agency")
]
# The trend covers every year: area_of checks only the codes and the scope there.
TREND_ANY_YEAR = 2000
Sort = Annotated[cviews.Sort, Query(description="shortfall | agency | name | jp")]


def area_of(
    principal: Principal,
    year: int,
    province: str | None = None,
    region: str | None = None,
    agency: str | None = None,
) -> cviews.Area:
    """The position asked for, checked: codes that exist, inside the credential's area."""
    scope = scope_of(principal)
    if province is not None and not (is_province(province) or province == NASIONAL):
        raise refused(
            f"province {province!r} bukan kode provinsi Kemendagri (mis. 15, atau nasional)",
            f"province {province!r} is not a Kemendagri province code (e.g. 15, or nasional)",
        )
    if region is not None and not (is_valid_region(region) or region == NASIONAL):
        raise refused(
            f"region {region!r} bukan kode daerah Kemendagri (mis. 35.23)",
            f"region {region!r} is not a Kemendagri region code (e.g. 35.23)",
        )
    if region is not None and province is not None and region[:2] != province[:2]:
        raise refused(
            f"region {region} tidak berada di provinsi {province}",
            f"region {region} is not in province {province}",
        )
    for code in (region, province):
        if code is not None and scope.area is not None and not scope.covers(code):
            raise forbidden(
                f"kredensial ini hanya melihat ASN daerah {scope.area}; {code} di luar itu",
                f"this credential sees only region {scope.area}'s ASN; {code} is outside it",
            )
    return cviews.Area(year, scope.area, province, region, agency)


def counts_row(row: dict[str, Any], level: str) -> ComplianceCounts:
    key = str(row.get("key", ""))
    assessed = row["met"] + row["below"] + row["zero"]
    return ComplianceCounts(
        **{
            k: v for k, v in plain(row).items() if k != "key" and k in ComplianceCounts.model_fields
        },
        key=key,
        name=_name(key, level),
        compliance_pct=compliance_rate(row["met"], assessed),
    )


def _name(key: str, level: str) -> str:
    if level == "province":
        return PROVINCES.get(key, "Instansi pusat" if key == NASIONAL else key)
    if level == "region":
        return region_name(key)
    if level == "unit" and key == "":
        return "(unit kerja tidak diisi)"
    return key


@router.get("/api/v1/compliance", response_model=ComplianceSummary, tags=["compliance"])
async def compliance(
    request: Request,
    principal: CurrentPrincipal,
    year: Year,
    format: FormatOf,
    province: Province = None,
    region: Region = None,
    agency: Agency = None,
) -> Any:
    """The drill-down: totals of the position asked for and one row per group one level down
    (provinces → kabupaten/kota → agencies → units)."""
    area = area_of(principal, year, province, region, agency)
    async with reading(runtime_of(request).pool) as conn:
        totals, groups = await cviews.summary(conn, area)
    rows = [counts_row(g, area.level) for g in groups]
    if format != "json":
        return table(rows, ComplianceCounts, format, f"kepatuhan-20jp-{year}")
    return ComplianceSummary(
        year=year,
        level=area.level,
        province=province,
        region=region,
        agency=agency,
        totals=counts_row({**totals, "key": "total"}, "total"),
        rows=rows,
    )


@router.get("/api/v1/compliance/at-risk", response_model=Page[AtRiskRow], tags=["compliance"])
async def at_risk(
    request: Request,
    principal: CurrentPrincipal,
    year: Year,
    paging: PageOf,
    format: FormatOf,
    province: Province = None,
    region: Region = None,
    agency: Agency = None,
    unit: Unit = None,
    sort: Sort = "shortfall",
) -> Any:
    """ASN below the minimum or at zero JP in `year`, with the shortfall; down to one unit of
    an agency."""
    if unit is not None and agency is None:
        raise refused(
            "unit hanya berlaku bersama agency (instansinya), mis. &agency=...&unit=...",
            "unit applies only with its agency, e.g. &agency=...&unit=...",
        )
    area = replace(area_of(principal, year, province, region, agency), unit=unit)
    everything = format != "json"
    async with reading(runtime_of(request).pool) as conn:
        total, rows = await cviews.at_risk(conn, area, sort, paging.size(everything), paging.offset)
    items = [AtRiskRow(**plain(r)) for r in rows]
    if everything:
        return table(items, AtRiskRow, format, f"asn-di-bawah-20jp-{year}")
    return paging.page(total, items)


@router.get("/api/v1/compliance/asn/{nip}", response_model=DeterminationView, tags=["compliance"])
async def determination(request: Request, principal: CurrentPrincipal, nip: str, year: Year) -> Any:
    """One ASN's determination for `year` and what stands behind it: the trainings credited
    (with their certificates) and, for those that did not count, why."""
    async with reading(runtime_of(request).pool) as conn:
        found = await store.explain(conn, nip, year, compliance_settings().policy())
        history = await cviews.roster_history(conn, nip)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "ASN tidak dikenal / unknown ASN")
    scope = scope_of(principal)
    if not (scope.area is None or scope.covers(found.placement.region)):
        raise forbidden(
            "ASN ini berasal dari daerah di luar wilayah kredensial ini",
            "this ASN's home region is outside this credential's area",
        )
    d = found.determination
    return DeterminationView(
        nip=nip,
        name=found.name,
        year=year,
        region=found.placement.region,
        agency=found.placement.agency,
        unit=found.unit,
        jp=float(d.jp),
        minimum=None if d.minimum is None else float(d.minimum),
        standing=d.standing.value,
        reason=d.reason.value,
        shortfall=float(d.shortfall),
        provenance=[
            ProvenanceRow(
                cohort_code=p.cohort_code,
                jp=float(p.jp),
                counted=p.counted.value,
                certificate_number=p.certificate_number,
                why_id=p.why_id,
                why_en=p.why_en,
            )
            for p in d.provenance
        ],
        roster_history=[RosterChangeRow(**dict(h)) for h in history],
    )


@router.get("/api/v1/compliance/trend", response_model=list[TrendRow], tags=["compliance"])
async def trend(
    request: Request,
    principal: CurrentPrincipal,
    format: FormatOf,
    province: Province = None,
    region: Region = None,
) -> Any:
    """The caller's area year by year, or the province or kabupaten/kota asked for in it."""
    area = area_of(principal, TREND_ANY_YEAR, province, region)
    async with reading(runtime_of(request).pool) as conn:
        rows = await cviews.trend(conn, region or province or area.scope)
    items = [TrendRow(year=r["key"], **counts_row(r, "year").model_dump()) for r in rows]
    if format != "json":
        return table(items, TrendRow, format, "tren-kepatuhan-20jp")
    return items


@router.get("/api/v1/compliance/reminders", response_model=list[ReminderRow], tags=["compliance"])
async def reminders_sent(
    request: Request,
    principal: CurrentPrincipal,
    format: FormatOf,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Any:
    """The 20 JP reminders sent, newest first: a publisher credential sees its own."""
    publisher = None if principal.is_national else principal.publisher
    async with reading(runtime_of(request).pool) as conn:
        rows = await reminders.sent(conn, publisher, year)
    items = [ReminderRow(**dict(r)) for r in rows]
    if format != "json":
        return table(items, ReminderRow, format, "pengingat-20jp")
    return items
