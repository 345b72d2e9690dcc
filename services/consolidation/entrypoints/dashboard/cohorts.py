"""The cohorts (`/dasbor/kelas`) and one cohort with its participants
(`/dasbor/kelas/<code>`): each participant's attendance, evaluation and result with the
decision's reason in words, and the certificate's number leading to its verification page."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.consolidation.entrypoints.dashboard import words
from services.consolidation.entrypoints.dashboard.data import Reader
from services.consolidation.entrypoints.dashboard.listing import (
    PAGE_SIZE,
    PageNumber,
    Pager,
    Text,
    downloads,
    kept,
    page_number,
    year_of,
)
from services.consolidation.entrypoints.dashboard.pages import pages
from services.consolidation.settings import dashboard_settings
from shared.web.signin import page_principal

router = APIRouter(include_in_schema=False)
HOME = "/dasbor/kelas"


def cohort_href(code: str) -> str:
    return f"{HOME}/{quote(code)}"


@router.get(HOME)
async def cohorts_page(
    request: Request, year: Text = None, publisher: Text = None, halaman: PageNumber = None
) -> Response:
    principal = page_principal(request)
    chosen = year_of(year)
    who = publisher or None
    filters = kept({"year": chosen, "publisher": who})
    number = page_number(halaman)
    reader = Reader(request, principal)
    found = await reader.cohorts(chosen, who, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    return pages().render(
        request,
        "kelas.html",
        {
            "rows": found.items,
            "pager": Pager(HOME, filters, number, found.total),
            "year": chosen,
            "publisher": who or "",
            "downloads": downloads("/api/v1/cohorts", filters),
            "words": words,
            "cohort_href": cohort_href,
        },
    )


@router.get(HOME + "/{code:path}")
async def cohort_page(request: Request, code: str, halaman: PageNumber = None) -> Response:
    principal = page_principal(request)
    reader = Reader(request, principal)
    cohort = await reader.cohort(code)
    number = page_number(halaman)
    found = await reader.participants(code, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    participants_api = f"/api/v1/cohorts/{quote(code)}/participants"
    return pages().render(
        request,
        "kelas-peserta.html",
        {
            "cohort": cohort,
            "rows": found.items,
            "pager": Pager(cohort_href(code), {}, number, found.total),
            "downloads": downloads(participants_api, {}),
            "words": words,
            "verification": dashboard_settings().verification_url,
            "cohorts_href": HOME + f"?year={cohort.year}",
        },
    )
