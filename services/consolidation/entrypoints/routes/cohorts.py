"""The cohorts, with their participation, and one cohort's roster."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status

from services.consolidation import domain
from services.consolidation.adapters import views
from services.consolidation.entrypoints.filters import AllFilters, PageOf, filters_of, forbidden
from services.consolidation.entrypoints.schemas import CohortRow, Page, ParticipantRow, plain
from services.consolidation.entrypoints.tabular import FormatOf, table
from shared.auth import CurrentPrincipal
from shared.runtime import runtime_of

router = APIRouter()


@router.get("/api/v1/cohorts", response_model=Page[CohortRow], tags=["views"])
async def cohorts(
    request: Request,
    principal: CurrentPrincipal,
    given: AllFilters,
    paging: PageOf,
    format: FormatOf,
) -> Any:
    f = given.checked(request, principal)
    everything = format != "json"
    async with views.reading(runtime_of(request).pool) as conn:
        total, found = await views.cohorts(conn, f, paging.size(everything), paging.offset)
    today = dt.date.today()
    items = [
        CohortRow(
            **plain(r), phase=domain.phase(r["status"], r["start_date"], r["end_date"], today)
        )
        for r in found
    ]
    if everything:
        return table(items, CohortRow, format, "cohorts")
    return paging.page(total, items)


@router.get(
    "/api/v1/cohorts/{cohort_code:path}/participants",
    response_model=Page[ParticipantRow],
    tags=["views"],
)
async def participants(
    request: Request,
    principal: CurrentPrincipal,
    cohort_code: str,
    paging: PageOf,
    format: FormatOf,
) -> Any:
    """One cohort's roster (its publisher's own data): no filter applies. `region` per row is
    what that registration claimed."""
    filters_of(request, principal)
    everything = format != "json"
    async with views.reading(runtime_of(request).pool) as conn:
        found = await views.cohort(conn, cohort_code)
        if found is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, "angkatan tidak dikenal / unknown cohort"
            )
        if not principal.may_see_publisher(found["publisher"]):
            raise forbidden("angkatan milik penyelenggara lain", "another publisher's cohort")
        total, rows = await views.participants(
            conn, cohort_code, paging.size(everything), paging.offset
        )
    items = [ParticipantRow(**plain(r)) for r in rows]
    if everything:
        return table(items, ParticipantRow, format, "participants")
    return paging.page(total, items)


# After the participants' route: a code ending in /participants names that route first.
@router.get("/api/v1/cohorts/{cohort_code:path}", response_model=CohortRow, tags=["views"])
async def cohort(request: Request, principal: CurrentPrincipal, cohort_code: str) -> Any:
    """One cohort as the cohorts view lists it (its publisher's own data): no filter applies."""
    filters_of(request, principal)
    async with views.reading(runtime_of(request).pool) as conn:
        found = await views.cohort_with_participation(conn, cohort_code)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "angkatan tidak dikenal / unknown cohort")
    if not principal.may_see_publisher(found["publisher"]):
        raise forbidden("angkatan milik penyelenggara lain", "another publisher's cohort")
    today = dt.date.today()
    return CohortRow(
        **plain(found),
        phase=domain.phase(found["status"], found["start_date"], found["end_date"], today),
    )
