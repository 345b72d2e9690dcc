"""Why enrolment refuses an event: the reason codes its decisions use, `Rejection`, and each
refusal's wording in Indonesian and English, as a province operator understands it.

Pure: standard library and `shared.regions` only (the decisions live in `domain.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from shared.regions import is_kabupaten_kota, is_province, province_name

if TYPE_CHECKING:
    from services.enrolment.domain import CohortView

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


def not_owner(cohort: CohortView, publisher_id: str) -> Rejection:
    return Rejection(
        NOT_OWNER,
        f"angkatan {cohort.cohort_code} dijadwalkan oleh penerbit {cohort.publisher_id}; "
        f"penerbit {publisher_id} tidak berhak mengubahnya",
        f"cohort {cohort.cohort_code} was scheduled by publisher {cohort.publisher_id}; "
        f"publisher {publisher_id} may not act on it",
    )


def cohort_cancelled(cohort: CohortView) -> Rejection:
    return Rejection(
        COHORT_CANCELLED,
        f"angkatan {cohort.cohort_code} sudah dibatalkan",
        f"cohort {cohort.cohort_code} has been cancelled",
    )


def cohort_closed(cohort: CohortView) -> Rejection:
    return Rejection(
        COHORT_CLOSED,
        f"angkatan {cohort.cohort_code} sudah ditutup; peserta, kehadiran dan nilai sudah final",
        f"cohort {cohort.cohort_code} is closed; participants, attendance and scores are final",
    )


def amendment_window_closed(cohort: CohortView) -> Rejection:
    start = cohort.first_session_start.isoformat(timespec="minutes")
    return Rejection(
        AMENDMENT_WINDOW_CLOSED,
        f"jadwal angkatan {cohort.cohort_code} tidak dapat diubah lagi: "
        f"sesi pertama sudah dimulai pada {start}",
        f"the schedule of cohort {cohort.cohort_code} can no longer change: "
        f"its first session started at {start}",
    )


def already_enrolled(cohort: CohortView) -> Rejection:
    return Rejection(
        ALREADY_ENROLLED,
        f"peserta dengan NIP ini sudah terdaftar di angkatan {cohort.cohort_code}",
        f"a participant with this NIP is already enrolled in cohort {cohort.cohort_code}",
    )


def not_enrolled(cohort: CohortView) -> Rejection:
    return Rejection(
        NOT_ENROLLED,
        f"tidak ada peserta dengan NIP ini di angkatan {cohort.cohort_code}",
        f"no participant with this NIP is enrolled in cohort {cohort.cohort_code}",
    )


def unknown_region(region: str) -> Rejection:
    return Rejection(
        SCHEMA_INVALID,
        f"kode wilayah {region} bukan kode provinsi atau kabupaten/kota Kemendagri",
        f"region {region} is not a Kemendagri province or kabupaten/kota code",
    )


def region_not_allowed(cohort: CohortView, region: str) -> Rejection:
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


def quota_full(cohort: CohortView) -> Rejection:
    return Rejection(
        QUOTA_FULL,
        f"kuota angkatan {cohort.cohort_code} ({cohort.quota} peserta) sudah penuh",
        f"cohort {cohort.cohort_code} is full ({cohort.quota} participants)",
    )
