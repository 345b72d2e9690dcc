"""HTTP API of the national view (/api/v1, paginated, CSV/XLSX) and the dashboard page.

Authorisation: a national credential sees everything; a publisher's credential sees its own
cohorts and the ASN whose home region it covers. Asking explicitly for another publisher or
region is 403; unfiltered lists are narrowed to what the caller may see.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from importlib import resources
from typing import Annotated, Any, Generic, TypeVar

import asyncpg
from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from services.consolidation import domain
from services.consolidation.adapters import postgres as repo
from services.consolidation.entrypoints.tabular import Format, render
from shared.auth import CurrentPrincipal, Principal
from shared.regions import PROVINCES, is_valid_region
from shared.runtime import runtime_of

router = APIRouter()
T = TypeVar("T")
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]


class Page(BaseModel, Generic[T]):
    total: int
    limit: int
    offset: int
    items: list[T]


class Statistics(BaseModel):
    scheduled: int
    running: int
    closed: int
    cancelled: int
    enrolled: int
    withdrawn: int
    completed: int
    not_completed: int
    certificates_issued: int
    certificates_revoked: int
    jp_delivered: float
    women: int
    men: int
    completion_rate: float | None


class ProvinceRow(BaseModel):
    code: str
    name: str
    cohorts: int
    participants: int
    completion_rate: float | None
    asn_years: int
    jp_compliant: int
    jp_compliance: float | None


class PublisherRow(BaseModel):
    publisher: str
    cohorts: int
    participants: int
    completion_rate: float | None


class CohortRow(BaseModel):
    cohort_code: str
    publisher: str
    organizer: str
    programme_name: str
    category: str
    year: int
    angkatan: str
    location: str
    start_date: dt.date
    end_date: dt.date
    total_jp: float
    phase: str
    participants: int
    completed: int
    not_completed: int


class ParticipantRow(BaseModel):
    nip: str
    name: str
    gender: str
    agency: str
    region: str
    withdrawn: bool
    completed: bool | None
    predicate: str | None
    rate_pct: float | None
    certificate_number: str | None


class Training(BaseModel):
    cohort_code: str
    publisher: str
    organizer: str
    programme_name: str
    category: str
    year: int
    start_date: dt.date
    end_date: dt.date
    total_jp: float
    withdrawn: bool
    completed: bool | None
    certificate_number: str | None


class JpYear(BaseModel):
    year: int
    jp: float
    meets_minimum: bool


class AsnView(BaseModel):
    nip: str
    name: str
    region: str
    agency: str
    trainings: list[Training]
    jp_per_year: list[JpYear]


class BelowMinimumRow(BaseModel):
    nip: str
    name: str
    region: str
    agency: str
    jp: float


class CertificateRow(BaseModel):
    number: str
    version: int
    status: str
    nip: str
    name: str
    cohort_code: str
    publisher: str
    programme_name: str
    organizer: str
    total_jp: float
    end_date: dt.date
    predicate: str | None


class QualityRow(BaseModel):
    publisher: str
    applied: int
    duplicate: int
    parked: int
    rejected: int
    rejected_by_reason: dict[str, int]


def _plain(row: asyncpg.Record | dict[str, Any]) -> dict[str, Any]:
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in dict(row).items()}


def _check_region(principal: Principal, region: str | None) -> None:
    if region is not None and not is_valid_region(region):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, f"unknown region {region!r}")
    if (
        region is not None
        and not principal.is_national
        and principal.publisher is not None
        and not domain.covers(principal.publisher, region)
    ):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"this credential may not see ASN of region {region}"
        )


def _filters(
    principal: Principal,
    year: int | None,
    publisher: str | None,
    province: str | None,
    region: str | None,
    category: str | None,
) -> repo.Filters:
    _check_region(principal, region)
    if not principal.is_national:
        if publisher is not None and publisher != principal.publisher:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"this credential may not see publisher {publisher}"
            )
        publisher = principal.publisher
    return repo.Filters(year, publisher, province, region, category)


@contextlib.asynccontextmanager
async def _reading(request: Request) -> AsyncIterator[repo.Conn]:
    """A connection in one read-only snapshot: a view made of several queries (counts and a
    page, a profile and its trainings) never mixes states before and after a consumer batch."""
    async with runtime_of(request).pool.acquire() as conn, repo.snapshot(conn):
        yield conn


@router.get("/api/v1/statistics", response_model=Statistics, tags=["views"])
async def statistics(
    request: Request,
    principal: CurrentPrincipal,
    year: int | None = None,
    publisher: str | None = None,
    province: str | None = None,
    region: str | None = None,
    category: str | None = None,
    format: Format = "json",
) -> Any:
    f = _filters(principal, year, publisher, province, region, category)
    async with _reading(request) as conn:
        row = await repo.statistics(conn, f, dt.date.today())
    stats = Statistics(
        **_plain(row),
        completion_rate=domain.completion_rate(row["completed"], row["not_completed"]),
    )
    if format != "json":
        return render([stats.model_dump()], list(Statistics.model_fields), format, "statistics")
    return stats


@router.get("/api/v1/provinces", response_model=list[ProvinceRow], tags=["views"])
async def provinces(
    request: Request,
    principal: CurrentPrincipal,
    year: int | None = None,
    publisher: str | None = None,
    category: str | None = None,
    format: Format = "json",
) -> Any:
    f = _filters(principal, year, publisher, None, None, category)
    async with _reading(request) as conn:
        activity, compliance = await repo.provinces(conn, f, domain.JP_MINIMUM)
    by_activity = {r["province"]: r for r in activity}
    by_compliance = {r["province"]: r for r in compliance}
    rows = []
    for code, name in [("nasional", "Nasional (BPSDM Kemendagri)"), *PROVINCES.items()]:
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
                jp_compliance=round(100.0 * met / years, 2) if years else None,
            )
        )
    if format != "json":
        return render(
            [r.model_dump() for r in rows], list(ProvinceRow.model_fields), format, "provinces"
        )
    return rows


@router.get("/api/v1/publishers", response_model=list[PublisherRow], tags=["views"])
async def publishers(
    request: Request,
    principal: CurrentPrincipal,
    year: int | None = None,
    publisher: str | None = None,
    province: str | None = None,
    category: str | None = None,
    format: Format = "json",
) -> Any:
    f = _filters(principal, year, publisher, province, None, category)
    async with _reading(request) as conn:
        found = await repo.publishers(conn, f)
    rows = [
        PublisherRow(
            publisher=r["publisher"],
            cohorts=r["cohorts"],
            participants=r["participants"],
            completion_rate=domain.completion_rate(r["completed"], r["not_completed"]),
        )
        for r in found
    ]
    if format != "json":
        return render(
            [r.model_dump() for r in rows], list(PublisherRow.model_fields), format, "publishers"
        )
    return rows


@router.get("/api/v1/cohorts", response_model=Page[CohortRow], tags=["views"])
async def cohorts(
    request: Request,
    principal: CurrentPrincipal,
    year: int | None = None,
    publisher: str | None = None,
    province: str | None = None,
    region: str | None = None,
    category: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = "json",
) -> Any:
    f = _filters(principal, year, publisher, province, region, category)
    everything = format != "json"
    async with _reading(request) as conn:
        total, found = await repo.cohorts(conn, f, None if everything else limit, offset)
    today = dt.date.today()
    items = [
        CohortRow(
            **_plain(r), phase=domain.phase(r["status"], r["start_date"], r["end_date"], today)
        )
        for r in found
    ]
    if everything:
        return render(
            [i.model_dump() for i in items], list(CohortRow.model_fields), format, "cohorts"
        )
    return Page[CohortRow](total=total, limit=limit, offset=offset, items=items)


@router.get(
    "/api/v1/cohorts/{cohort_code:path}/participants",
    response_model=Page[ParticipantRow],
    tags=["views"],
)
async def participants(
    request: Request,
    principal: CurrentPrincipal,
    cohort_code: str,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = "json",
) -> Any:
    everything = format != "json"
    async with _reading(request) as conn:
        found = await repo.cohort(conn, cohort_code)
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown cohort")
        if not principal.may_see_publisher(found["publisher"]):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "another publisher's cohort")
        total, rows = await repo.participants(
            conn, cohort_code, None if everything else limit, offset
        )
    items = [ParticipantRow(**_plain(r)) for r in rows]
    if everything:
        return render(
            [i.model_dump() for i in items],
            list(ParticipantRow.model_fields),
            format,
            "participants",
        )
    return Page[ParticipantRow](total=total, limit=limit, offset=offset, items=items)


@router.get("/api/v1/asn/below-minimum", response_model=Page[BelowMinimumRow], tags=["views"])
async def below_minimum(
    request: Request,
    principal: CurrentPrincipal,
    year: int,
    region: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = "json",
) -> Any:
    _check_region(principal, region)
    if region is None and not principal.is_national and principal.publisher != "nasional":
        region = principal.publisher  # a publisher's unfiltered list is its own area
    everything = format != "json"
    async with _reading(request) as conn:
        total, rows = await repo.below_minimum(
            conn, year, region, domain.JP_MINIMUM, None if everything else limit, offset
        )
    items = [BelowMinimumRow(**_plain(r)) for r in rows]
    if everything:
        return render(
            [i.model_dump() for i in items],
            list(BelowMinimumRow.model_fields),
            format,
            f"below-20jp-{year}",
        )
    return Page[BelowMinimumRow](total=total, limit=limit, offset=offset, items=items)


@router.get("/api/v1/asn/{nip}", response_model=AsnView, tags=["views"])
async def asn(
    request: Request, principal: CurrentPrincipal, nip: str, format: Format = "json"
) -> Any:
    async with _reading(request) as conn:
        person = await repo.asn(conn, nip)
        if person is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown ASN")
        _check_region(principal, person["region"])
        trainings = await repo.trainings(conn, [nip])
        years = await repo.jp_per_year(conn, nip)
    view = AsnView(
        nip=nip,
        name=person["name"],
        region=person["region"],
        agency=person["agency"],
        trainings=[Training(**_plain(t)) for t in trainings],
        jp_per_year=[
            JpYear(year=y["year"], jp=float(y["jp"]), meets_minimum=domain.meets_minimum(y["jp"]))
            for y in years
        ],
    )
    if format != "json":
        return render(
            [t.model_dump() for t in view.trainings],
            list(Training.model_fields),
            format,
            "asn-trainings",
        )
    return view


@router.get("/api/v1/certificates", response_model=Page[CertificateRow], tags=["views"])
async def certificates(
    request: Request,
    principal: CurrentPrincipal,
    number: str | None = None,
    nip: str | None = None,
    name: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = "json",
) -> Any:
    own = None if principal.is_national else principal.publisher
    covered = None if own in (None, "nasional") else own
    everything = format != "json"
    async with _reading(request) as conn:
        total, rows = await repo.certificates(
            conn,
            number=number,
            nip=nip,
            name=name,
            publisher=own,
            covered=covered,
            limit=None if everything else limit,
            offset=offset,
        )
    items = [CertificateRow(**_plain(r)) for r in rows]
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
    publisher: str | None = None,
    format: Format = "json",
) -> Any:
    f = _filters(principal, None, publisher, None, None, None)
    async with _reading(request) as conn:
        found = await repo.data_quality(conn, f.publisher)
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


SIASN_COLUMNS = [
    "nip",
    "jenisDiklatId",
    "namaKursus",
    "nomorSertipikat",
    "jumlahJam",
    "tahunKursus",
    "tanggalKursus",
    "tanggalSelesaiKursus",
    "institusiPenyelenggara",
    "lokasiId",
]


@router.get(
    "/api/v1/exports/siasn", tags=["exports"], responses={200: {"content": {"text/csv": {}}}}
)
async def siasn_export(
    request: Request,
    principal: CurrentPrincipal,
    region: str,
    year: int | None = None,
    format: Format = "csv",
) -> Response:
    """Completed trainings of the ASN of one BKD's region, in SIASN "riwayat kursus" shape
    (one row per training, NIP as the key; dates dd-mm-yyyy as SIASN takes them)."""
    _check_region(principal, region)
    column = "region_province" if len(region) == 2 else "region"
    async with _reading(request) as conn:
        nips = [
            r["nip"]
            for r in await conn.fetch(
                f"SELECT nip FROM asn WHERE {column} = $1 ORDER BY nip", region
            )
        ]
        rows = await repo.trainings(conn, nips, year, completed_only=True)
    out = [
        {
            "nip": r["nip"],
            "jenisDiklatId": domain.siasn_jenis_diklat(r["category"]),
            "namaKursus": r["programme_name"],
            "nomorSertipikat": r["certificate_number"] or "",
            "jumlahJam": float(r["total_jp"]),
            "tahunKursus": r["end_date"].year,
            "tanggalKursus": r["start_date"].strftime("%d-%m-%Y"),
            "tanggalSelesaiKursus": r["end_date"].strftime("%d-%m-%Y"),
            "institusiPenyelenggara": r["organizer"],
            "lokasiId": r["organizer_province"] or "",
        }
        for r in rows
    ]
    return render(
        out, SIASN_COLUMNS, "xlsx" if format == "xlsx" else "csv", f"siasn-riwayat-kursus-{region}"
    )


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
async def dashboard() -> HTMLResponse:
    page = (
        resources.files("services.consolidation.entrypoints")
        .joinpath("static/dashboard.html")
        .read_text(encoding="utf-8")
    )
    return HTMLResponse(page)
