"""The overview's content: a year's picture of the signed-in credential's area (the nation, a
province or a kabupaten/kota), its trend, and its parts ranked by compliance."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from services.consolidation.entrypoints.dashboard import links
from services.consolidation.entrypoints.dashboard.data import Reader, home_position
from services.consolidation.entrypoints.schemas import ComplianceCounts, Statistics, TrendRow
from shared.formatting import share
from shared.regions import PROVINCES, region_name

RANKING = "#peringkat"  # the area's parts, on the overview itself


@dataclass(frozen=True)
class Status:
    """One of the year's standings with its count, its share and where its list is."""

    key: str
    label_id: str
    label_en: str
    count: int
    share: Decimal | None
    of_id: str
    of_en: str
    href: str


@dataclass(frozen=True)
class Part:
    """One province, kabupaten/kota or agency in the ranking."""

    key: str
    name: str
    counts: ComplianceCounts
    href: str


@dataclass(frozen=True)
class Overview:
    year: int
    province: str | None
    region: str | None
    years: list[int]
    where_id: str
    where_en: str
    parts_id: str
    parts_en: str
    totals: ComplianceCounts
    statuses: list[Status]
    statistics: Statistics
    rejections: int
    trend: list[TrendRow]
    parts: list[Part]

    def trail(self) -> list[tuple[str, str, str]]:
        """The breadcrumb above this area: (href, Indonesian, English) of each level."""
        steps = [(links.HOME + f"?year={self.year}", "Nasional", "National")]
        province = self.province or (self.region[:2] if self.region else None)
        if province is not None:
            name = PROVINCES.get(province, province)
            steps.append((links.province(province, self.year), name, name))
        if self.region is not None:
            name = region_name(self.region)
            steps.append((links.region(self.region, self.year), name, name))
        return steps

    def chart_data(self) -> str:
        """What the charts draw, as JSON for the page's script (the tables carry the same)."""
        return script_safe(
            {
                "trend": [{"year": r.year, "pct": r.compliance_pct} for r in self.trend],
                "parts": [
                    {"name": p.name, "pct": p.counts.compliance_pct, "href": p.href}
                    for p in self.parts
                ],
            }
        )


def script_safe(value: object) -> str:
    """JSON that cannot end the <script> element it sits in (names come from publishers)."""
    text = json.dumps(value, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chosen_year(given: str | None, trend: list[TrendRow], today: dt.date) -> int:
    """The year asked for when it is one; else the latest year with data up to this one (a
    cohort scheduled years ahead opens a year nobody has trained in yet), else this year."""
    if given is not None and given.isdigit() and 2000 <= int(given) <= 2100:
        return int(given)
    return max((r.year for r in trend if r.year <= today.year), default=today.year)


async def overview(
    reader: Reader,
    year_given: str | None,
    today: dt.date,
    province: str | None = None,
    region: str | None = None,
) -> Overview:
    """The overview of the province or kabupaten/kota asked for, else of the credential's own
    area; a position outside the credential's area is refused by the views themselves."""
    if province is None and region is None:
        province, region = home_position(reader.principal)
    trend = await reader.trend(province, region)
    year = chosen_year(year_given, trend, today)
    # Three independent reads, each on its own pooled connection: the page waits for the
    # slowest, not for their sum. An area's own publisher (a province's or a kabupaten/kota's
    # code is its publisher id) for the data quality.
    summary, stats, quality = await asyncio.gather(
        reader.compliance(year, province, region),
        reader.statistics(year, province, region),
        reader.data_quality(region or province),
    )
    where_id, where_en, parts_id, parts_en = _where(province, region)
    return Overview(
        year=year,
        province=province,
        region=region,
        years=sorted({*(r.year for r in trend), year, today.year}, reverse=True),
        where_id=where_id,
        where_en=where_en,
        parts_id=parts_id,
        parts_en=parts_en,
        totals=summary.totals,
        statuses=statuses(summary.totals, year, province, region),
        statistics=stats,
        rejections=sum(q.rejected for q in quality),
        trend=sorted(trend, key=lambda r: r.year),
        parts=ranked(summary.rows, summary.level, year, region),
    )


def statuses(
    t: ComplianceCounts, year: int, province: str | None, region: str | None
) -> list[Status]:
    assessed = t.met + t.below + t.zero
    risk = links.at_risk(year, province, region)
    of_assessed = ("dari yang dinilai", "of those assessed")
    of_roster = ("dari roster", "of the roster")
    of_known = ("dari ASN yang dikenal", "of the ASN known")
    return [
        Status("met", "Memenuhi 20 JP", "Met 20 JP", t.met, share(t.met, assessed),
               *of_assessed, RANKING),
        Status("below", "Di bawah 20 JP", "Below 20 JP", t.below, share(t.below, assessed),
               *of_assessed, risk),
        Status("zero", "Nol JP", "Zero JP", t.zero, share(t.zero, assessed), *of_assessed, risk),
        Status("exempt", "Dikecualikan", "Exempt", t.exempt, share(t.exempt, t.roster),
               *of_roster, risk),
        Status("not_in_roster", "Tidak ada di roster", "Not in the roster", t.not_in_roster,
               share(t.not_in_roster, t.roster + t.not_in_roster), *of_known,
               links.data_quality(region or province)),
    ]  # fmt: skip


def ranked(rows: list[ComplianceCounts], level: str, year: int, region: str | None) -> list[Part]:
    """The parts, most compliant first (none assessed last), each linking one level down."""

    def href(row: ComplianceCounts) -> str:
        if level == "province":
            return links.province(row.key, year)
        if level == "region":
            return links.region(row.key, year)
        return links.agency(region or "", row.key, year)

    order = sorted(rows, key=lambda r: (r.compliance_pct is None, -(r.compliance_pct or 0)))
    return [Part(r.key, r.name, r, href(r)) for r in order]


def _where(province: str | None, region: str | None) -> tuple[str, str, str, str]:
    """The area's name and what its parts are, in Indonesian and English."""
    if region is not None:
        name = region_name(region)
        return (name, name, "Instansi", "Agencies")
    if province is not None:
        name = PROVINCES.get(province, province)
        return (f"Provinsi {name}", f"{name} province", "Kabupaten/kota", "Regencies and cities")
    return ("Nasional", "National", "Provinsi", "Provinces")
