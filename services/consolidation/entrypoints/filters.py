"""The views' filters and the caller's scope, validated from the query string.

Each of the README's filters (year, publisher, province, region, category) is taken by a view
or refused with 422, never silently ignored (`filters_of`); asking for another publisher,
province or region than the credential's own is 403. `region` is always the ASN's home region
(the `asn` row), not what one registration claimed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Query, Request, status

from services.consolidation import domain
from services.consolidation.adapters import views
from services.consolidation.entrypoints.schemas import Page
from shared.auth import Principal
from shared.events.ingest import Category
from shared.regions import is_province, is_valid_publisher_id, is_valid_region

FILTERS = ("year", "publisher", "province", "region", "category")
CATEGORIES = tuple(c.value for c in Category)
T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]

# The README's filters, as query parameters each view that takes them declares.
Year = Annotated[str | None, Query(description="tahun / year, e.g. 2024")]
PublisherId = Annotated[str | None, Query(description="penyelenggara / publisher: 15, 35.23")]
Province = Annotated[str | None, Query(description="provinsi / province: 15 (or nasional)")]
Region = Annotated[str | None, Query(description="daerah asal ASN / ASN home region")]
CategoryFilter = Annotated[str | None, Query(description="kategori / category: teknis, ...")]


@dataclass(frozen=True)
class Given:
    """All five README filters as the query string gave them, not yet checked: the views
    that take every filter declare them once through `AllFilters`."""

    year: str | None
    publisher: str | None
    province: str | None
    region: str | None
    category: str | None

    def checked(self, request: Request, principal: Principal, **instead: None) -> views.Filters:
        """`filters_of` over all five; a filter in `instead` is taken but applied by the view."""
        return filters_of(request, principal, **{**asdict(self), **instead})


def _given(
    year: Year = None,
    publisher: PublisherId = None,
    province: Province = None,
    region: Region = None,
    category: CategoryFilter = None,
) -> Given:
    # Only collects: checking stays in the route body, so a malformed `limit` is still
    # reported (422) before a forbidden filter (403), as when each route declared them.
    return Given(year, publisher, province, region, category)


AllFilters = Annotated[Given, Depends(_given)]


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int

    def size(self, everything: bool) -> int | None:
        """The page size to read: none when the whole list is exported."""
        return None if everything else self.limit

    def page(self, total: int, items: list[T]) -> Page[T]:
        # The route's response_model validates the items against the row schema.
        return Page(total=total, limit=self.limit, offset=self.offset, items=items)


def _paging(limit: Limit = 50, offset: Offset = 0) -> Paging:
    return Paging(limit, offset)


PageOf = Annotated[Paging, Depends(_paging)]


def refused(message_id: str, message_en: str) -> HTTPException:
    return HTTPException(422, f"{message_id} / {message_en}")


def forbidden(message_id: str, message_en: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, f"{message_id} / {message_en}")


def scope_of(principal: Principal) -> domain.Scope:
    return domain.Scope.of(None if principal.is_national else principal.publisher)


def filters_of(
    request: Request,
    principal: Principal,
    *,
    asn_view: bool = False,
    **given: str | None,
) -> views.Filters:
    """The view's filters, validated, with the caller's scope: a filter the README lists that
    this view does not take is refused (422) rather than silently ignored; asking for another
    publisher, province or region than the credential's own is 403. `province` is the
    organiser's province on cohort views and the ASN's home province on ASN views
    (`asn_view`); `region` is always the ASN's home region."""
    extra = [name for name in FILTERS if name in request.query_params and name not in given]
    if extra:
        takes = ", ".join(name for name in FILTERS if name in given) or "-"
        raise refused(
            f"filter {', '.join(extra)} tidak berlaku untuk tampilan ini (yang berlaku: {takes})",
            f"filter {', '.join(extra)} does not apply to this view (it takes: {takes})",
        )
    scope = scope_of(principal)
    year = _year(given.get("year"))
    publisher = given.get("publisher")
    if publisher is not None:
        _check_publisher(scope, publisher)
    province = given.get("province")
    if province is not None:
        check_province(scope, province, asn_view)
    region = given.get("region")
    _check_region(scope, region)
    category = given.get("category")
    if category is not None and category not in CATEGORIES:
        raise refused(
            f"category {category!r} tidak dikenal; pilih salah satu: {', '.join(CATEGORIES)}",
            f"unknown category {category!r}; use one of: {', '.join(CATEGORIES)}",
        )
    return views.Filters(
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
        raise refused(
            f"year {value!r} harus tahun empat angka, mis. 2024",
            f"year {value!r} must be a four-digit year, e.g. 2024",
        )
    return int(value)


def _check_publisher(scope: domain.Scope, publisher: str) -> None:
    if not is_valid_publisher_id(publisher):
        raise refused(
            f"publisher {publisher!r} bukan id penyelenggara (nasional, 15, 35.23)",
            f"publisher {publisher!r} is not a publisher id (nasional, 15, 35.23)",
        )
    if scope.publisher is not None and publisher != scope.publisher:
        raise forbidden(
            f"kredensial ini tidak boleh melihat penyelenggara {publisher}",
            f"this credential may not see publisher {publisher}",
        )


def check_province(scope: domain.Scope, province: str, asn_view: bool) -> None:
    """`province` is a code (or, for the organiser, nasional) and within the scope: the ASN's
    home province on ASN views, the organiser's province on cohort views."""
    if not (is_province(province) or (province == domain.NASIONAL and not asn_view)):
        allowed = "15" if asn_view else "15, nasional"
        raise refused(
            f"province {province!r} bukan kode provinsi Kemendagri (mis. {allowed})",
            f"province {province!r} is not a Kemendagri province code (e.g. {allowed})",
        )
    mine = scope.covers(province) if asn_view else scope.sees_organiser_province(province)
    if not mine:
        raise forbidden(
            f"kredensial ini tidak boleh melihat provinsi {province}",
            f"this credential may not see province {province}",
        )


def _check_region(scope: domain.Scope, region: str | None) -> None:
    if region is None:
        return
    if not is_valid_region(region):
        raise refused(
            f"region {region!r} bukan kode provinsi atau kabupaten/kota Kemendagri (mis. 35.23)",
            f"region {region!r} is not a Kemendagri province or kabupaten/kota code (e.g. 35.23)",
        )
    if not scope.covers(region):
        raise forbidden(
            f"kredensial ini tidak boleh melihat ASN daerah {region}",
            f"this credential may not see ASN of region {region}",
        )
