"""HTTP API of the national view (/api/v1, paginated, CSV/XLSX) and the dashboard page.

Authorisation: a national credential sees everything; a publisher's credential sees its own
cohorts and the ASN whose home region it covers. Asking explicitly for another publisher,
province or region is 403; unfiltered lists are narrowed to what the caller may see.

Filters: each of the README's filters (year, publisher, province, region, category) is taken
by a view or refused with 422, never silently ignored (`_filters`); `region` is always the
ASN's home region (the `asn` row), not what one registration claimed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
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
from shared.events.ingest import Category
from shared.regions import PROVINCES, is_province, is_valid_publisher_id, is_valid_region
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


FILTERS = ("year", "publisher", "province", "region", "category")
CATEGORIES = tuple(c.value for c in Category)

# The README's filters, as query parameters each view that takes them declares.
Year = Annotated[str | None, Query(description="tahun / year, e.g. 2024")]
PublisherId = Annotated[str | None, Query(description="penyelenggara / publisher: 15, 35.23")]
Province = Annotated[str | None, Query(description="provinsi / province: 15 (or nasional)")]
Region = Annotated[str | None, Query(description="daerah asal ASN / ASN home region")]
CategoryFilter = Annotated[str | None, Query(description="kategori / category: teknis, ...")]


def _refused(message_id: str, message_en: str) -> HTTPException:
    return HTTPException(422, f"{message_id} / {message_en}")


def _forbidden(message_id: str, message_en: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, f"{message_id} / {message_en}")


@dataclass(frozen=True)
class Scope:
    """What a credential may see: `publisher`'s cohorts (None: every cohort) and the ASN whose
    home region lies in `area` (None: every ASN; `nasional` covers every region)."""

    publisher: str | None
    area: str | None

    @staticmethod
    def of(principal: Principal) -> Scope:
        if principal.is_national or principal.publisher is None:
            return Scope(None, None)
        own = principal.publisher
        return Scope(own, None if own == domain.NASIONAL else own)

    def covers(self, region: str) -> bool:
        return self.area is None or domain.covers(self.area, region)


def _check_region(principal: Principal, region: str | None) -> None:
    if region is None:
        return
    if not is_valid_region(region):
        raise _refused(
            f"region {region!r} bukan kode provinsi atau kabupaten/kota Kemendagri (mis. 35.23)",
            f"region {region!r} is not a Kemendagri province or kabupaten/kota code (e.g. 35.23)",
        )
    if not Scope.of(principal).covers(region):
        raise _forbidden(
            f"kredensial ini tidak boleh melihat ASN daerah {region}",
            f"this credential may not see ASN of region {region}",
        )


def _filters(
    request: Request,
    principal: Principal,
    *,
    asn_view: bool = False,
    **given: str | None,
) -> repo.Filters:
    """The view's filters, validated, with the caller's scope: a filter the README lists that
    this view does not take is refused (422) rather than silently ignored; asking for another
    publisher, province or region than the credential's own is 403. `province` is the
    organiser's province on cohort views and the ASN's home province on ASN views
    (`asn_view`); `region` is always the ASN's home region."""
    refused = [name for name in FILTERS if name in request.query_params and name not in given]
    if refused:
        takes = ", ".join(name for name in FILTERS if name in given) or "-"
        raise _refused(
            f"filter {', '.join(refused)} tidak berlaku untuk tampilan ini (yang berlaku: {takes})",
            f"filter {', '.join(refused)} does not apply to this view (it takes: {takes})",
        )
    scope = Scope.of(principal)
    year = _year(given.get("year"))
    publisher = given.get("publisher")
    if publisher is not None:
        if not is_valid_publisher_id(publisher):
            raise _refused(
                f"publisher {publisher!r} bukan id penyelenggara (nasional, 15, 35.23)",
                f"publisher {publisher!r} is not a publisher id (nasional, 15, 35.23)",
            )
        if scope.publisher is not None and publisher != scope.publisher:
            raise _forbidden(
                f"kredensial ini tidak boleh melihat penyelenggara {publisher}",
                f"this credential may not see publisher {publisher}",
            )
    province = given.get("province")
    if province is not None:
        _check_province(scope, province, asn_view)
    region = given.get("region")
    _check_region(principal, region)
    category = given.get("category")
    if category is not None and category not in CATEGORIES:
        raise _refused(
            f"category {category!r} tidak dikenal; pilih salah satu: {', '.join(CATEGORIES)}",
            f"unknown category {category!r}; use one of: {', '.join(CATEGORIES)}",
        )
    return repo.Filters(
        year,
        publisher if scope.publisher is None else scope.publisher,
        province,
        region,
        category,
        area=scope.area,
    )


