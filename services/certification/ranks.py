"""A rank as the STTP prints it: a PNS golongan with its pangkat name ("Pembina, IV/a").

Pure. PNS golongan I/a..IV/e each have a pangkat name (PP 99/2000); PPPK golongan I..XVII have
none, and a rank already written with its name, or anything else, is printed as given.

Public API
- PANGKAT: golongan -> pangkat name
- rank_with_name(rank) -> str | None
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final

PANGKAT: Final = MappingProxyType(
    {
        "I/a": "Juru Muda",
        "I/b": "Juru Muda Tingkat I",
        "I/c": "Juru",
        "I/d": "Juru Tingkat I",
        "II/a": "Pengatur Muda",
        "II/b": "Pengatur Muda Tingkat I",
        "II/c": "Pengatur",
        "II/d": "Pengatur Tingkat I",
        "III/a": "Penata Muda",
        "III/b": "Penata Muda Tingkat I",
        "III/c": "Penata",
        "III/d": "Penata Tingkat I",
        "IV/a": "Pembina",
        "IV/b": "Pembina Tingkat I",
        "IV/c": "Pembina Utama Muda",
        "IV/d": "Pembina Utama Madya",
        "IV/e": "Pembina Utama",
    }
)
# "IV/a", "iv / A", "IV-a": how a golongan is typed in a sheet.
_GOLONGAN = re.compile(r"\s*(IV|III|II|I)\s*[/\-]\s*([A-E])\s*", re.IGNORECASE)


def rank_with_name(rank: str | None) -> str | None:
    """`IV/a` -> `Pembina, IV/a`; any other text (a PPPK golongan such as `IX`, or a rank that
    already names its pangkat) as given; None stays None."""
    if rank is None:
        return None
    found = _GOLONGAN.fullmatch(rank)
    if found is None:
        return rank
    golongan = f"{found[1].upper()}/{found[2].lower()}"
    name = PANGKAT.get(golongan)
    return rank if name is None else f"{name}, {golongan}"
