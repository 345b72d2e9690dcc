"""The at-risk list's content: the ASN below the JP minimum or at zero at one position (the
nation, a province, a kabupaten/kota, an agency), sorted and paged, with its breadcrumb, the
filter form's choices and the downloads of the same list."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import cast
from urllib.parse import urlencode

from services.consolidation.adapters.compliance_views import Sort
from services.consolidation.entrypoints.dashboard import links
from services.consolidation.entrypoints.dashboard.data import Reader, home_position
from services.consolidation.entrypoints.dashboard.listing import PAGE_SIZE, page_number
from services.consolidation.entrypoints.dashboard.overview import chosen_year
from services.consolidation.entrypoints.filters import Paging
from services.consolidation.entrypoints.schemas import AtRiskRow
from shared.auth import Principal
from shared.regions import NASIONAL, PROVINCES, is_province, region_name

TOP_SIZE = 10
# The orders a person can choose, in the order the form lists them: (Indonesian, English).
SORTS: dict[str, tuple[str, str]] = {
    "shortfall": ("Kekurangan JP terbesar", "Largest shortfall first"),
    "jp": ("JP paling sedikit", "Fewest JP first"),
    "name": ("Nama (A-Z)", "Name (A-Z)"),
}
Step = tuple[str, str, str]  # (href, Indonesian, English)


@dataclass(frozen=True)
class Position:
    """Where a list looks: a year and, each optional, a province, a kabupaten/kota, an agency."""

    year: int
    province: str | None = None
    region: str | None = None
    agency: str | None = None

    @property
    def home_province(self) -> str | None:
        return self.province or (self.region[:2] if self.region else None)

    def api_query(self, **more: str) -> str:
        given = {
            "year": str(self.year),
            "province": self.province,
            "region": self.region,
            "agency": self.agency,
            **more,
        }
        return urlencode({k: v for k, v in given.items() if v is not None})


def place(code: str) -> str:
    """Where an ASN belongs, in words: a central agency's ASN, or the region's name."""
    return "Instansi pusat" if code == NASIONAL else region_name(code)


def position_of(
    principal: Principal, year: int, province: str | None, region: str | None, agency: str | None
) -> Position:
    """The position asked for, else the credential's own area. What lies below a level the
    form left empty or changed (a kabupaten/kota outside the province chosen) is dropped."""
    if province == "" or (province and region and region[:2] != province):
        region, agency = None, None
    if region == "":
        agency = None
    province, region, agency = (v or None for v in (province, region, agency))
    if province is None and region is None and agency is None:
        province, region = home_position(principal)
    return Position(year, province, region, agency)


def trail(principal: Principal, at: Position, href: type[Links]) -> list[Step]:
    """The breadcrumb from the credential's own level down to `at`, names not codes."""
    steps: list[Step] = [
        (href.of(replace(at, province=None, region=None, agency=None)), "Nasional", "National")
    ]
    province = at.home_province
    if province is not None:
        name = region_name(province)
        steps.append((href.of(Position(at.year, province)), name, name))
    if at.region is not None:
        name = region_name(at.region)
        steps.append((href.of(Position(at.year, province, at.region)), name, name))
    if at.agency is not None:
        steps.append((href.of(at), at.agency, at.agency))
    return steps[_levels_above(principal) :]


def _levels_above(principal: Principal) -> int:
    """How many steps of the breadcrumb lie above the credential's own area."""
    home_province, home_region = home_position(principal)
    return 2 if home_region is not None else 1 if home_province is not None else 0


class Links:
    """Where each step of the at-risk list's breadcrumb leads: the list at that position."""

    @staticmethod
    def of(at: Position) -> str:
        return links.at_risk(at.year, at.province, at.region, at.agency)


class OverviewLinks(Links):
    """...or the overview page of that position (the agency page's breadcrumb)."""

    @staticmethod
    def of(at: Position) -> str:
        if at.agency is not None and at.region is not None:
            return links.agency(at.region, at.agency, at.year)
        if at.region is not None:
            return links.region(at.region, at.year)
        if at.province is not None:
            return links.province(at.province, at.year)
        return links.HOME + f"?year={at.year}"