def _year(value: str | None) -> int | None:
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and len(value) == 4):
        raise _refused(
            f"year {value!r} harus tahun empat angka, mis. 2024",
            f"year {value!r} must be a four-digit year, e.g. 2024",
        )
    return int(value)


def _check_province(scope: Scope, province: str, asn_view: bool) -> None:
    if not (is_province(province) or (province == domain.NASIONAL and not asn_view)):
        allowed = "15" if asn_view else "15, nasional"
        raise _refused(
            f"province {province!r} bukan kode provinsi Kemendagri (mis. {allowed})",
            f"province {province!r} is not a Kemendagri province code (e.g. {allowed})",
        )
    if asn_view:
        mine = scope.covers(province)
    else:  # the organiser's province: a publisher's own cohorts are all in its own
        mine = scope.publisher is None or province == (
            domain.organizer_province(scope.publisher) or domain.NASIONAL
        )
    if not mine:
        raise _forbidden(
            f"kredensial ini tidak boleh melihat provinsi {province}",
            f"this credential may not see province {province}",
        )


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
    year: Year = None,
    publisher: PublisherId = None,
    province: Province = None,
    region: Region = None,
    category: CategoryFilter = None,
    format: Format = "json",
) -> Any:
    f = _filters(
        request,
        principal,
        year=year,
        publisher=publisher,
        province=province,
        region=region,
        category=category,
    )
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
    year: Year = None,
    publisher: PublisherId = None,
    province: Province = None,
    region: Region = None,
    category: CategoryFilter = None,
    format: Format = "json",
) -> Any:
    """One row per province (and nasional): the activity of the cohorts it organised
    (`publisher`, `category`, `region` narrow them) and the 20 JP compliance of the ASN whose
    home it is (every training counts toward the minimum: `year`, `region` narrow them). A
    publisher credential sees its own province's row: its own cohorts, its own region's ASN."""
    f = _filters(
        request,
        principal,
        year=year,
        publisher=publisher,
        province=None,  # taken, and applied below: it picks the row
        region=region,
        category=category,
    )
    scope = Scope.of(principal)
    if province is not None:
        _check_province(Scope(None, None), province, asn_view=False)  # a code or nasional
        if not _province_row_in_scope(scope, province):
            raise _forbidden(
                f"kredensial ini tidak boleh melihat provinsi {province}",
                f"this credential may not see province {province}",
            )
    async with _reading(request) as conn:
        activity, compliance = await repo.provinces(conn, f, domain.JP_MINIMUM)
    by_activity = {r["province"]: r for r in activity}
    by_compliance = {r["province"]: r for r in compliance}
    rows = []
    for code, name in [("nasional", "Nasional (BPSDM Kemendagri)"), *PROVINCES.items()]:
        if not _province_row_in_scope(scope, code) or province not in (None, code):
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
                jp_compliance=round(100.0 * met / years, 2) if years else None,
            )
        )
    if format != "json":
        return render(
            [r.model_dump() for r in rows], list(ProvinceRow.model_fields), format, "provinces"
        )
    return rows


def _province_row_in_scope(scope: Scope, code: str) -> bool:
    """A publisher's own province row (nasional's: every row, it covers every region)."""
    if scope.publisher is None or scope.area is None:
        return True
    return code == domain.organizer_province(scope.publisher)


