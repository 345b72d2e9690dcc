"""Enrolment rules: NIP validation, region policy, amendment window and cohort decisions.

Pure: standard library and `shared.regions` only. A handler loads state, calls one
`decide_*` function and applies or rejects according to the result; every `Rejection`
carries a stable reason code (the values of `shared.reasons.ReasonCode`) and a message in
Indonesian and English that a province operator understands.

Public API
- AsnType, Gender, NipDefect, NipProblem
- validate_nip(nip, asn_type, gender, *, today=None) -> NipProblem | None
- birth_date_of(nip) -> date
- gender_of(nip) -> Gender
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

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final, Literal
from zoneinfo import ZoneInfo

from shared.regions import (
    NASIONAL,
    TIMEZONES,
    is_kabupaten_kota,
    is_province,
    is_valid_region,
    province_name,
    publisher_covers,
)

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


# --- NIP ---------------------------------------------------------------------------------


class AsnType(StrEnum):
    PNS = "PNS"
    PPPK = "PPPK"


class Gender(StrEnum):
    L = "L"
    P = "P"


class NipDefect(StrEnum):
    LENGTH = "LENGTH"
    NOT_DIGITS = "NOT_DIGITS"
    BIRTH_DATE = "BIRTH_DATE"
    BIRTH_DATE_IMPLAUSIBLE = "BIRTH_DATE_IMPLAUSIBLE"
    TMT_MONTH = "TMT_MONTH"
    TMT_NOT_AFTER_BIRTH = "TMT_NOT_AFTER_BIRTH"
    GENDER_DIGIT = "GENDER_DIGIT"
    GENDER_MISMATCH = "GENDER_MISMATCH"
    SEQUENCE = "SEQUENCE"


@dataclass(frozen=True)
class NipProblem:
    """The first thing wrong with a NIP. The messages quote the offending digits, which are
    personal data: send them to the publisher's feedback topic, never to logs."""

    defect: NipDefect
    message_id: str
    message_en: str


NIP_LENGTH: Final = 18
# Nobody born before 1940 is still in service; a later year is a typing error.
EARLIEST_BIRTH_DATE: Final = date(1940, 1, 1)
_GENDER_DIGITS: Final = {"1": Gender.L, "2": Gender.P}
_ASCII_DIGITS = re.compile(r"[0-9]*")


def validate_nip(
    nip: str, asn_type: AsnType, gender: Gender, *, today: date | None = None
) -> NipProblem | None:
    """None when the NIP is well formed for its ASN type and agrees with the stated gender.

    `today` bounds the birth date; pass the event's date so a replay decides the same way.
    """
    shape = _shape_problem(nip)
    if shape is not None:
        return shape
    birth = _birth_problem(nip, today or date.today())
    if birth is not None:
        return birth
    # PPPK numbers carry a year and contract code in the middle, not a TMT.
    if asn_type is AsnType.PNS:
        tmt = _tmt_problem(nip)
        if tmt is not None:
            return tmt
    return _gender_problem(nip, gender) or _sequence_problem(nip)


def birth_date_of(nip: str) -> date:
    """ValueError when digits 1–8 are not a real date."""
    return date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))


def gender_of(nip: str) -> Gender:
    """ValueError when digit 15 is neither 1 (L) nor 2 (P)."""
    digit = nip[14:15]
    if digit not in _GENDER_DIGITS:
        raise ValueError(f"gender digit {digit!r} is neither 1 nor 2")
    return _GENDER_DIGITS[digit]


def _shape_problem(nip: str) -> NipProblem | None:
    if _ASCII_DIGITS.fullmatch(nip) is None:
        return NipProblem(
            NipDefect.NOT_DIGITS,
            "NIP hanya boleh berisi angka 0–9 tanpa spasi atau tanda baca",
            "a NIP may contain only the digits 0–9, without spaces or punctuation",
        )
    if len(nip) != NIP_LENGTH:
        return NipProblem(
            NipDefect.LENGTH,
            f"NIP harus {NIP_LENGTH} digit, diterima {len(nip)} digit",
            f"a NIP must have {NIP_LENGTH} digits, this one has {len(nip)}",
        )
    return None


