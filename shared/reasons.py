"""Outcomes and reason codes every ingest event ends with (design §4)."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    PARKED = "parked"
    REJECTED = "rejected"


class ReasonCode(StrEnum):
    MALFORMED = "MALFORMED"
    SCHEMA_INVALID = "SCHEMA_INVALID"
    UNKNOWN_TYPE = "UNKNOWN_TYPE"
    SOURCE_MISMATCH = "SOURCE_MISMATCH"
    INVALID_NIP = "INVALID_NIP"
    UNKNOWN_COHORT = "UNKNOWN_COHORT"
    NOT_OWNER = "NOT_OWNER"
    COHORT_CLOSED = "COHORT_CLOSED"
    COHORT_CANCELLED = "COHORT_CANCELLED"
    QUOTA_FULL = "QUOTA_FULL"
    ALREADY_ENROLLED = "ALREADY_ENROLLED"
    NOT_ENROLLED = "NOT_ENROLLED"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"
    REGION_NOT_ALLOWED = "REGION_NOT_ALLOWED"
    AMENDMENT_WINDOW_CLOSED = "AMENDMENT_WINDOW_CLOSED"
    PROCESSING_ERROR = "PROCESSING_ERROR"


# One human sentence per code, Indonesian first: what a province operator reads when the
# specific message of a rule is not available (envelope-level problems).
DEFAULT_MESSAGES: dict[ReasonCode, tuple[str, str]] = {
    ReasonCode.MALFORMED: (
        "Pesan tidak dapat dibaca sebagai CloudEvent JSON.",
        "The record cannot be read as a JSON CloudEvent.",
    ),
    ReasonCode.SCHEMA_INVALID: (
        "Isi event tidak sesuai skema.",
        "The event does not match its schema.",
    ),
    ReasonCode.UNKNOWN_TYPE: ("Jenis event tidak dikenal.", "Unknown event type."),
    ReasonCode.SOURCE_MISMATCH: (
        "Source event tidak sesuai dengan topik penerbit.",
        "The event source does not match the publisher's topic.",
    ),
    ReasonCode.INVALID_NIP: ("NIP tidak valid.", "Invalid NIP."),
    ReasonCode.UNKNOWN_COHORT: ("Angkatan tidak dikenal.", "Unknown cohort."),
    ReasonCode.NOT_OWNER: (
        "Angkatan ini milik penerbit lain.",
        "This cohort belongs to another publisher.",
    ),
    ReasonCode.COHORT_CLOSED: ("Angkatan sudah ditutup.", "The cohort is closed."),
    ReasonCode.COHORT_CANCELLED: ("Angkatan sudah dibatalkan.", "The cohort is cancelled."),
    ReasonCode.QUOTA_FULL: ("Kuota angkatan sudah penuh.", "The cohort's quota is full."),
    ReasonCode.ALREADY_ENROLLED: (
        "Peserta sudah terdaftar di angkatan ini.",
        "The participant is already enrolled in this cohort.",
    ),
    ReasonCode.NOT_ENROLLED: (
        "Peserta tidak terdaftar di angkatan ini.",
        "The participant is not enrolled in this cohort.",
    ),
    ReasonCode.UNKNOWN_SESSION: (
        "Sesi tidak ada dalam jadwal angkatan.",
        "The session is not in the cohort's schedule.",
    ),
    ReasonCode.REGION_NOT_ALLOWED: (
        "Angkatan tidak terbuka untuk peserta dari daerah ini.",
        "The cohort is not open to participants from this region.",
    ),
    ReasonCode.AMENDMENT_WINDOW_CLOSED: (
        "Jadwal tidak dapat diubah setelah sesi pertama dimulai.",
        "The schedule cannot change after the first session has started.",
    ),
    ReasonCode.PROCESSING_ERROR: (
        "Event gagal diproses; tim teknis telah diberi tahu.",
        "The event could not be processed; operators were alerted.",
    ),
}
