"""When each region's publisher is reminded of its ASN below the 20 JP minimum, and what the
reminder says (issue 19, item 5). Pure.

From a day of the year (default 1 October) to the year's end, on a cadence (default weekly),
one reminder per publisher per period: the period's key makes sending idempotent, so a restart
or a replay within a period repeats nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from shared import formatting
from shared.regions import NASIONAL, province_name

_NAMESPACE = uuid.UUID("5d1f7a4e-9c1b-4f5e-8a7d-2b6c0e3f9a10")


@dataclass(frozen=True)
class Schedule:
    start_month: int = 10
    start_day: int = 1
    cadence_days: int = 7

    def start(self, year: int) -> date:
        return date(year, self.start_month, self.start_day)


@dataclass(frozen=True)
class Period:
    """One reminder period of a year: its number (1 from the start day) and first day."""

    year: int
    number: int
    first_day: date

    @property
    def key(self) -> str:
        return f"{self.year}-P{self.number:02d}"

    @property
    def deadline(self) -> date:
        return date(self.year, 12, 31)


def period_of(today: date, schedule: Schedule = Schedule()) -> Period | None:
    """The period `today` falls in, or None before the year's start day."""
    start = schedule.start(today.year)
    if today < start:
        return None
    number = (today - start).days // schedule.cadence_days + 1
    first = date.fromordinal(start.toordinal() + (number - 1) * schedule.cadence_days)
    return Period(today.year, number, first)


def reminder_id(publisher: str, period: Period) -> str:
    """The reminder's event id: the same publisher and period always give the same id."""
    return str(uuid.uuid5(_NAMESPACE, f"{publisher}/{period.key}"))


@dataclass(frozen=True)
class Standing:
    """What a publisher's own ASN stand at for the year, from the maintained counts."""

    roster: int
    below: int
    zero: int


@dataclass(frozen=True)
class Reminder:
    publisher: str
    period: Period
    standing: Standing
    list_path: str
    message_id: str
    message_en: str


def reminder(publisher: str, period: Period, standing: Standing) -> Reminder | None:
    """The reminder for `publisher`, or None when none of its ASN is below the minimum."""
    at_risk = standing.below + standing.zero
    if at_risk == 0:
        return None
    path = at_risk_path(publisher, period.year)
    deadline = formatting.date(period.deadline)
    where = _area_name(publisher)
    return Reminder(
        publisher,
        period,
        standing,
        path,
        f"Pengingat 20 JP {period.year} ({where}): {at_risk} dari {standing.roster} ASN belum "
        f"memenuhi 20 JP ({standing.zero} belum berlatih sama sekali, {standing.below} kurang "
        f"dari 20 JP). Batas waktu {deadline}. Daftar lengkap: {path}",
        f"20 JP reminder {period.year} ({where}): {at_risk} of {standing.roster} ASN have not "
        f"met 20 JP ({standing.zero} with no training at all, {standing.below} below 20 JP). "
        f"Deadline {period.deadline.isoformat()}. Full list: {path}",
    )


def at_risk_path(publisher: str, year: int) -> str:
    """The publisher's own ASN (its region exactly: a province's provincial ASN)."""
    return f"/api/v1/compliance/at-risk?year={year}&region={publisher}"


def _area_name(publisher: str) -> str:
    if publisher == NASIONAL:
        return "instansi pusat"
    if len(publisher) == 2:
        return f"Provinsi {province_name(publisher)}"
    return f"daerah {publisher}"