def _birth_problem(nip: str, today: date) -> NipProblem | None:
    digits = nip[0:8]
    try:
        birth = birth_date_of(nip)
    except ValueError:
        return NipProblem(
            NipDefect.BIRTH_DATE,
            f"tanggal lahir {digits} (digit 1–8) tidak valid",
            f"birth date {digits} (digits 1–8) is not a real date",
        )
    if not EARLIEST_BIRTH_DATE <= birth <= today:
        return NipProblem(
            NipDefect.BIRTH_DATE_IMPLAUSIBLE,
            f"tanggal lahir {digits} (digit 1–8) tidak wajar: harus antara "
            f"{EARLIEST_BIRTH_DATE:%Y%m%d} dan {today:%Y%m%d}",
            f"birth date {digits} (digits 1–8) is implausible: it must lie between "
            f"{EARLIEST_BIRTH_DATE:%Y%m%d} and {today:%Y%m%d}",
        )
    return None


def _tmt_problem(nip: str) -> NipProblem | None:
    tmt, month = nip[8:14], int(nip[12:14])
    if not 1 <= month <= 12:
        return NipProblem(
            NipDefect.TMT_MONTH,
            f"TMT CPNS {tmt} (digit 9–14) tidak valid: bulan {month:02d} bukan 01–12",
            f"TMT CPNS {tmt} (digits 9–14) is invalid: month {month:02d} is not 01–12",
        )
    # Compare as YYYYMM strings: same width, so lexical order is chronological order.
    if tmt <= nip[0:6]:
        return NipProblem(
            NipDefect.TMT_NOT_AFTER_BIRTH,
            f"TMT CPNS {tmt} (digit 9–14) tidak setelah bulan lahir {nip[0:6]}",
            f"TMT CPNS {tmt} (digits 9–14) is not after the birth month {nip[0:6]}",
        )
    return None


def _gender_problem(nip: str, stated: Gender) -> NipProblem | None:
    digit = nip[14]
    if digit not in _GENDER_DIGITS:
        return NipProblem(
            NipDefect.GENDER_DIGIT,
            f"digit 15 (jenis kelamin) harus 1 (L) atau 2 (P), tertulis {digit}",
            f"digit 15 (gender) must be 1 (L) or 2 (P), found {digit}",
        )
    encoded = _GENDER_DIGITS[digit]
    if encoded is not stated:
        return NipProblem(
            NipDefect.GENDER_MISMATCH,
            f"digit 15 NIP menunjukkan jenis kelamin {encoded}, "
            f"tetapi data peserta menyebut {stated}",
            f"digit 15 of the NIP says gender {encoded} but the participant data says {stated}",
        )
    return None


def _sequence_problem(nip: str) -> NipProblem | None:
    if nip[15:18] == "000":
        return NipProblem(
            NipDefect.SEQUENCE,
            "nomor urut 000 (digit 16–18) tidak valid: harus 001–999",
            "sequence 000 (digits 16–18) is invalid: it must be 001–999",
        )
    return None


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
    _require_aware(first_session_start, "first_session_start")
    _require_aware(now, "now")
    return now < first_session_start


def _require_aware(moment: datetime, name: str) -> None:
    # Comparing naive with aware datetimes raises deep in a handler; fail here, by name.
    if moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment}")


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
    """A cohort cannot close before its first session starts (nothing is final then, and the
    certificates would carry that earlier date): a wrong `time`, or a cohort to cancel."""
    _require_aware(first_session_start, "first_session_start")
    _require_aware(closed_at, "closed_at")
    if closed_at >= first_session_start:
        return None
    start = _local_minute(first_session_start, timezone)
    sent = closed_at.isoformat(timespec="minutes")
    return Rejection(
        SCHEMA_INVALID,
        f"waktu penutupan (atribut time) {sent} sebelum sesi pertama angkatan {cohort_code} "
        f"pada {start}: kirim penutupan dengan waktu sebenarnya, setelah pelatihan berlangsung, "
        "atau batalkan angkatan (diklat.cohort.cancelled.v1) bila tidak jadi dilaksanakan",
        f"the close time (attribute time) {sent} is before the first session of cohort "
        f"{cohort_code} on {start}: send the close with its real time, after the training took "
        "place, or cancel the cohort (diklat.cohort.cancelled.v1) if it did not take place",
    )


def _local_minute(moment: datetime, timezone: str) -> str:
    """`2024-03-04 08:00 WIB`: a moment on the cohort's own clock, as organisers read it."""
    label = next((name for name, tz in TIMEZONES.items() if tz == timezone), timezone)
    return f"{moment.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M} {label}"


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
