"""The ASN: those below the JP minimum in a year, and one ASN's whole training history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status

from services.consolidation import domain
from services.consolidation.adapters import views
from services.consolidation.entrypoints.filters import (
    PageOf,
    Province,
    Region,
    Year,
    filters_of,
    forbidden,
    refused,
    scope_of,
)
from services.consolidation.entrypoints.schemas import (
    AsnView,
    BelowMinimumRow,
    JpYear,
    Page,
    Training,
    plain,
)
from services.consolidation.entrypoints.tabular import FormatOf, table
from shared.auth import CurrentPrincipal
from shared.runtime import runtime_of

router = APIRouter()


@router.get("/api/v1/asn/below-minimum", response_model=Page[BelowMinimumRow], tags=["views"])
async def below_minimum(
    request: Request,
    principal: CurrentPrincipal,
    paging: PageOf,
    format: FormatOf,
    year: Year = None,
    province: Province = None,
    region: Region = None,
) -> Any:
    """ASN (by home region) below the minimum that applies to them in `year`, as
    `/api/v1/compliance/at-risk` determines it (the roster's zero-JP ASN included), by NIP; a
    publisher credential sees its own region's."""
    f = filters_of(request, principal, asn_view=True, year=year, province=province, region=region)
    if f.year is None:
        raise refused("year wajib diisi, mis. ?year=2024", "year is required, e.g. ?year=2024")
    everything = format != "json"
    async with views.reading(runtime_of(request).pool) as conn:
        total, rows = await views.below_minimum(conn, f, paging.size(everything), paging.offset)
    items = [BelowMinimumRow(**plain(r)) for r in rows]
    if everything:
        return table(items, BelowMinimumRow, format, f"below-20jp-{f.year}")
    return paging.page(total, items)


@router.get("/api/v1/asn/{nip}", response_model=AsnView, tags=["views"])
async def asn(
    request: Request,
    principal: CurrentPrincipal,
    nip: str,
    format: FormatOf,
    year: Year = None,
) -> Any:
    """One ASN's whole training history (every organiser's), for a credential that covers the
    ASN's home region; `year` narrows it to the trainings that ended in that year."""
    f = filters_of(request, principal, asn_view=True, year=year)
    async with views.reading(runtime_of(request).pool) as conn:
        person = await views.asn(conn, nip)
        if person is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "ASN tidak dikenal / unknown ASN")
        if not scope_of(principal).covers(person["region"]):
            raise forbidden(
                "ASN ini berasal dari daerah di luar wilayah kredensial ini",
                "this ASN's home region is outside this credential's area",
            )
        trainings = await views.trainings(conn, [nip], f.year)
        years = [y for y in await views.jp_per_year(conn, nip) if f.year in (None, y["year"])]
    view = AsnView(
        nip=nip,
        name=person["name"],
        region=person["region"],
        agency=person["agency"],
        trainings=[Training(**plain(t)) for t in trainings],
        jp_per_year=[
            JpYear(year=y["year"], jp=float(y["jp"]), meets_minimum=domain.meets_minimum(y["jp"]))
            for y in years
        ],
    )
    if format != "json":
        return table(view.trainings, Training, format, "asn-trainings")
    return view
