"""Enrolment HTTP API: a publisher's cohorts, one cohort with roster and seats, an ASN's enrolments.

National (and admin) credentials see everything; a publisher credential sees its own cohorts
and gets 403 for anyone else's. Rosters show full NIPs: only the owner and national see them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import asyncpg
from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel

from services.enrolment.adapters import postgres as repo
from shared.auth import CurrentPrincipal, require_publisher_access
from shared.runtime import runtime_of

router = APIRouter(prefix="/api/v1", tags=["enrolment"])


class SessionOut(BaseModel):
    no: int
    date: dt.date
    start: dt.time
    end: dt.time
    jp: Decimal
    method: str
    title: str | None = None
    starts_at: dt.datetime
    ends_at: dt.datetime


class CohortSummary(BaseModel):
    cohort_code: str
    publisher: str
    status: str
    programme_name: str
    category: str
    organizer: str
    year: int
    angkatan: str
    location: str
    timezone: str
    start_date: dt.date
    end_date: dt.date
    total_jp: Decimal
    policy_version: int
    quota: int
    enrolled: int
    withdrawn: int
    seats_left: int
    open_to_other_regions: bool


class RosterEntry(BaseModel):
    nip: str
    status: str
    name: str
    asn_type: str
    gender: str
    position: str
    rank: str | None
    agency: str
    region: str
    enrolled_at: dt.datetime
    withdrawn_at: dt.datetime | None


class CohortDetail(CohortSummary):
    completion: dict[str, Any]
    sessions: list[SessionOut]
    closed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    roster: list[RosterEntry]


class ParticipantEnrolment(BaseModel):
    cohort_code: str
    publisher: str
    programme_name: str
    category: str
    year: int
    angkatan: str
    cohort_status: str
    start_date: dt.date
    end_date: dt.date
    total_jp: Decimal
    status: str
    enrolled_at: dt.datetime
    withdrawn_at: dt.datetime | None


class OutcomeCount(BaseModel):
    outcome: str
    reason: str | None
    count: int


def _summary_fields(row: asyncpg.Record) -> dict[str, Any]:
    fields = {k: row[k] for k in CohortSummary.model_fields if k != "seats_left"}
    # Seats left never below zero: an amendment may lower the quota under the enrolled count.
    fields["seats_left"] = max(row["quota"] - row["enrolled"], 0)
    return fields


@router.get("/publishers/{publisher}/cohorts", response_model=list[CohortSummary])
async def publisher_cohorts(
    publisher: str, request: Request, principal: CurrentPrincipal
) -> list[CohortSummary]:
    require_publisher_access(principal, publisher)
    async with runtime_of(request).pool.acquire() as conn:
        rows = await repo.cohorts_of(conn, publisher)
    return [CohortSummary(**_summary_fields(r)) for r in rows]


@router.get("/publishers/{publisher}/outcomes", response_model=list[OutcomeCount])
async def publisher_outcomes(
    publisher: str, request: Request, principal: CurrentPrincipal
) -> list[OutcomeCount]:
    """How this service accounted for the publisher's ingest events, by outcome and reason."""
    require_publisher_access(principal, publisher)
    async with runtime_of(request).pool.acquire() as conn:
        rows = await repo.outcome_counts(conn, publisher)
    return [OutcomeCount(outcome=r["outcome"], reason=r["reason"], count=r["n"]) for r in rows]


@router.get("/cohorts/{cohort_code:path}", response_model=CohortDetail)
async def cohort_detail(
    cohort_code: str, request: Request, principal: CurrentPrincipal
) -> CohortDetail:
    async with runtime_of(request).pool.acquire() as conn:
        row = await repo.cohort(conn, cohort_code)
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"cohort {cohort_code} not found")
        require_publisher_access(principal, row["publisher"])
        roster = await repo.roster(conn, cohort_code)
    return CohortDetail(
        **_summary_fields(row),
        completion=row["completion"],
        sessions=[SessionOut(**s) for s in row["sessions"]],
        closed_at=row["closed_at"],
        cancelled_at=row["cancelled_at"],
        roster=[RosterEntry(**dict(r)) for r in roster],
    )


@router.get("/participants/{nip}/enrolments", response_model=list[ParticipantEnrolment])
async def participant_enrolments(
    nip: str, request: Request, principal: CurrentPrincipal
) -> list[ParticipantEnrolment]:
    # Across publishers: only the national view may follow one ASN everywhere.
    if not principal.is_national:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "national credential required")
    async with runtime_of(request).pool.acquire() as conn:
        rows = await repo.enrolments_of(conn, nip)
    return [ParticipantEnrolment(**dict(r)) for r in rows]
