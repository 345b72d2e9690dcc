"""Enrolment rules: region policy, amendment window and cohort decisions, with the contract's
NIP and close-time rules (`shared.events.rules`, which the tools check too).

Pure: standard library, `shared.regions` and `shared.events.rules` only. A handler loads
state, calls one `decide_*` function and applies or rejects according to the result; every
`Rejection` carries a stable reason code (the values of `shared.reasons.ReasonCode`) and a
message in Indonesian and English that a province operator understands.

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
- decide_close(cohort, publisher_id, closed_at) -> CLOSED | ALREADY_CLOSED | Rejection
- close_time_problem(cohort_code, first_session_start, timezone, closed_at) -> Rejection | None
- unknown_cohort(cohort_code) -> Rejection
- not_publishers_code(cohort_code, publisher_id, prefix) -> Rejection
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, Literal

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
from shared.regions import (
    NASIONAL,
    is_kabupaten_kota,
    is_province,
    is_valid_region,
    province_name,
    publisher_covers,
)

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

# --- reason codes (same strings as shared.reasons.ReasonCode) ----------------------------

SCHEMA_INVALID: Final = "SCHEMA_INVALID"
INVALID_NIP: Final = "INVALID_NIP"
UNKNOWN_COHORT: Final = "UNKNOWN_COHORT"
NOT_OWNER: Final = "NOT_OWNER"
COHORT_CLOSED: Final = "COHORT_CLOSED"
COHORT_CANCELLED: Final = "COHORT_CANCELLED"
QUOTA_FULL: Final = "QUOTA_FULL"
ALREADY_ENROLLED: Final = "ALREADY_ENROLLED"
NOT_ENROLLED: Final = "NOT_ENROLLED"
REGION_NOT_ALLOWED: Final = "REGION_NOT_ALLOWED"
AMENDMENT_WINDOW_CLOSED: Final = "AMENDMENT_WINDOW_CLOSED"


@dataclass(frozen=True)
class Rejection:
    code: str
    message_id: str
    message_en: str


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
        return _amendment_window_closed(existing)
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
        return _already_enrolled(cohort)
    if not is_valid_region(participant_region):
        return _unknown_region(participant_region)
    if not region_allowed(publisher_id, cohort.open_to_other_regions, participant_region):
        return _region_not_allowed(cohort, participant_region)
    if enrolled_count >= cohort.quota:
        return _quota_full(cohort)
    return Accepted.ENROLLED


def decide_withdrawal(
    cohort: CohortView, publisher_id: str, enrolment: EnrolmentStatus | None
) -> Literal[Accepted.WITHDRAWN, Accepted.ALREADY_WITHDRAWN] | Rejection:
    refused = _refuse_unless_owner_and_open(cohort, publisher_id)
    if refused is not None:
        return refused
    if enrolment is None:
        return _not_enrolled(cohort)
    if enrolment is EnrolmentStatus.WITHDRAWN:
        return Accepted.ALREADY_WITHDRAWN
    return Accepted.WITHDRAWN


def decide_cancel(
    cohort: CohortView, publisher_id: str
) -> Literal[Accepted.CANCELLED, Accepted.ALREADY_CANCELLED] | Rejection:
    if cohort.publisher_id != publisher_id:
        return _not_owner(cohort, publisher_id)
    if cohort.status is CohortStatus.CANCELLED:
        return Accepted.ALREADY_CANCELLED
    if cohort.status is CohortStatus.CLOSED:
        return _cohort_closed(cohort)
    return Accepted.CANCELLED


def decide_close(
    cohort: CohortView, publisher_id: str, closed_at: datetime
) -> Literal[Accepted.CLOSED, Accepted.ALREADY_CLOSED] | Rejection:
    """`closed_at` is when the organiser says it closed (the certificates' date)."""
    if cohort.publisher_id != publisher_id:
        return _not_owner(cohort, publisher_id)
    # Before the state: a close that cannot have happened is wrong whatever the cohort's state.
    early = close_time_problem(
        cohort.cohort_code, cohort.first_session_start, cohort.timezone, closed_at
    )
    if early is not None:
        return early
    if cohort.status is CohortStatus.CLOSED:
        return Accepted.ALREADY_CLOSED
    if cohort.status is CohortStatus.CANCELLED:
        return _cohort_cancelled(cohort)
    return Accepted.CLOSED


def close_time_problem(
    cohort_code: str, first_session_start: datetime, timezone: str, closed_at: datetime
) -> Rejection | None:
    """The contract's close-time rule (shared.events.rules) as enrolment refuses it."""
    problem = rules.close_time_problem(cohort_code, first_session_start, timezone, closed_at)
    return None if problem is None else Rejection(SCHEMA_INVALID, *problem)


def unknown_cohort(cohort_code: str) -> Rejection:
    return Rejection(
        UNKNOWN_COHORT,
        f"angkatan {cohort_code} tidak dikenal: kirim dahulu event jadwal "
        "(diklat.cohort.scheduled.v1) untuk angkatan ini",
        f"cohort {cohort_code} is unknown: send its schedule (diklat.cohort.scheduled.v1) first",
    )


def not_publishers_code(cohort_code: str, publisher_id: str, prefix: str) -> Rejection:
    """An event for a cohort not yet scheduled whose code the sender may never schedule
    (`prefix` is the start its own codes must have): it can never become the sender's, so it
    is refused at once, as for a cohort another publisher scheduled, instead of parked."""
    return Rejection(
        NOT_OWNER,
        f"angkatan {cohort_code} bukan milik penerbit {publisher_id}: kode angkatan penerbit "
        f"{publisher_id} diawali '{prefix}'",
        f"cohort {cohort_code} does not belong to publisher {publisher_id}: the cohort codes of "
        f"publisher {publisher_id} start with '{prefix}'",
    )


def _refuse_unless_owner_and_open(cohort: CohortView, publisher_id: str) -> Rejection | None:
    # Ownership first: another publisher learns nothing about a cohort's state.
    if cohort.publisher_id != publisher_id:
        return _not_owner(cohort, publisher_id)
    if cohort.status is CohortStatus.CANCELLED:
        return _cohort_cancelled(cohort)
    if cohort.status is CohortStatus.CLOSED:
        return _cohort_closed(cohort)
    return None


# --- messages ----------------------------------------------------------------------------


def _not_owner(cohort: CohortView, publisher_id: str) -> Rejection:
    return Rejection(
        NOT_OWNER,
        f"angkatan {cohort.cohort_code} dijadwalkan oleh penerbit {cohort.publisher_id}; "
        f"penerbit {publisher_id} tidak berhak mengubahnya",
        f"cohort {cohort.cohort_code} was scheduled by publisher {cohort.publisher_id}; "
        f"publisher {publisher_id} may not act on it",
    )


def _cohort_cancelled(cohort: CohortView) -> Rejection:
    return Rejection(
        COHORT_CANCELLED,
        f"angkatan {cohort.cohort_code} sudah dibatalkan",
        f"cohort {cohort.cohort_code} has been cancelled",
    )


def _cohort_closed(cohort: CohortView) -> Rejection:
    return Rejection(
        COHORT_CLOSED,
        f"angkatan {cohort.cohort_code} sudah ditutup; peserta, kehadiran dan nilai sudah final",
        f"cohort {cohort.cohort_code} is closed; participants, attendance and scores are final",
    )


def _amendment_window_closed(cohort: CohortView) -> Rejection:
    start = cohort.first_session_start.isoformat(timespec="minutes")
    return Rejection(
        AMENDMENT_WINDOW_CLOSED,
        f"jadwal angkatan {cohort.cohort_code} tidak dapat diubah lagi: "
        f"sesi pertama sudah dimulai pada {start}",
        f"the schedule of cohort {cohort.cohort_code} can no longer change: "
        f"its first session started at {start}",
    )


def _already_enrolled(cohort: CohortView) -> Rejection:
    return Rejection(
        ALREADY_ENROLLED,
        f"peserta dengan NIP ini sudah terdaftar di angkatan {cohort.cohort_code}",
        f"a participant with this NIP is already enrolled in cohort {cohort.cohort_code}",
    )


def _not_enrolled(cohort: CohortView) -> Rejection:
    return Rejection(
        NOT_ENROLLED,
        f"tidak ada peserta dengan NIP ini di angkatan {cohort.cohort_code}",
        f"no participant with this NIP is enrolled in cohort {cohort.cohort_code}",
    )


def _unknown_region(region: str) -> Rejection:
    return Rejection(
        SCHEMA_INVALID,
        f"kode wilayah {region} bukan kode provinsi atau kabupaten/kota Kemendagri",
        f"region {region} is not a Kemendagri province or kabupaten/kota code",
    )


def _region_not_allowed(cohort: CohortView, region: str) -> Rejection:
    area, home = cohort.publisher_id, region
    return Rejection(
        REGION_NOT_ALLOWED,
        f"angkatan {cohort.cohort_code} hanya untuk peserta dari wilayah {_wilayah(area)} "
        f"dan tidak terbuka untuk daerah lain; peserta berasal dari {_wilayah(home)}",
        f"cohort {cohort.cohort_code} is only for participants from {_region(area)} and is "
        f"not open to other regions; the participant is from {_region(home)}",
    )


def _wilayah(code: str) -> str:
    if is_province(code):
        return f"{code} (Provinsi {province_name(code)})"
    if is_kabupaten_kota(code):
        return f"{code} (kabupaten/kota di Provinsi {province_name(code)})"
    return code


def _region(code: str) -> str:
    if is_province(code):
        return f"{code} ({province_name(code)} province)"
    if is_kabupaten_kota(code):
        return f"{code} (a kabupaten/kota in {province_name(code)})"
    return code


def _quota_full(cohort: CohortView) -> Rejection:
    return Rejection(
        QUOTA_FULL,
        f"kuota angkatan {cohort.cohort_code} ({cohort.quota} peserta) sudah penuh",
        f"cohort {cohort.cohort_code} is full ({cohort.quota} participants)",
    )