@router.get("/api/v1/publishers", response_model=list[PublisherRow], tags=["views"])
async def publishers(
    request: Request,
    principal: CurrentPrincipal,
    year: Year = None,
    publisher: PublisherId = None,
    province: Province = None,
    region: Region = None,
    category: CategoryFilter = None,
    format: Format = "json",
) -> Any:
    f = _filters(
        request,
        principal,
        year=year,
        publisher=publisher,
        province=province,
        region=region,
        category=category,
    )
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
    year: Year = None,
    publisher: PublisherId = None,
    province: Province = None,
    region: Region = None,
    category: CategoryFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = "json",
) -> Any:
    f = _filters(
        request,
        principal,
        year=year,
        publisher=publisher,
        province=province,
        region=region,
        category=category,
    )
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
    """One cohort's roster (its publisher's own data): no filter applies. `region` per row is
    what that registration claimed."""
    _filters(request, principal)
    everything = format != "json"
    async with _reading(request) as conn:
        found = await repo.cohort(conn, cohort_code)
        if found is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, "angkatan tidak dikenal / unknown cohort"
            )
        if not principal.may_see_publisher(found["publisher"]):
            raise _forbidden("angkatan milik penyelenggara lain", "another publisher's cohort")
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
    year: Year = None,
    province: Province = None,
    region: Region = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = "json",
) -> Any:
    """ASN (by home region) below 20 JP in `year`; a publisher credential sees its own region's."""
    f = _filters(request, principal, asn_view=True, year=year, province=province, region=region)
    if f.year is None:
        raise _refused("year wajib diisi, mis. ?year=2024", "year is required, e.g. ?year=2024")
    everything = format != "json"
    async with _reading(request) as conn:
        total, rows = await repo.below_minimum(
            conn, f, domain.JP_MINIMUM, None if everything else limit, offset
        )
    items = [BelowMinimumRow(**_plain(r)) for r in rows]
    if everything:
        return render(
            [i.model_dump() for i in items],
            list(BelowMinimumRow.model_fields),
            format,
            f"below-20jp-{f.year}",
        )
    return Page[BelowMinimumRow](total=total, limit=limit, offset=offset, items=items)


@router.get("/api/v1/asn/{nip}", response_model=AsnView, tags=["views"])
async def asn(
    request: Request,
    principal: CurrentPrincipal,
    nip: str,
    year: Year = None,
    format: Format = "json",
) -> Any:
    """One ASN's whole training history (every organiser's), for a credential that covers the
    ASN's home region; `year` narrows it to the trainings that ended in that year."""
    f = _filters(request, principal, asn_view=True, year=year)
    async with _reading(request) as conn:
        person = await repo.asn(conn, nip)
        if person is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "ASN tidak dikenal / unknown ASN")
        if not Scope.of(principal).covers(person["region"]):
            raise _forbidden(
                "ASN ini berasal dari daerah di luar wilayah kredensial ini",
                "this ASN's home region is outside this credential's area",
            )
        trainings = await repo.trainings(conn, [nip], f.year)
        years = [y for y in await repo.jp_per_year(conn, nip) if f.year in (None, y["year"])]
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
    f = _filters(
        request,
        principal,
        year=year,
        publisher=publisher,
        province=None,  # taken; not the credential's scope (other organisers' certificates
        region=region,  # of its own region's ASN are in it), so only checked as a code
        category=category,
    )
    if province is not None:
        _check_province(Scope(None, None), province, asn_view=False)
        f.province = province
    # Explicit `publisher` narrows to that publisher's cohorts; the scope alone also admits
    # the certificates of the credential's own region's ASN from other organisers.
    scope = Scope.of(principal)
    everything = format != "json"
    async with _reading(request) as conn:
        total, rows = await repo.certificates(
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
    publisher: PublisherId = None,
    format: Format = "json",
) -> Any:
    """Outcomes per publisher: each event's decision and every duplicate record."""
    f = _filters(request, principal, publisher=publisher)
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
    region: str | None = None,
    year: Year = None,
    format: Format = "csv",
) -> Response:
    """Completed trainings of the ASN of one BKD's region, in SIASN "riwayat kursus" shape
    (one row per training, NIP as the key; dates dd-mm-yyyy as SIASN takes them)."""
    f = _filters(request, principal, asn_view=True, year=year, region=region)
    if f.region is None:
        raise _refused(
            "region wajib diisi, mis. ?region=35.23", "region is required, e.g. ?region=35.23"
        )
    column = "region_province" if len(f.region) == 2 else "region"
    async with _reading(request) as conn:
        nips = [
            r["nip"]
            for r in await conn.fetch(
                f"SELECT nip FROM asn WHERE {column} = $1 ORDER BY nip", f.region
            )
        ]
        rows = await repo.trainings(conn, nips, f.year, completed_only=True)
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
        out,
        SIASN_COLUMNS,
        "xlsx" if format == "xlsx" else "csv",
        f"siasn-riwayat-kursus-{f.region}",
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
