"""Attendance rules: who counts as present, which mark wins, a participant's final JP and rate.

Pure: standard library and `shared.regions` only. Rates are exact `Fraction` percentages so
that 27 of 30 JP is exactly 90, never 89.99999.

Public API
- AttendanceStatus, PRESENT_STATUSES, ABSENT_STATUSES, is_present(status) -> bool
- Session(no, date, start, end, jp)
- supersedes(new_time, old_time, *, new_event_id, old_event_id) -> bool
- Finalisation; finalise(sessions, marks) -> Finalisation
- Figures, figures(finalisation) -> Figures   (as events, rows and the API publish it)
- attendance_pct(jp_present, jp_total) -> Fraction
- pct_as_decimal(pct, places=6) -> Decimal
- session_start_utc(day, start, tz_name) -> datetime
- local_date_of(instant, tz_name) -> date   (from shared.regions, with TIMEZONES)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Final

from shared.regions import TIMEZONES, local_date_of, local_to_utc

__all__ = [
    "ABSENT_STATUSES",
    "PRESENT_STATUSES",
    "TIMEZONES",
    "AttendanceStatus",
    "Figures",
    "Finalisation",
    "Session",
    "attendance_pct",
    "figures",
    "finalise",
    "is_present",
    "local_date_of",
    "pct_as_decimal",
    "session_start_utc",
    "supersedes",
]


class AttendanceStatus(StrEnum):
    HADIR = "HADIR"
    TERLAMBAT = "TERLAMBAT"
    IZIN = "IZIN"
    SAKIT = "SAKIT"
    ALPA = "ALPA"


PRESENT_STATUSES: Final = frozenset({AttendanceStatus.HADIR, AttendanceStatus.TERLAMBAT})
# Izin and sakit are excused, but still absent: excuses do not earn JP.
ABSENT_STATUSES: Final = (AttendanceStatus.IZIN, AttendanceStatus.SAKIT, AttendanceStatus.ALPA)


def is_present(status: AttendanceStatus) -> bool:
    return status in PRESENT_STATUSES


@dataclass(frozen=True)
class Session:
    """One scheduled session; `date`, `start` and `end` are local to the cohort's venue."""

    no: int
    date: date
    start: time
    end: time
    jp: Decimal

    def __post_init__(self) -> None:
        if self.jp < 0:
            raise ValueError(f"session {self.no}: jp {self.jp} is negative")


def supersedes(
    new_time: datetime, old_time: datetime, *, new_event_id: str, old_event_id: str
) -> bool:
    """Whether a new mark replaces the stored one for the same (cohort, NIP, session).

    The later `time` wins. Equal times fall back to the event id so every replica and every
    replay keeps the same mark whatever order it saw them in; equal ids keep the stored mark.
    In SQL: `(new.time, new.event_id) > (old.time, old.event_id)`.
    """
    if new_time.utcoffset() is None or old_time.utcoffset() is None:
        raise ValueError("event times must be timezone-aware")
    return (new_time, new_event_id) > (old_time, old_event_id)


def attendance_pct(jp_present: Decimal, jp_total: Decimal) -> Fraction:
    """JP present as an exact percentage of all the cohort's JP; 0 when there is no JP."""
    if jp_total == 0:
        return Fraction(0)
    return Fraction(jp_present) * 100 / Fraction(jp_total)


def pct_as_decimal(pct: Fraction, places: int = 6) -> Decimal:
    """For events and displays: truncated, never rounded, so 89.9999996 cannot become 90."""
    if pct < 0:
        raise ValueError(f"percentage {pct} is negative")
    return Decimal(math.floor(pct * 10**places)).scaleb(-places)


@dataclass(frozen=True)
class Finalisation:
    """A participant's attendance when the cohort closes. Sessions with no mark count as
    absent: they appear in `sessions_unrecorded`, not in `sessions_missed_by_status`."""

    jp_present: Decimal
    jp_total: Decimal
    rate_pct: Fraction
    sessions_total: int
    sessions_present: int
    sessions_missed_by_status: Mapping[AttendanceStatus, int]
    sessions_unrecorded: int


def finalise(sessions: Iterable[Session], marks: Mapping[int, AttendanceStatus]) -> Finalisation:
    """`marks` maps session number to the winning status. Marks for session numbers not in
    the schedule are ignored: an amendment removed that session, so it earns no JP."""
    schedule = _by_number(sessions)
    present = [s for s in schedule.values() if marks.get(s.no) in PRESENT_STATUSES]
    jp_present = sum((s.jp for s in present), Decimal(0))
    jp_total = sum((s.jp for s in schedule.values()), Decimal(0))
    recorded = [marks[no] for no in schedule if no in marks]
    return Finalisation(
        jp_present=jp_present,
        jp_total=jp_total,
        rate_pct=attendance_pct(jp_present, jp_total),
        sessions_total=len(schedule),
        sessions_present=len(present),
        sessions_missed_by_status={s: recorded.count(s) for s in ABSENT_STATUSES},
        sessions_unrecorded=len(schedule) - len(recorded),
    )


UNRECORDED: Final = "UNRECORDED"


@dataclass(frozen=True, slots=True)
class Figures:
    """A finalisation as it is published: the rate truncated to a decimal, and the sessions
    missed by status with the unrecorded ones under `UNRECORDED`."""

    jp_present: Decimal
    jp_total: Decimal
    rate_pct: Decimal
    sessions_total: int
    sessions_present: int
    missed_by_status: dict[str, int]


def figures(f: Finalisation) -> Figures:
    missed = {s.value: n for s, n in f.sessions_missed_by_status.items()}
    missed[UNRECORDED] = f.sessions_unrecorded
    return Figures(
        f.jp_present,
        f.jp_total,
        pct_as_decimal(f.rate_pct),
        f.sessions_total,
        f.sessions_present,
        missed,
    )


def _by_number(sessions: Iterable[Session]) -> dict[int, Session]:
    schedule: dict[int, Session] = {}
    for session in sessions:
        if session.no in schedule:
            raise ValueError(f"session {session.no} appears twice in the schedule")
        schedule[session.no] = session
    return schedule


def session_start_utc(day: date, start: time, tz_name: str) -> datetime:
    """A session's local start (or end) at a venue in `tz_name` as an aware UTC instant."""
    return local_to_utc(day, start, tz_name)