@dataclass(frozen=True)
class PageLink:
    label: str
    href: str
    current: bool = False


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class AtRiskList:
    at: Position
    sort: Sort
    total: int
    offset: int
    rows: list[AtRiskRow]
    years: list[int]
    trail: list[Step]
    provinces: list[Choice]
    regions: list[Choice]
    agencies: list[Choice]

    @property
    def shown(self) -> tuple[int, int]:
        """The first and last row number on this page (1-based; 0, 0 when empty)."""
        return (self.offset + 1, self.offset + len(self.rows)) if self.rows else (0, 0)

    def sort_href(self, sort: str) -> str:
        return links.at_risk(self.at.year, self.at.province, self.at.region, self.at.agency, sort)

    def pages(self) -> list[PageLink]:
        """Links to the first, last and nearby pages of the list."""
        count = math.ceil(self.total / PAGE_SIZE)
        current = self.offset // PAGE_SIZE
        wanted = sorted({0, count - 1, *range(current - 2, current + 3)} & set(range(count)))
        return [PageLink(str(n + 1), self.page_href(n), n == current) for n in wanted]

    def page_href(self, number: int) -> str:
        at = self.at
        return links.at_risk(at.year, at.province, at.region, at.agency, self.sort, number + 1)

    def previous_href(self) -> str | None:
        current = self.offset // PAGE_SIZE
        return self.page_href(current - 1) if current > 0 else None

    def next_href(self) -> str | None:
        following = self.offset // PAGE_SIZE + 1
        return self.page_href(following) if following * PAGE_SIZE < self.total else None

    def downloads(self) -> list[tuple[str, str, str]]:
        """(href, Indonesian, English) of the same list as files, and for a whole kabupaten/kota
        the SIASN upload of its ASN's completed trainings."""
        return downloads(self.at, self.sort)


def downloads(at: Position, sort: str = "shortfall") -> list[tuple[str, str, str]]:
    api = "/api/v1/compliance/at-risk?"
    found = [
        (api + at.api_query(sort=sort, format="csv"), "Unduh CSV", "Download CSV"),
        (api + at.api_query(sort=sort, format="xlsx"), "Unduh XLSX", "Download XLSX"),
    ]
    if at.region is not None and at.agency is None:
        siasn = "/api/v1/exports/siasn?" + urlencode({"region": at.region, "year": at.year})
        found.append((siasn, "Ekspor SIASN (CSV)", "SIASN export (CSV)"))
        found.append((siasn + "&format=xlsx", "Ekspor SIASN (XLSX)", "SIASN export (XLSX)"))
    return found


def sort_of(given: str | None) -> Sort:
    return cast(Sort, given) if given in SORTS else "shortfall"


async def at_risk_list(
    reader: Reader,
    given: tuple[str | None, str | None, str | None, str | None],
    sort_given: str | None,
    page_given: str | None,
    today: dt.date,
) -> AtRiskList:
    """The list at the position `given` as (year, province, region, agency)."""
    year_given, province, region, agency = given
    at = position_of(reader.principal, today.year, province, region, agency)
    trend = await reader.trend(at.province, at.region)
    at = replace(at, year=chosen_year(year_given, trend, today))
    agencies = await _agencies(reader, at)
    if agencies and at.agency not in {c.value for c in agencies}:
        at = replace(at, agency=None)  # the form's agency of the kabupaten/kota left behind
    sort = sort_of(sort_given)
    offset = (page_number(page_given) - 1) * PAGE_SIZE
    found = await reader.at_risk(
        at.year, (at.province, at.region, at.agency), sort, Paging(PAGE_SIZE, offset)
    )
    return AtRiskList(
        at=at,
        sort=sort,
        total=found.total,
        offset=offset,
        rows=found.items,
        years=sorted({*(r.year for r in trend), at.year, today.year}, reverse=True),
        trail=trail(reader.principal, at, Links),
        provinces=_provinces(reader.principal),
        regions=await _regions(reader, at),
        agencies=agencies,
    )


def _provinces(principal: Principal) -> list[Choice]:
    """Every province for a national credential; none to choose for a publisher's."""
    if home_position(principal) != (None, None):
        return []
    return [Choice(code, name) for code, name in PROVINCES.items()]


async def _regions(reader: Reader, at: Position) -> list[Choice]:
    """The kabupaten/kota of the position's province, unless the credential is one itself."""
    province = at.home_province
    if province is None or not is_province(province) or home_position(reader.principal)[1]:
        return []
    summary = await reader.compliance(at.year, province)
    return sorted((Choice(r.key, region_name(r.key)) for r in summary.rows), key=lambda c: c.label)


async def _agencies(reader: Reader, at: Position) -> list[Choice]:
    """The agencies of the position's kabupaten/kota."""
    if at.region is None:
        return []
    summary = await reader.compliance(at.year, region=at.region)
    return [Choice(r.key, r.key) for r in sorted(summary.rows, key=lambda r: r.key)]


async def top_of(reader: Reader, at: Position) -> list[AtRiskRow]:
    """The largest shortfalls of a position, for its overview page."""
    found = await reader.at_risk(
        at.year, (at.province, at.region, at.agency), "shortfall", Paging(TOP_SIZE, 0)
    )
    return found.items
