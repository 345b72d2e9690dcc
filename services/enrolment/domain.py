"""Enrolment rules: region policy, amendment window and cohort decisions, with the contract's
NIP and close-time rules (`shared.events.rules`, which the tools check too); the wording of
each refusal is in `rejections.py`.

Pure: standard library, `shared.regions`, `shared.events.rules` and `rejections.py` only. A
handler loads state, calls one `decide_*` function and applies or rejects according to the
result; every `Rejection` carries a stable reason code (the values of
`shared.reasons.ReasonCode`) and a message in Indonesian and English that a province operator
understands.

Public API (`__all__`)
- AsnType, Gender, NipDefect, NipProblem, validate_nip, birth_date_of, gender_of: the
  contract's NIP rules, re-exported from shared.events.rules
- region_allowed(publisher_id, cohort_open_to_other_regions, participant_region) -> bool
- can_amend(first_session_start, now) -> bool
- CohortStatus, EnrolmentStatus, CohortView, Accepted, Rejection, reason-code constants
- decide_schedule(existing, publisher_id, now) -> NEW_COHORT | AMENDED | Rejection
- decide_registration(cohort, publisher_id, *, enrolled_count, enrolment, nip_problem,
  participant_region) -> ENROLLED | Rejection
- decide_withdrawal(cohort, publisher_id, enrolment) -> WITHDRAWN | ALREADY_WITHDRAWN | Rejection
- decide_cancel(cohort, publisher_id) -> CANCELLED | ALREADY_CANCELLED | Rejection
- decide_close(cohort, publisher_id, closed_at, closed_on=None)
  -> CLOSED | ALREADY_CLOSED | Rejection
- close_time_problem(cohort_code, first_session_start, timezone, closed_at) -> Rejection | None
- close_date_problem(cohort, closed_at, closed_on) -> Rejection | None
- unknown_cohort(cohort_code) -> Rejection
- not_publishers_code(cohort_code, publisher_id, prefix) -> Rejection
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from services.enrolment import rejections
from services.enrolment.rejections import (
    ALREADY_ENROLLED,
    AMENDMENT_WINDOW_CLOSED,
    COHORT_CANCELLED,
    COHORT_CLOSED,
    INVALID_NIP,
    NOT_ENROLLED,
    NOT_OWNER,
    QUOTA_FULL,
    REGION_NOT_ALLOWED,
    SCHEMA_INVALID,
    UNKNOWN_COHORT,
    Rejection,
    not_publishers_code,
    unknown_cohort,
)
from shared.events import rules
from shared.events.rules import (
    AsnType,
    Gender,
    NipDefect,
    NipProblem,
    birth_date_of,
    gender_of,
    require_aware,
    validate_nip,
)
from shared.regions import NASIONAL, is_valid_region, local_date_of, publisher_covers

__all__ = [
    "ALREADY_ENROLLED",
    "AMENDMENT_WINDOW_CLOSED",
    "COHORT_CANCELLED",
    "COHORT_CLOSED",
    "INVALID_NIP",
    "NOT_ENROLLED",
    "NOT_OWNER",
    "QUOTA_FULL",
    "REGION_NOT_ALLOWED",
    "SCHEMA_INVALID",
    "UNKNOWN_COHORT",
    "Accepted",
    "AsnType",
    "CohortStatus",
    "CohortView",
    "EnrolmentStatus",
    "Gender",
    "NipDefect",
    "NipProblem",
    "Rejection",
    "birth_date_of",
    "can_amend",
    "close_time_problem",
    "decide_cancel",
    "decide_close",
    "decide_registration",
    "decide_schedule",
    "decide_withdrawal",
    "gender_of",
    "not_publishers_code",
    "region_allowed",
    "unknown_cohort",
    "validate_nip",
]

# --- policies ----------------------------------------------------------------------------


def region_allowed(
    publisher_id: str, cohort_open_to_other_regions: bool, participant_region: str
) -> bool:
    """Nasional cohorts take every region; others their own area, or anyone when open."""
    if not is_valid_region(participant_region):
        return False
    return (
        publisher_id == NASIONAL
        or cohort_open_to_other_regions
        or publisher_covers(publisher_id, participant_region)
    )


def can_amend(first_session_start: datetime, now: datetime) -> bool:
    """A cohort's schedule may change until its first session starts (exclusive)."""
    require_aware(first_session_start, "first_session_start")
    require_aware(now, "now")
    return now < first_session_start


# --- cohort decisions --------------------------------------------------------------------


class CohortStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    CANCELLED = "CANCELLED"
    CLOSED = "CLOSED"


class EnrolmentStatus(StrEnum):
    ENROLLED = "ENROLLED"
    WITHDRAWN = "WITHDRAWN"


class Accepted(StrEnum):
    """What an accepted command does. The ALREADY_* outcomes repeat an effect that already
    happened: record them as duplicates, change nothing, emit nothing."""

    NEW_COHORT = "NEW_COHORT"
    AMENDED = "AMENDED"
    ENROLLED = "ENROLLED"
    WITHDRAWN = "WITHDRAWN"
    ALREADY_WITHDRAWN = "ALREADY_WITHDRAWN"
    CANCELLED = "CANCELLED"
    ALREADY_CANCELLED = "ALREADY_CANCELLED"
    CLOSED = "CLOSED"
    ALREADY_CLOSED = "ALREADY_CLOSED"


@dataclass(frozen=True)
class CohortView:
    """What the decisions need to know about a cohort, as the enrolment service stores it."""

    cohort_code: str
    publisher_id: str
    status: CohortStatus
    first_session_start: datetime
    quota: int
    open_to_other_regions: bool
    timezone: str = "Asia/Jakarta"  # the cohort's own zone, for the dates in messages


