"""The certificate registry and the data-quality counts per publisher."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from services.consolidation import domain
from services.consolidation.adapters import views
from services.consolidation.entrypoints.filters import (
    CategoryFilter,
    Limit,
    Offset,
    Province,
    PublisherId,
    Region,
    Year,
    check_province,
    filters_of,
    scope_of,
)
from services.consolidation.entrypoints.schemas import CertificateRow, Page, QualityRow, plain
from services.consolidation.entrypoints.tabular import Format, render
from shared.auth import CurrentPrincipal
from shared.runtime import runtime_of

router = APIRouter()


@router.get("/api/v1/certificates", response_model=Page[CertificateRow], tags=["views"])
async def certificates(
    request: Request,
    principal: CurrentPrincipal,
    number: str | None = None,
    nip: str | None = None,
    name: str | None = None,
    year: Year = None,
    publisher: PublisherId = None,
    province: Province = None,
    region: Region = None,
    category: CategoryFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = "json",
) -> Any:
    """The registry: a publisher credential sees its own cohorts' certificates and those of
    the ASN whose home region it covers. `province` is the organiser's, `region` the holder's
    home region."""
    f = filters_of(
        request,
        principal,
        year=year,
        publisher=publisher,
        province=None,  # taken; not the credential's scope (other organisers' certificates
        region=region,  # of its own region's ASN are in it), so only checked as a code
        category=category,
    )
    if province is not None:
        check_province(domain.EVERYTHING, province, asn_view=False)
        f.province = province
    # Explicit `publisher` narrows to that publisher's cohorts; the scope alone also admits
    # the certificates of the credential's own region's ASN from other organisers.
    scope = scope_of(principal)
    everything = format != "json"
    async with views.reading(runtime_of(request).pool) as conn:
        total, rows = await views.certificates(
            conn,
            f,
            number=number,
            nip=nip,
            name=name,
            publisher=publisher,
            own=scope.publisher,
            limit=None if everything else limit,
            offset=offset,
        )
    items = [CertificateRow(**plain(r)) for r in rows]
    if everything:
        return render(
            [i.model_dump() for i in items],
            list(CertificateRow.model_fields),
            format,
            "certificates",
        )
    return Page[CertificateRow](total=total, limit=limit, offset=offset, items=items)


@router.get("/api/v1/data-quality", response_model=list[QualityRow], tags=["views"])
async def data_quality(
    request: Request,
    principal: CurrentPrincipal,
    publisher: PublisherId = None,
    format: Format = "json",
) -> Any:
    """Outcomes per publisher: each event's decision and every duplicate record."""
    f = filters_of(request, principal, publisher=publisher)
    async with views.reading(runtime_of(request).pool) as conn:
        found = await views.data_quality(conn, f.publisher)
    by_publisher: dict[str, QualityRow] = {}
    for r in found:
        row = by_publisher.setdefault(
            r["publisher"],
            QualityRow(
                publisher=r["publisher"],
                applied=0,
                duplicate=0,
                parked=0,
                rejected=0,
                rejected_by_reason={},
            ),
        )
        setattr(row, r["outcome"], getattr(row, r["outcome"]) + r["n"])
        if r["outcome"] == "rejected":
            row.rejected_by_reason[r["reason"]] = r["n"]
    rows = list(by_publisher.values())
    if format != "json":
        flat = [
            {**r.model_dump(exclude={"rejected_by_reason"}), "reason": reason, "n": n}
            for r in rows
            for reason, n in (r.rejected_by_reason or {"": 0}).items()
        ]
        return render(
            flat,
            ["publisher", "applied", "duplicate", "parked", "rejected", "reason", "n"],
            format,
            "data-quality",
        )
    return rows
