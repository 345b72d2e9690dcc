"""The contract's rules beyond its schemas: what a NIP's digits must say, and when a cohort may
close. Pure (standard library and `shared.regions`): enrolment enforces them on receipt and the
tools (`diklat publish`, the demo's generator) check them before sending, with the same code.

Public API
- AsnType, Gender, NipDefect, NipProblem, NIP_LENGTH, EARLIEST_BIRTH_DATE
- validate_nip(nip, asn_type, gender, *, today=None) -> NipProblem | None
- birth_date_of(nip) -> date
- gender_of(nip) -> Gender
- close_time_problem(cohort_code, first_session_start, timezone, closed_at)
  -> (message_id, message_en) | None
- close_date_problem(cohort_code, first_session_date, timezone, closed_on, closed_at)
  -> (message_id, message_en) | None
- require_aware(moment, name): ValueError naming a naive datetime
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from shared.regions import TIMEZONES

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


# --- close time --------------------------------------------------------------------------


def close_time_problem(
    cohort_code: str, first_session_start: datetime, timezone: str, closed_at: datetime
) -> tuple[str, str] | None:
    """None when a close at `closed_at` may be, else the reason in Indonesian and English. A
    cohort cannot close before its first session starts (nothing is final then, and the
    certificates would carry that earlier date): a wrong `time`, or a cohort to cancel."""
    require_aware(first_session_start, "first_session_start")
    require_aware(closed_at, "closed_at")
    if closed_at >= first_session_start:
        return None
    start = _local_minute(first_session_start, timezone)
    sent = closed_at.isoformat(timespec="minutes")
    return (
        f"waktu penutupan (atribut time) {sent} sebelum sesi pertama angkatan {cohort_code} "
        f"pada {start}: kirim penutupan dengan waktu sebenarnya, setelah pelatihan berlangsung, "
        "atau batalkan angkatan (diklat.cohort.cancelled.v1) bila tidak jadi dilaksanakan",
        f"the close time (attribute time) {sent} is before the first session of cohort "
        f"{cohort_code} on {start}: send the close with its real time, after the training took "
        "place, or cancel the cohort (diklat.cohort.cancelled.v1) if it did not take place",
    )


def close_date_problem(
    cohort_code: str, first_session_date: date, timezone: str, closed_on: date, closed_at: datetime
) -> tuple[str, str] | None:
    """None when a close may carry `closed_on` as its date, else the reason in Indonesian and
    English. The certificates are dated by it: not after the day the close was sent (`time`,
    on the cohort's clock), not before the first session's day."""
    require_aware(closed_at, "closed_at")
    sent_on = closed_at.astimezone(ZoneInfo(timezone)).date()
    if closed_on > sent_on:
        return (
            f"tanggal penutupan (closed_on) {closed_on.isoformat()} setelah tanggal pengiriman "
            f"penutupan (atribut time) {sent_on.isoformat()} angkatan {cohort_code}: tanggal "
            "penutupan tidak boleh di masa depan; kirim penutupan setelah pelatihan selesai",
            f"the close date (closed_on) {closed_on.isoformat()} is after the day the close was "
            f"sent (attribute time) {sent_on.isoformat()} for cohort {cohort_code}: a close date "
            "cannot lie in the future; send the close after the training ended",
        )
    if closed_on < first_session_date:
        return (
            f"tanggal penutupan (closed_on) {closed_on.isoformat()} sebelum sesi pertama angkatan "
            f"{cohort_code} pada {first_session_date.isoformat()}: isi tanggal penutupan yang "
            "sebenarnya, pada atau setelah sesi pertama",
            f"the close date (closed_on) {closed_on.isoformat()} is before the first session of "
            f"cohort {cohort_code} on {first_session_date.isoformat()}: give the real close "
            "date, on or after the first session",
        )
    return None


def require_aware(moment: datetime, name: str) -> None:
    # Comparing naive with aware datetimes raises deep in a handler; fail here, by name.
    if moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment}")


def _local_minute(moment: datetime, timezone: str) -> str:
    """`2024-03-04 08:00 WIB`: a moment on the cohort's own clock, as organisers read it."""
    label = next((name for name, tz in TIMEZONES.items() if tz == timezone), timezone)
    return f"{moment.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M} {label}"