def decide_schedule(
    existing: CohortView | None, publisher_id: str, now: datetime
) -> Literal[Accepted.NEW_COHORT, Accepted.AMENDED] | Rejection:
    """A scheduled event for a new code creates the cohort; for a known one it amends it.

    `now` should be the event's `time`, so a replay decides as the first run did.
    """
    if existing is None:
        return Accepted.NEW_COHORT
    refused = _refuse_unless_owner_and_open(existing, publisher_id)
    if refused is not None:
        return refused
    if not can_amend(existing.first_session_start, now):
        return rejections.amendment_window_closed(existing)
    return Accepted.AMENDED


def decide_registration(
    cohort: CohortView,
    publisher_id: str,
    *,
    enrolled_count: int,
    enrolment: EnrolmentStatus | None,
    nip_problem: NipProblem | None,
    participant_region: str,
) -> Literal[Accepted.ENROLLED] | Rejection:
    """`enrolled_count` counts active (not withdrawn) enrolments; `enrolment` is this NIP's
    current status in the cohort, None if never registered. A withdrawn participant may
    register again while the cohort is open and has room."""
    refused = _refuse_unless_owner_and_open(cohort, publisher_id)
    if refused is not None:
        return refused
    if nip_problem is not None:
        return Rejection(
            INVALID_NIP,
            f"NIP tidak valid: {nip_problem.message_id}",
            f"invalid NIP: {nip_problem.message_en}",
        )
    # Before the quota: re-sending an enrolment to a full cohort is not a quota problem.
    if enrolment is EnrolmentStatus.ENROLLED:
        return rejections.already_enrolled(cohort)
    if not is_valid_region(participant_region):
        return rejections.unknown_region(participant_region)
    if not region_allowed(publisher_id, cohort.open_to_other_regions, participant_region):
        return rejections.region_not_allowed(cohort, participant_region)
    if enrolled_count >= cohort.quota:
        return rejections.quota_full(cohort)
    return Accepted.ENROLLED


def decide_withdrawal(
    cohort: CohortView, publisher_id: str, enrolment: EnrolmentStatus | None
) -> Literal[Accepted.WITHDRAWN, Accepted.ALREADY_WITHDRAWN] | Rejection:
    refused = _refuse_unless_owner_and_open(cohort, publisher_id)
    if refused is not None:
        return refused
    if enrolment is None:
        return rejections.not_enrolled(cohort)
    if enrolment is EnrolmentStatus.WITHDRAWN:
        return Accepted.ALREADY_WITHDRAWN
    return Accepted.WITHDRAWN


def decide_cancel(
    cohort: CohortView, publisher_id: str
) -> Literal[Accepted.CANCELLED, Accepted.ALREADY_CANCELLED] | Rejection:
    if cohort.publisher_id != publisher_id:
        return rejections.not_owner(cohort, publisher_id)
    if cohort.status is CohortStatus.CANCELLED:
        return Accepted.ALREADY_CANCELLED
    if cohort.status is CohortStatus.CLOSED:
        return rejections.cohort_closed(cohort)
    return Accepted.CANCELLED


def decide_close(
    cohort: CohortView, publisher_id: str, closed_at: datetime, closed_on: date | None = None
) -> Literal[Accepted.CLOSED, Accepted.ALREADY_CLOSED] | Rejection:
    """`closed_at` is when the organiser sent the close; `closed_on` the day it says the cohort
    closed (the certificates' date), when it says one."""
    if cohort.publisher_id != publisher_id:
        return rejections.not_owner(cohort, publisher_id)
    # Before the state: a close that cannot have happened is wrong whatever the cohort's state.
    early = close_time_problem(
        cohort.cohort_code, cohort.first_session_start, cohort.timezone, closed_at
    ) or close_date_problem(cohort, closed_at, closed_on)
    if early is not None:
        return early
    if cohort.status is CohortStatus.CLOSED:
        return Accepted.ALREADY_CLOSED
    if cohort.status is CohortStatus.CANCELLED:
        return rejections.cohort_cancelled(cohort)
    return Accepted.CLOSED


def close_time_problem(
    cohort_code: str, first_session_start: datetime, timezone: str, closed_at: datetime
) -> Rejection | None:
    """The contract's close-time rule (shared.events.rules) as enrolment refuses it."""
    problem = rules.close_time_problem(cohort_code, first_session_start, timezone, closed_at)
    return None if problem is None else Rejection(SCHEMA_INVALID, *problem)


def close_date_problem(
    cohort: CohortView, closed_at: datetime, closed_on: date | None
) -> Rejection | None:
    """The contract's close-date rule (shared.events.rules) as enrolment refuses it."""
    if closed_on is None:
        return None
    first_day = local_date_of(cohort.first_session_start, cohort.timezone)
    problem = rules.close_date_problem(
        cohort.cohort_code, first_day, cohort.timezone, closed_on, closed_at
    )
    return None if problem is None else Rejection(SCHEMA_INVALID, *problem)


def _refuse_unless_owner_and_open(cohort: CohortView, publisher_id: str) -> Rejection | None:
    # Ownership first: another publisher learns nothing about a cohort's state.
    if cohort.publisher_id != publisher_id:
        return rejections.not_owner(cohort, publisher_id)
    if cohort.status is CohortStatus.CANCELLED:
        return rejections.cohort_cancelled(cohort)
    if cohort.status is CohortStatus.CLOSED:
        return rejections.cohort_closed(cohort)
    return None
