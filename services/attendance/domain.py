"""Attendance rules: whether a mark counts, which mark wins, a participant's final JP and rate.

Pure: standard library, `shared.regions`, `shared.reasons` and `shared.judgement` only. Rates
are exact `Fraction` percentages so that 27 of 30 JP is exactly 90, never 89.99999.

Public API
- AttendanceStatus, PRESENT_STATUSES, ABSENT_STATUSES, is_present(status) -> bool
- Mark, CohortFacts; judge(facts, mark, publisher, position) -> MarkDecision, one of
  shared.judgement's SAVE, Reject(reason, ...) or Wait(waiting, reason)
- supersedes(new_time, old_time, *, new_event_id, old_event_id) -> bool
- winning_marks(marks, held) -> list[Mark]
- Session(no, date, start, end, jp); Finalisation; finalise(sessions, marks) -> Finalisation
- Figures, figures(finalisation) -> Figures   (as events, rows and the API publish it)
- finalise_roster(sessions, roster, marks) -> {nip: Figures}
- attendance_pct(jp_present, jp_total) -> Fraction
- pct_as_decimal(pct, places=6) -> Decimal
- local_date_of(instant, tz_name) -> date   (from shared.regions, with TIMEZONES)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Final, NamedTuple, Protocol

from shared import judgement
from shared.reasons import ReasonCode
from shared.regions import TIMEZONES, local_date_of

__all__ = [
    "ABSENT_STATUSES",
    "PRESENT_STATUSES",
    "TIMEZONES",
    "AttendanceStatus",
    "CohortFacts",
    "Figures",
    "Finalisation",
    "Held",
    "Mark",
    "MarkDecision",
    "Member",
    "Session",
    "attendance_pct",
    "figures",
    "finalise",
    "finalise_roster",
    "is_present",
    "judge",
    "local_date_of",
    "pct_as_decimal",
    "supersedes",
    "winning_marks",
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


# --- judging a mark ------------------------------------------------------------------------


class Mark(NamedTuple):
    """One attendance mark as sent (a tuple: one is built per mark on the hot path)."""

    cohort_code: str
    nip: str
    session_no: int
    status: str
    note: str | None
    event_id: str
    time: datetime


@dataclass(frozen=True, slots=True)
class CohortFacts:
    """What the marks of one cohort are judged against."""

    publisher: str
    status: str  # scheduled, cancelled or finalised
    roster_final: bool  # enrolment has closed it: nobody is still coming
    sessions: frozenset[int]
    enrolled: frozenset[str]  # of the NIPs asked about: enrolled and not withdrawn
    withdrawn: frozenset[str]
    barriers: tuple[judgement.CloseBarrier, ...]


MarkDecision = judgement.Save | judgement.Reject | judgement.Wait

_CANCELLED: Final = judgement.Reject(ReasonCode.COHORT_CANCELLED)
_FINALISED: Final = judgement.Reject(ReasonCode.COHORT_CLOSED)
_SENT_AFTER_CLOSE: Final = judgement.Reject(
    ReasonCode.COHORT_CLOSED,
    "Presensi dikirim setelah angkatan ditutup.",
    "Attendance was sent after the cohort was closed.",
)
_WITHDRAWN: Final = judgement.Reject(
    ReasonCode.NOT_ENROLLED,
    "Peserta sudah mengundurkan diri dari angkatan ini.",
    "The participant has withdrawn from this cohort.",
)
_NOT_ENROLLED: Final = judgement.Reject(ReasonCode.NOT_ENROLLED)
_FOR_COHORT: Final = judgement.Wait(judgement.Waiting.COHORT, ReasonCode.UNKNOWN_COHORT)
_FOR_VERDICT: Final = judgement.Wait(judgement.Waiting.CLOSE_VERDICT, ReasonCode.COHORT_CLOSED)
_FOR_ENROLMENT: Final = judgement.Wait(judgement.Waiting.ENROLMENT, ReasonCode.NOT_ENROLLED)


def judge(
    facts: CohortFacts | None, mark: Mark, publisher: str | None, position: tuple[str, int, int]
) -> MarkDecision:
    """Whether a mark counts, is refused, or must wait; `publisher` sent it from `position`."""
    code = mark.cohort_code
    if facts is None:
        return _FOR_COHORT
    if facts.publisher != publisher:
        return judgement.Reject(
            ReasonCode.NOT_OWNER,
            f"Angkatan {code} milik penerbit {facts.publisher}.",
            f"Cohort {code} belongs to publisher {facts.publisher}.",
        )
    if facts.status == "cancelled":
        return _CANCELLED
    standing = (
        judgement.close_standing(facts.barriers, position)
        if facts.barriers
        else judgement.Standing.OPEN
    )
    if standing is judgement.Standing.CLOSED:
        return _SENT_AFTER_CLOSE
    if standing is judgement.Standing.UNCONFIRMED:
        # Sent after a close enrolment has not ruled on yet: closed or not, we cannot tell.
        return _FOR_VERDICT
    if mark.session_no not in facts.sessions:
        return judgement.Reject(
            ReasonCode.UNKNOWN_SESSION,
            f"Sesi {mark.session_no} tidak ada dalam jadwal {code}.",
            f"Session {mark.session_no} is not in the schedule of {code}.",
        )
    if mark.nip in facts.withdrawn:
        return _WITHDRAWN
    if mark.nip not in facts.enrolled:
        # Until the roster is final, the enrolment may still be in flight on the domain topic.
        return _NOT_ENROLLED if facts.roster_final else _FOR_ENROLMENT
    if facts.status == "finalised":
        return _FINALISED
    return judgement.SAVE


# --- which mark wins -----------------------------------------------------------------------

# A stored mark's (time, event id), by (cohort, NIP, session).
Held = Mapping[tuple[str, str, int], tuple[datetime, str]]


def supersedes(
    new_time: datetime, old_time: datetime, *, new_event_id: str, old_event_id: str
) -> bool:
    """Whether a new mark replaces the stored one for the same (cohort, NIP, session).

    The later `time` wins. Equal times fall back to the event id so every replica and every
    replay keeps the same mark whatever order it saw them in; equal ids keep the stored mark.
    """
    if new_time.utcoffset() is None or old_time.utcoffset() is None:
        raise ValueError("event times must be timezone-aware")
    return (new_time, new_event_id) > (old_time, old_event_id)


def winning_marks(marks: Iterable[Mark], held: Held) -> list[Mark]:
    """The marks to store: per (cohort, NIP, session), the one that supersedes both the
    others sent and the stored one; none where the stored mark still wins."""
    latest: dict[tuple[str, str, int], Mark] = {}
    for mark in marks:
        key = (mark.cohort_code, mark.nip, mark.session_no)
        rival = latest.get(key)
        if rival is None:
            if (stored := held.get(key)) is None or supersedes(
                mark.time, stored[0], new_event_id=mark.event_id, old_event_id=stored[1]
            ):
                latest[key] = mark
        elif supersedes(
            mark.time, rival.time, new_event_id=mark.event_id, old_event_id=rival.event_id
        ):
            latest[key] = mark
    return list(latest.values())


# --- finalisation --------------------------------------------------------------------------


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
    recorded = {no: marks[no] for no in schedule if no in marks}
    present = [schedule[no] for no, status in recorded.items() if is_present(status)]
    jp_present = sum((s.jp for s in present), Decimal(0))
    jp_total = sum((s.jp for s in schedule.values()), Decimal(0))
    statuses = list(recorded.values())
    return Finalisation(
        jp_present=jp_present,
        jp_total=jp_total,
        rate_pct=attendance_pct(jp_present, jp_total),
        sessions_total=len(schedule),
        sessions_present=len(present),
        sessions_missed_by_status={s: statuses.count(s) for s in ABSENT_STATUSES},
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


class Member(Protocol):
    """A roster entry as finalisation needs it."""

    @property
    def nip(self) -> str: ...
    @property
    def withdrawn(self) -> bool: ...


def finalise_roster(
    sessions: Sequence[Session], roster: Iterable[Member], marks: Mapping[str, Mapping[int, str]]
) -> dict[str, Figures]:
    """Each enrolled, not withdrawn participant's figures by NIP; no marks means rate 0.

    Participants with the same marks share one result: most of a cohort attended alike, and
    the rule and its figures are most of a close's work."""
    alike: dict[frozenset[tuple[int, str]], Figures] = {}
    results: dict[str, Figures] = {}
    for member in roster:
        if not member.withdrawn:
            own = marks.get(member.nip, {})
            key = frozenset(own.items())
            if (result := alike.get(key)) is None:
                statuses = {no: AttendanceStatus(s) for no, s in own.items()}
                result = alike[key] = figures(finalise(sessions, statuses))
            results[member.nip] = result
    return results


def _by_number(sessions: Iterable[Session]) -> dict[int, Session]:
    schedule: dict[int, Session] = {}
    for session in sessions:
        if session.no in schedule:
            raise ValueError(f"session {session.no} appears twice in the schedule")
        schedule[session.no] = session
    return schedule
