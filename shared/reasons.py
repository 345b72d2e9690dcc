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


# Who must act on a rejection, and what they do, Indonesian first: the publisher for what it
# sent, BPSDM for what only the national operators can change.
PUBLISHER, BPSDM = "publisher", "bpsdm"
FIXED_BY: dict[ReasonCode, tuple[str, str, str]] = {
    ReasonCode.MALFORMED: (
        PUBLISHER,
        "kirim ulang dari alat penerbit",
        "resend from the publishing tool",
    ),
    ReasonCode.SCHEMA_INVALID: (
        PUBLISHER,
        "perbaiki isian sesuai templat lalu kirim ulang",
        "correct the fields as the template shows, then resend",
    ),
    ReasonCode.UNKNOWN_TYPE: (
        BPSDM,
        "pastikan versi kontrak yang dipakai penerbit didukung layanan",
        "make sure the services support the contract version the publisher uses",
    ),
    ReasonCode.SOURCE_MISMATCH: (
        PUBLISHER,
        "kirim dengan id penerbit sendiri; bila id benar, minta BPSDM memeriksa pendaftarannya",
        "send with the publisher's own id; if it is right, ask BPSDM to check its onboarding",
    ),
    ReasonCode.INVALID_NIP: (
        PUBLISHER,
        "perbaiki NIP (18 angka) lalu kirim ulang",
        "correct the NIP (18 digits), then resend",
    ),
    ReasonCode.UNKNOWN_COHORT: (
        PUBLISHER,
        "kirim jadwal kelas sebelum pendaftaran dan presensinya",
        "send the cohort's schedule before its registrations and attendance",
    ),
    ReasonCode.NOT_OWNER: (
        PUBLISHER,
        "kirim hanya untuk kelas milik sendiri",
        "send only for the publisher's own cohorts",
    ),
    ReasonCode.COHORT_CLOSED: (
        PUBLISHER,
        "kirim sebelum kelas ditutup",
        "send before the cohort is closed",
    ),
    ReasonCode.COHORT_CANCELLED: (
        PUBLISHER,
        "jangan kirim untuk kelas yang dibatalkan",
        "send nothing for a cancelled cohort",
    ),
    ReasonCode.QUOTA_FULL: (
        PUBLISHER,
        "naikkan kuota kelas atau daftarkan di kelas lain",
        "raise the cohort's quota or register in another cohort",
    ),
    ReasonCode.ALREADY_ENROLLED: (PUBLISHER, "tidak perlu dikirim lagi", "nothing to resend"),
    ReasonCode.NOT_ENROLLED: (
        PUBLISHER,
        "daftarkan peserta sebelum presensi atau nilainya",
        "register the participant before their attendance or score",
    ),
    ReasonCode.UNKNOWN_SESSION: (
        PUBLISHER,
        "pakai nomor sesi yang ada di jadwal kelas",
        "use a session number of the cohort's schedule",
    ),
    ReasonCode.REGION_NOT_ALLOWED: (
        PUBLISHER,
        "buka kelas untuk daerah lain atau daftarkan ASN daerah sendiri",
        "open the cohort to other regions or register the publisher's own ASN",
    ),
    ReasonCode.AMENDMENT_WINDOW_CLOSED: (
        PUBLISHER,
        "ubah jadwal sebelum sesi pertama dimulai",
        "change the schedule before the first session starts",
    ),
    ReasonCode.PROCESSING_ERROR: (
        BPSDM,
        "tim teknis BPSDM memeriksa dan memproses ulang",
        "BPSDM's operators investigate and reprocess",
    ),
}
