"""Rules of the national read model: cohort phases, the 20 JP minimum, SIASN mappings. Pure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

JP_MINIMUM = Decimal(20)
NASIONAL = "nasional"

# SIASN "riwayat kursus" jenisDiklatId (DOMAIN.md): 1 Struktural, 2 Fungsional, 3 Teknis,
# 4 Workshop, 5 Manajerial, 6 Sosial Kultural, 7 Sosialisasi, 8 Bimtek, 9 Seminar, 10 Magang.
# Leadership training (PKN/PKA/PKP) is the former Diklatpim, i.e. struktural; Latsar and
# "lainnya" have no own id, so they go as teknis [conv, keep configurable].
SIASN_JENIS_DIKLAT: dict[str, int] = {
    "kepemimpinan_pkn": 1,
    "kepemimpinan_pka": 1,
    "kepemimpinan_pkp": 1,
    "fungsional": 2,
    "teknis": 3,
    "latsar": 3,
    "lainnya": 3,
    "manajerial": 5,
    "sosial_kultural": 6,
    "bimtek": 8,
    "seminar": 9,
}


def siasn_jenis_diklat(category: str) -> int:
    return SIASN_JENIS_DIKLAT.get(category, 3)


def organizer_province(publisher: str) -> str | None:
    """`35.23` -> `35`, `15` -> `15`, `nasional` -> None (national organiser has no province)."""
    return None if publisher == NASIONAL else publisher[:2]


def phase(status: str, start: dt.date, end: dt.date, today: dt.date) -> str:
    """scheduled | running | closed | cancelled: running is a scheduled cohort within its dates
    (or past them but not closed yet: the organiser has not closed it)."""
    if status in ("closed", "cancelled"):
        return status
    return "running" if start <= today else "scheduled"


def meets_minimum(jp: Decimal) -> bool:
    return jp >= JP_MINIMUM


def completion_rate(completed: int, not_completed: int) -> float | None:
    """Share of decided participants who completed, in percent; None before any decision."""
    decided = completed + not_completed
    return round(100.0 * completed / decided, 2) if decided else None


def claim_authority(publisher: str, region: str) -> int:
    """How much a registration's claimed home region weighs, by who registered: 3 the region's
    own publisher (its roster keeper), 2 `nasional` (it trains every region's ASN and has no
    region of its own to favour), 1 a province over its kabupaten/kota, 0 any other publisher.
    The ASN's home region is the weightiest claim, the earliest among equals, so a publisher
    can never move an established home region into its own area by registering someone."""
    if publisher == region:
        return 3
    if publisher == NASIONAL:
        return 2
    if len(publisher) == 2 and region.startswith(publisher + "."):
        return 1
    return 0


def covers(publisher: str, region: str) -> bool:
    """Whether a publisher's own area includes a home region (mirrors shared.regions)."""
    if publisher == NASIONAL:
        return True
    if len(publisher) == 2:
        return region[:2] == publisher
    return region == publisher
