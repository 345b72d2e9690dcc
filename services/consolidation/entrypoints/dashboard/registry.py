"""The certificate registry (`/dasbor/sertifikat`): one search box for a certificate's number,
a holder's NIP or words of their name, narrowed by publisher and year; each certificate
leads to its public verification page."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.consolidation.entrypoints.dashboard import words
from services.consolidation.entrypoints.dashboard.data import Reader, Search
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
HOME = "/dasbor/sertifikat"
NIP = re.compile(r"[0-9]{18}")


def search_of(q: str | None, publisher: str | None, year: int | None) -> Search:
    """What the box holds: 18 digits are a NIP, anything with a digit a certificate number
    (`800/1/BPSDM/2024`), anything else words of a name."""
    text = " ".join((q or "").split())
    if not text:
        return Search(publisher=publisher, year=year)
    if NIP.fullmatch(text.replace(" ", "")):
        return Search(nip=text.replace(" ", ""), publisher=publisher, year=year)
    if any(ch.isdigit() for ch in text):
        return Search(number=text, publisher=publisher, year=year)
    return Search(name=text, publisher=publisher, year=year)


def searched_by(search: Search) -> tuple[str, str] | None:
    """What the search was taken as, for the sentence above the results."""
    if search.nip:
        return ("NIP", "NIP")
    if search.number:
        return ("nomor sertifikat", "certificate number")
    if search.name:
        return ("nama", "name")
    return None


@router.get(HOME)
async def registry_page(
    request: Request,
    q: Text = None,
    publisher: Text = None,
    year: Text = None,
    halaman: PageNumber = None,
) -> Response:
    principal = page_principal(request)
    chosen = year_of(year)
    search = search_of(q, publisher or None, chosen)
    number = page_number(halaman)
    found = await Reader(request, principal).certificates(
        search, (number - 1) * PAGE_SIZE, PAGE_SIZE
    )
    api = kept(
        {
            "number": search.number,
            "nip": search.nip,
            "name": search.name,
            "publisher": search.publisher,
            "year": chosen,
        }
    )
    return pages().render(
        request,
        "sertifikat.html",
        {
            "rows": found.items,
            "pager": Pager(
                HOME, kept({"q": q, "publisher": publisher, "year": chosen}), number, found.total
            ),
            "q": q or "",
            "publisher": publisher or "",
            "year": chosen,
            "searched_by": searched_by(search),
            "downloads": downloads("/api/v1/certificates", api),
            "words": words,
            "verification": dashboard_settings().verification_url,
        },
    )
