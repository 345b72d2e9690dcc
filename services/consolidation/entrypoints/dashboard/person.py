"""One ASN's page: the JP of each year against the minimum, the year's trainings with why each
did or did not count, and the certificates with their verification pages. The person's scope
check is the API's own (a publisher sees only its own region's ASN)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.consolidation.entrypoints.dashboard.atrisk import OverviewLinks, Position, Step, trail
from services.consolidation.entrypoints.dashboard.data import Reader
from services.consolidation.entrypoints.dashboard.overview import chosen_year, script_safe
from services.consolidation.entrypoints.schemas import (
    CertificateRow,
    DeterminationView,
    ProvenanceRow,
    Training,
)
from services.consolidation.settings import dashboard_settings
from shared.regions import NASIONAL, is_kabupaten_kota, is_province

YEARS_SHOWN = 6


@dataclass(frozen=True)
class YearJp:
    year: int
    jp: float
    minimum: float | None
    standing: str


@dataclass(frozen=True)
class TrainingLine:
    """One training of the year and what it did for the year's JP."""

    provenance: ProvenanceRow
    programme: str
    organizer: str
    start: dt.date | None
    end: dt.date | None
    verify_href: str | None


@dataclass(frozen=True)
class CertificateLine:
    row: CertificateRow
    verify_href: str | None


@dataclass(frozen=True)
class AsnPage:
    year: int
    person: DeterminationView
    years: list[YearJp]
    trainings: list[TrainingLine]
    certificates: list[CertificateLine]
    trail: list[Step]

    def chart_data(self) -> str:
        """What the JP chart draws (the table beside it carries the same)."""
        return script_safe(
            {"years": [{"year": y.year, "jp": y.jp, "minimum": y.minimum} for y in self.years]}
        )


def verify_href(code: str | None) -> str | None:
    return None if code is None else dashboard_settings().verification_url(code)


async def asn_page(reader: Reader, nip: str, year_given: str | None, today: dt.date) -> AsnPage:
    """The ASN's page for the year asked for, else the latest year with data."""
    first = await reader.determination(nip, today.year)
    trend = await reader.trend(region=first.region) if _is_region(first.region) else []
    year = chosen_year(year_given, trend, today)
    person = first if year == today.year else await reader.determination(nip, year)
    wanted = sorted({*(r.year for r in trend if r.year <= today.year), year})[-YEARS_SHOWN:]
    years = [await _year_jp(reader, nip, y, person) for y in wanted]
    history = await reader.asn_history(nip)
    certificates = await reader.certificates_of(nip)
    steps = trail(reader.principal, _position_of(person), OverviewLinks)
    return AsnPage(
        year=year,
        person=person,
        years=years,
        trainings=_lines(person, history.trainings if history else [], certificates),
        certificates=[CertificateLine(c, verify_href(c.verification_code)) for c in certificates],
        trail=[*steps, ("", person.name, person.name)],
    )


def _is_region(code: str) -> bool:
    """A kabupaten/kota or a province (a provincial ASN's home), not a central agency's."""
    return code != NASIONAL


def _position_of(person: DeterminationView) -> Position:
    """Where the ASN is counted: a kabupaten/kota's agency, a province, or the nation."""
    if is_kabupaten_kota(person.region):
        return Position(person.year, None, person.region, person.agency)
    if is_province(person.region):
        return Position(person.year, person.region)
    return Position(person.year)


async def _year_jp(reader: Reader, nip: str, year: int, shown: DeterminationView) -> YearJp:
    d = shown if year == shown.year else await reader.determination(nip, year)
    return YearJp(d.year, d.jp, d.minimum, d.standing)


def _lines(
    person: DeterminationView, trainings: list[Training], certificates: list[CertificateRow]
) -> list[TrainingLine]:
    """The determination's provenance with each cohort's programme, organiser and dates."""
    by_cohort = {t.cohort_code: t for t in trainings}
    codes = {c.number: c.verification_code for c in certificates}
    lines = []
    for p in person.provenance:
        t = by_cohort.get(p.cohort_code)
        number = p.certificate_number
        lines.append(
            TrainingLine(
                provenance=p,
                programme=t.programme_name if t else p.cohort_code,
                organizer=t.organizer if t else "",
                start=t.start_date if t else None,
                end=t.end_date if t else None,
                verify_href=verify_href(codes.get(number)) if number else None,
            )
        )
    return lines
