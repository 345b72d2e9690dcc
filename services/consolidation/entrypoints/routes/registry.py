"""The certificate registry and the data-quality counts per publisher."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from services.consolidation import domain
from services.consolidation.adapters import views
from services.consolidation.entrypoints.filters import (
    AllFilters,
    PageOf,
    PublisherId,
    check_province,
    filters_of,
    refused,
    scope_of,
)
from services.consolidation.entrypoints.schemas import (
    CertificateRow,
    Page,
    QualityPeriodRow,
    QualityRow,
    plain,
)
from services.consolidation.entrypoints.tabular import Format, FormatOf, render, table
from shared.auth import CurrentPrincipal
from shared.runtime import runtime_of

router = APIRouter()


@router.get("/api/v1/certificates", response_model=Page[CertificateRow], tags=["views"])
async def certificates(
    request: Request,
    principal: CurrentPrincipal,
    given: AllFilters,
    paging: PageOf,
    format: FormatOf,
    number: str | None = None,
    nip: str | None = None,
    name: str | None = None,
) -> Any:
    """The registry: a publisher credential sees its own cohorts' certificates and those of
    the ASN whose home region it covers. `province` is the organiser's, `region` the holder's
    home region; `name` finds each of its words anywhere in the holder's name (one of them of
    at least three letters)."""
    # `province` is taken but not the credential's scope (other organisers' certificates of
    # its own region's ASN are in it), so it is only checked as a code.
    f = given.checked(request, principal, province=None)
    if given.province is not None:
        check_province(domain.EVERYTHING, given.province, asn_view=False)
        f.province = given.province
    words = [] if name is None else domain.name_words(name)
    if words is None:
        raise refused(
            "cari nama dengan paling sedikit satu kata 3 huruf, mis. ?name=aminah",
            "search a name with at least one word of 3 letters, e.g. ?name=aminah",
        )
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
            name_words=words,
            publisher=given.publisher,
            own=scope.publisher,
            limit=paging.size(everything),
            offset=paging.offset,
        )
    items = [CertificateRow(**plain(r)) for r in rows]
    if everything:
        return table(items, CertificateRow, format, "certificates")
    return paging.page(total, items)


@router.get("/api/v1/data-quality", response_model=list[QualityRow], tags=["views"])
async def data_quality(
    request: Request,
    principal: CurrentPrincipal,
    format: FormatOf,
    publisher: PublisherId = None,
) -> Any:
    """Outcomes per publisher: each event's decision and every duplicate record."""
    f = filters_of(request, principal, publisher=publisher)
    async with views.reading(runtime_of(request).pool) as conn:
        found = await views.data_quality(conn, f.publisher)
    rows = [QualityRow(**counts) for counts in _counted(found, ("publisher",))]
    if format != "json":
        return _flat(rows, ["publisher"], format, "data-quality")
    return rows


Period = Literal["week", "month"]


@router.get("/api/v1/data-quality/periods", response_model=list[QualityPeriodRow], tags=["views"])
async def data_quality_periods(
    request: Request,
    principal: CurrentPrincipal,
    format: FormatOf,
    publisher: PublisherId = None,
    period: Annotated[Period, Query(description="minggu / week, bulan / month")] = "week",
) -> Any:
    """The same outcomes per publisher and week or month (`period`: its first day, UTC), by
    the time each event was decided, oldest first."""
    f = filters_of(request, principal, publisher=publisher)
    async with views.reading(runtime_of(request).pool) as conn:
        found = await views.data_quality_periods(conn, f.publisher, period)
    counted = _counted(found, ("publisher", "period"))
    rows = [QualityPeriodRow(**counts) for counts in counted]
    if format != "json":
        return _flat(rows, ["publisher", "period"], format, "data-quality-periods")
    return rows


def _counted(found: list[Any], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """(keys, outcome, reason, n) rows as one row per key: each outcome's count and the
    rejections by reason."""
    grouped: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in found:
        row = grouped.setdefault(
            tuple(r[k] for k in keys),
            {
                **{k: r[k] for k in keys},
                "applied": 0,
                "duplicate": 0,
                "parked": 0,
                "rejected": 0,
                "rejected_by_reason": {},
            },
        )
        row[r["outcome"]] += r["n"]
        if r["outcome"] == "rejected":
            row["rejected_by_reason"][r["reason"]] = r["n"]
    return list(grouped.values())


def _flat(rows: Sequence[BaseModel], keys: list[str], format: Format, name: str) -> Response:
    """One line per rejection reason (one with none when nothing was rejected)."""
    flat = [
        {**r.model_dump(exclude={"rejected_by_reason"}), "reason": reason, "n": n}
        for r in rows
        for reason, n in (getattr(r, "rejected_by_reason", None) or {"": 0}).items()
    ]
    columns = [*keys, "applied", "duplicate", "parked", "rejected", "reason", "n"]
    return render(flat, columns, format, name)
