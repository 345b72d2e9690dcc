"""What the dashboard's pages say instead of the API's codes: places by name, a cohort's state,
a category, a certificate's status, a participant's result and why, an ASN's standing and its
determination's reason, whether a training counted; each as (Indonesian, English)."""

from __future__ import annotations

import math
from decimal import Decimal

from services.consolidation.entrypoints.schemas import ParticipantRow
from shared.regions import region_name

Words = tuple[str, str]

PHASES: dict[str, Words] = {
    "scheduled": ("Dijadwalkan", "Scheduled"),
    "running": ("Berlangsung", "Running"),
    "closed": ("Ditutup", "Closed"),
    "cancelled": ("Dibatalkan", "Cancelled"),
}
CATEGORIES: dict[str, Words] = {
    "latsar": ("Latsar CPNS", "Basic training (Latsar)"),
    "teknis": ("Teknis", "Technical"),
    "fungsional": ("Fungsional", "Functional"),
    "manajerial": ("Manajerial", "Managerial"),
    "sosial_kultural": ("Sosial kultural", "Socio-cultural"),
    "seminar": ("Seminar", "Seminar"),
    "bimtek": ("Bimbingan teknis", "Technical guidance"),
    "kepemimpinan_pkn": ("Kepemimpinan PKN", "Leadership PKN"),
    "kepemimpinan_pka": ("Kepemimpinan PKA", "Leadership PKA"),
    "kepemimpinan_pkp": ("Kepemimpinan PKP", "Leadership PKP"),
    "lainnya": ("Lainnya", "Other"),
}
CERTIFICATE_STATUSES: dict[str, Words] = {
    "valid": ("Berlaku", "Valid"),
    "revoked": ("Dicabut", "Revoked"),
    "superseded": ("Diganti", "Superseded"),
}
# The determination's reason codes in words: (Indonesian, English).
REASONS: dict[str, Words] = {
    "MINIMUM_MET": ("Minimum JP terpenuhi", "Minimum JP met"),
    "SHORTFALL": ("JP kurang dari minimum", "JP short of the minimum"),
    "NO_TRAINING": ("Tidak ada pelatihan yang dihitung", "No training credited"),
    "TYPE_NOT_ASSESSED": ("Jenis ASN ini tidak dinilai (mis. PPPK)",
                          "This ASN type is not assessed (e.g. PPPK)"),
    "TUGAS_BELAJAR": ("Sedang tugas belajar", "On study assignment (tugas belajar)"),
    "CLTN": ("Cuti di luar tanggungan negara", "Unpaid leave (CLTN)"),
    "LEFT_SERVICE": ("Keluar dari dinas (pensiun, berhenti atau meninggal)",
                     "Left the service (retired, resigned or died)"),
    "UNKNOWN_TO_ROSTER": ("Tidak ada di roster daerah asalnya",
                          "Not in the home region's roster"),
}  # fmt: skip
STANDINGS: dict[str, Words] = {
    "MET": ("Memenuhi", "Met"),
    "BELOW": ("Di bawah minimum", "Below the minimum"),
    "ZERO": ("Nol JP", "Zero JP"),
    "EXEMPT": ("Dikecualikan", "Exempt"),
    "NOT_IN_ROSTER": ("Tidak ada di roster", "Not in the roster"),
}
COUNTED: dict[str, Words] = {
    "CREDITED": ("Dihitung", "Credited"),
    "NOT_COMPLETED": ("Tidak dihitung: tidak lulus", "Not credited: not completed"),
    "WITHDRAWN": ("Tidak dihitung: mengundurkan diri", "Not credited: withdrawn"),
    "CANCELLED": ("Tidak dihitung: angkatan dibatalkan", "Not credited: cohort cancelled"),
    "PENDING": ("Belum diputuskan", "Not decided yet"),
}
# The ASN page says what replaced a superseded certificate; the registry's cell keeps it short.
CERTIFICATE_STATUSES_IN_FULL: dict[str, Words] = {
    "valid": ("Berlaku", "Valid"),
    "revoked": ("Dicabut", "Revoked"),
    "superseded": ("Diganti versi baru", "Superseded by a new version"),
}


def place(code: str) -> str:
    """A publisher's or a region's name (`35.23` -> `Kabupaten Tuban`), Nasional for BPSDM."""
    return region_name(code)


def said(table: dict[str, Words], code: str) -> Words:
    """A code's (Indonesian, English) words; an unforeseen code as itself."""
    return table.get(code, (code, code))


def phase(key: str) -> Words:
    return said(PHASES, key)


def category(key: str) -> Words:
    return said(CATEGORIES, key)


def certificate_status(key: str) -> Words:
    return said(CERTIFICATE_STATUSES, key)


def attendance(rate_pct: float | None) -> Decimal | None:
    """The rate cut (not rounded) to one decimal: 89,96% shows as 89,9%, never as a pass."""
    if rate_pct is None:
        return None
    return Decimal(math.floor(Decimal(str(rate_pct)) * 10)) / 10


def result(p: ParticipantRow) -> Words:
    """Completed, not completed, withdrawn or not yet decided."""
    if p.withdrawn:
        return ("Mengundurkan diri", "Withdrew")
    if p.completed is None:
        return ("Belum diputuskan", "Not decided yet")
    return ("Lulus", "Completed") if p.completed else ("Tidak lulus", "Not completed")


def reason(p: ParticipantRow) -> Words | None:
    """Why, in certification's own words with its signs said out: "kehadiran 70% di bawah
    80%"; None while undecided, a known-missing reason for decisions kept without one."""
    if p.withdrawn or p.completed is None:
        return None
    if not p.explanation_id or p.explanation_id == "-":
        return ("alasan tidak tercatat", "reason not recorded")
    return (
        _said(p.explanation_id, ("tidak lulus: ", "lulus: "), " di bawah ", ", minimal "),
        _said(p.explanation_en or "", ("not completed: ", "completed: "), " below ", ", minimum "),
    )


def _said(text: str, verdicts: tuple[str, ...], below: str, at_least: str) -> str:
    """The explanation without its verdict (the page shows it beside) and with words for the
    comparison signs certification writes."""
    for verdict in verdicts:
        if text.startswith(verdict):
            text = text[len(verdict) :]
            break
    return text.replace(" < ", below).replace(" ≥ ", at_least)
