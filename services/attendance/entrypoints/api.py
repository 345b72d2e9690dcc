"""Attendance HTTP API: the paper-style sheet, a participant's summary, daily presence counts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel

from services.attendance import domain
from services.attendance.adapters import postgres as repo
from services.attendance.ports import CohortRow
from shared.auth import CurrentPrincipal, require_publisher_access
from shared.runtime import runtime_of

router = APIRouter(prefix="/api/v1", tags=["attendance"])
ZONE_ABBREVIATION = {zone: abbr for abbr, zone in domain.TIMEZONES.items()}


class SessionColumn(BaseModel):
    no: int
    date: dt.date  # at the venue
    start: str  # "07:30 WITA"
    end: str
    jp: Decimal
    title: str | None
    starts_at: dt.datetime  # UTC


class SheetRow(BaseModel):
    nip: str
    name: str
    withdrawn: bool
    statuses: list[str | None]  # aligned with `sessions`; None = nothing recorded
    jp_present: Decimal
    rate_pct: Decimal


class Sheet(BaseModel):
    cohort_code: str
    publisher: str
    programme_name: str
    organizer: str
    angkatan: str
    location: str
    timezone: str
    zone: str
    status: str
    total_jp: Decimal
    sessions: list[SessionColumn]
    participants: list[SheetRow]


class Mark(BaseModel):
    session_no: int
    date: dt.date
    status: str | None


class ParticipantSummary(BaseModel):
    cohort_code: str
    nip: str
    name: str
    withdrawn: bool
    finalised: bool
    jp_present: Decimal
    jp_total: Decimal
    rate_pct: Decimal
    sessions_total: int
    sessions_present: int
    missed_by_status: dict[str, int]
    marks: list[Mark]


class Day(BaseModel):
    date: dt.date
    sessions: list[int]
    present: int
    absent_by_status: dict[str, int]
    unrecorded: int


class Daily(BaseModel):
    cohort_code: str
    timezone: str
    zone: str
    days: list[Day]


def column(session: repo.SessionRow, timezone: str) -> SessionColumn:
    """A session as the venue's clock shows it: an 07:30 WITA session is on its local date."""
    zone, abbr = ZoneInfo(timezone), ZONE_ABBREVIATION[timezone]
    start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    return SessionColumn(
        no=session.no,
        date=start.date(),
        start=f"{start:%H:%M} {abbr}",
        end=f"{end:%H:%M} {abbr}",
        jp=session.jp,
        title=session.title,
        starts_at=session.starts_at,
    )


def result_of(sessions: list[repo.SessionRow], marks: dict[int, str]) -> domain.Finalisation:
    schedule = [
        domain.Session(s.no, s.starts_at.date(), s.starts_at.time(), s.ends_at.time(), s.jp)
        for s in sessions
    ]
    return domain.finalise(schedule, {no: domain.AttendanceStatus(v) for no, v in marks.items()})


def daily_counts(
    columns: list[SessionColumn], active: list[str], marks: dict[str, dict[int, str]]
) -> list[Day]:
    """Presence per local date over the participants still enrolled."""
    days: dict[dt.date, list[SessionColumn]] = {}
    for c in columns:
        days.setdefault(c.date, []).append(c)
    result = []
    for date, on_day in sorted(days.items()):
        seen: Counter[str] = Counter(
            marks.get(nip, {}).get(c.no, "") for nip in active for c in on_day
        )
        present = sum(seen[s] for s in domain.PRESENT_STATUSES)
        result.append(
            Day(
                date=date,
                sessions=[c.no for c in on_day],
                present=present,
                absent_by_status={s.value: seen[s] for s in domain.ABSENT_STATUSES},
                unrecorded=seen[""],
            )
        )
    return result


async def _visible_cohort(conn: repo.Conn, code: str, principal: CurrentPrincipal) -> CohortRow:
    cohort = await repo.cohort(conn, code)
    if cohort is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown cohort {code}")
    require_publisher_access(principal, cohort.publisher)
    return cohort


@router.get("/cohorts/{code:path}/sheet", response_model=Sheet)
async def sheet(code: str, request: Request, principal: CurrentPrincipal) -> Sheet:
    async with runtime_of(request).pool.acquire() as conn:
        cohort = await _visible_cohort(conn, code, principal)
        sessions = await repo.sessions(conn, code)
        members = await repo.roster(conn, code)
        marks = await repo.marks(conn, code)
    rows = []
    for m in members:
        own = marks.get(m.nip, {})
        result = result_of(sessions, own)
        rows.append(
            SheetRow(
                nip=m.nip,
                name=m.name,
                withdrawn=m.withdrawn,
                statuses=[own.get(s.no) for s in sessions],
                jp_present=result.jp_present,
                rate_pct=domain.pct_as_decimal(result.rate_pct),
            )
        )
    return Sheet(
        cohort_code=code,
        publisher=cohort.publisher,
        programme_name=cohort.programme_name,
        organizer=cohort.organizer,
        angkatan=cohort.angkatan,
        location=cohort.location,
        timezone=cohort.timezone,
        zone=ZONE_ABBREVIATION[cohort.timezone],
        status=cohort.status,
        total_jp=cohort.total_jp,
        sessions=[column(s, cohort.timezone) for s in sessions],
        participants=rows,
    )


@router.get("/cohorts/{code:path}/participants/{nip}", response_model=ParticipantSummary)
async def participant(
    code: str, nip: str, request: Request, principal: CurrentPrincipal
) -> ParticipantSummary:
    async with runtime_of(request).pool.acquire() as conn:
        cohort = await _visible_cohort(conn, code, principal)
        members = await repo.roster(conn, code, nip)
        if not members:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "participant not in this cohort")
        sessions = await repo.sessions(conn, code)
        own = (await repo.marks(conn, code, nip)).get(nip, {})
    figures = domain.figures(result_of(sessions, own))
    return ParticipantSummary(
        cohort_code=code,
        nip=nip,
        name=members[0].name,
        withdrawn=members[0].withdrawn,
        finalised=cohort.status == "finalised" and not members[0].withdrawn,
        jp_present=figures.jp_present,
        jp_total=figures.jp_total,
        rate_pct=figures.rate_pct,
        sessions_total=figures.sessions_total,
        sessions_present=figures.sessions_present,
        missed_by_status=figures.missed_by_status,
        marks=[
            Mark(session_no=s.no, date=column(s, cohort.timezone).date, status=own.get(s.no))
            for s in sessions
        ],
    )


@router.get("/cohorts/{code:path}/daily", response_model=Daily)
async def daily(code: str, request: Request, principal: CurrentPrincipal) -> Daily:
    async with runtime_of(request).pool.acquire() as conn:
        cohort = await _visible_cohort(conn, code, principal)
        sessions = await repo.sessions(conn, code)
        members = await repo.roster(conn, code)
        marks = await repo.marks(conn, code)
    columns = [column(s, cohort.timezone) for s in sessions]
    active = [m.nip for m in members if not m.withdrawn]
    return Daily(
        cohort_code=code,
        timezone=cohort.timezone,
        zone=ZONE_ABBREVIATION[cohort.timezone],
        days=daily_counts(columns, active, marks),
    )
