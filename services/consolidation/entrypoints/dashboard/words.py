"""What the cohorts, registry and data-quality pages say instead of the API's codes: places by
name, a cohort's state, a category, a certificate's status, a participant's result and why,
each as (Indonesian, English)."""

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


def place(code: str) -> str:
    """A publisher's or a region's name (`35.23` -> `Kabupaten Tuban`), Nasional for BPSDM."""
    return region_name(code)


def phase(key: str) -> Words:
    return PHASES.get(key, (key, key))


def category(key: str) -> Words:
    return CATEGORIES.get(key, (key, key))


def certificate_status(key: str) -> Words:
    return CERTIFICATE_STATUSES.get(key, (key, key))


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
