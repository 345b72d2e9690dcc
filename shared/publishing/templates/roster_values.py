"""The roster sheet's headings and how its cell values become the contract's values
(`diklat.asn.recorded.v1`), for our own template and for a SIASN data export.

SIASN headings: BKN publishes no specification of its export columns that we could consult.
The names below ("NIP BARU", "NAMA", "JENIS KELAMIN", "JENIS PEGAWAI NAMA", "KEDUDUKAN HUKUM
NAMA", "GOL AKHIR NAMA", "JABATAN NAMA", "UNOR NAMA", "INSTANSI INDUK NAMA", "INSTANSI KERJA
NAMA") are those public importers of SIASN "data utama" files read (one with spaces, one with
underscores: both are accepted). The values ("Pria"/"Wanita", 1/2, "Tugas Belajar", "CLTN",
"PNS Daerah") are not confirmed from an export: unknown ones are refused with the list we know.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from shared.events.ingest import EmploymentStatus
from shared.publishing.values import read_date

# Our own Indonesian headings (templates/README.md).
OWN_HEADINGS: Final[dict[str, str]] = {
    "nip": "nip",
    "nama": "name",
    "jenis asn": "asn_type",
    "jenis kelamin": "gender",
    "instansi": "agency",
    "unit kerja": "unit",
    "kode daerah": "region",
    "jabatan": "position",
    "pangkat/golongan": "rank",
    "status": "status",
    "sejak": "status_since",
}
# A SIASN export's headings; "NAMA" and "JENIS KELAMIN" are shared with ours.
SIASN_HEADINGS: Final[dict[str, str]] = {
    "nip baru": "nip",
    "jenis pegawai nama": "asn_type",
    "instansi kerja nama": "agency",
    "instansi induk nama": "parent_agency",
    "unor nama": "unit",
    "jabatan nama": "position",
    "gol akhir nama": "rank",
    "kedudukan hukum nama": "status",
}
ROSTER_HEADINGS: Final[dict[str, str]] = {
    **OWN_HEADINGS,
    **SIASN_HEADINGS,
    **{k.replace(" ", "_"): v for k, v in SIASN_HEADINGS.items()},
    "jenis_kelamin": "gender",
}
# Headings a Peserta sheet never has: without one, a sheet that lost its Kode Angkatan column
# would be read as a roster and its people recorded instead of refused.
ROSTER_ONLY: Final = {"unit kerja", "status", "sejak"} | {
    h for h, name in ROSTER_HEADINGS.items() if h not in OWN_HEADINGS
}
# Each required field and the headings that may carry it, for the "missing column" message.
REQUIRED: Final[dict[str, str]] = {
    "nip": "'NIP' / 'NIP BARU'",
    "name": "'Nama' / 'NAMA'",
    "asn_type": "'Jenis ASN' / 'JENIS PEGAWAI NAMA'",
    "gender": "'Jenis Kelamin' / 'JENIS KELAMIN'",
    "agency": "'Instansi' / 'INSTANSI KERJA NAMA' / 'INSTANSI INDUK NAMA'",
}
_GENDERS: Final = {
    "l": "L",
    "p": "P",
    "laki-laki": "L",
    "laki laki": "L",
    "perempuan": "P",
    "pria": "L",
    "wanita": "P",
    "1": "L",
    "2": "P",
    "m": "L",
    "f": "P",
}
_STATUSES: Final = {
    **{s.value: s for s in EmploymentStatus},
    **{s.value.replace("_", " "): s for s in EmploymentStatus},
    "cuti di luar tanggungan negara": EmploymentStatus.CLTN,
    "": EmploymentStatus.AKTIF,
}
STATUS_WORDS: Final = "Aktif, Tugas Belajar, CLTN, Pensiun, Berhenti, Meninggal"


def gender_of(text: str) -> str | None:
    """L or P from our letters, SIASN's words or its 1/2 code; None when unknown."""
    return _GENDERS.get(" ".join(text.lower().split()))


def asn_type_of(text: str) -> str | None:
    """PNS or PPPK from "PNS", "CPNS", "PNS Daerah", "PPPK", "P3K"; None when unknown."""
    word = text.upper()
    if "PPPK" in word or "P3K" in word:
        return "PPPK"
    return "PNS" if word.split()[:1] in (["PNS"], ["CPNS"]) else None


def status_of(text: str) -> EmploymentStatus | None:
    """The employment status from a word as typed ("Tugas Belajar", "tugas_belajar")."""
    return _STATUSES.get(" ".join(text.lower().split()))


def date_of(text: str) -> dt.date | None:
    """A date as our template (YYYY-MM-DD), a SIASN export (DD-MM-YYYY) or Excel writes it."""
    found = read_date(text)
    return found if isinstance(found, dt.date) else None


def default_since(nip: str, asn_type: str) -> dt.date | None:
    """The date a status with no "since" is taken to hold from: a PNS's TMT CPNS (NIP digits
    9–14, the first of that month); a PPPK's contract year (digits 9–12, 1 January)."""
    try:
        if asn_type == "PNS":
            return dt.date(int(nip[8:12]), int(nip[12:14]), 1)
        return dt.date(int(nip[8:12]), 1, 1)
    except ValueError:
        return None
