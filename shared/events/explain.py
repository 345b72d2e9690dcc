"""The contract's validation errors in our own words: what is wrong, then what is expected with
an example, Indonesian first and English after, never a library's text or the value itself (it
may be a NIP or a name). One table for every field; tools reading another form of the same value
(a spreadsheet's dates, `ya`/`tidak`) pass their own `Expected` for those fields.

Public API
- Expected(label_id, label_en, format_id, format_en)
- CONTRACT_FORMATS: field name -> Expected, for the JSON the contract defines
- explain(error, formats=CONTRACT_FORMATS) -> (message_id, message_en)
- field_of(loc) -> the field name an error's location ends with
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pydantic_core import ErrorDetails


@dataclass(frozen=True)
class Expected:
    """How a field is named and written: `format_*` completes "<label> harus ..."."""

    label_id: str
    label_en: str
    format_id: str
    format_en: str


def _text(label_id: str, label_en: str, limit: int = 200) -> Expected:
    return Expected(
        label_id,
        label_en,
        f"diisi teks, paling banyak {limit} karakter",
        f"text of at most {limit} characters",
    )


_DATE = Expected(
    "tanggal", "the date", "TTTT-BB-HH, mis. 2024-02-29", "YYYY-MM-DD, e.g. 2024-02-29"
)
_TIME = Expected(
    "jam", "the time", "JJ:MM tanpa zona, mis. 08:00", "HH:MM without a zone, e.g. 08:00"
)
_PERCENT = ("angka 0 sampai 100, mis. 90", "a number from 0 to 100, e.g. 90")
CONTRACT_FORMATS: Final[Mapping[str, Expected]] = {
    "cohort_code": Expected(
        "kode angkatan",
        "the cohort code",
        "3–80 huruf, angka atau . / _ - diawali kode penerbit, mis. 35.23/PKA/2024/I",
        "3–80 letters, digits or . / _ - starting with the publisher id, e.g. 35.23/PKA/2024/I",
    ),
    "nip": Expected(
        "NIP",
        "the NIP",
        "18 angka 0–9 tanpa spasi, mis. 198503122010011003",
        "18 digits 0–9 without spaces, e.g. 198503122010011003",
    ),
    "region": Expected(
        "kode daerah",
        "the region code",
        "kode Kemendagri provinsi (2 angka) atau kabupaten/kota (NN.NN), mis. 15 atau 35.23",
        "a Kemendagri province (2 digits) or kabupaten/kota (NN.NN) code, e.g. 15 or 35.23",
    ),
    "asn_type": Expected("jenis ASN", "the ASN type", "PNS atau PPPK", "PNS or PPPK"),
    "gender": Expected(
        "jenis kelamin", "the gender", "L (laki-laki) atau P (perempuan)", "L (male) or P (female)"
    ),
    "date": _DATE,
    "status_since": _DATE,
    "start": _TIME,
    "end": _TIME,
    "jp": Expected(
        "JP",
        "JP",
        "angka lebih dari 0 sampai 12 dengan paling banyak 2 desimal, mis. 4 atau 2.5",
        "a number above 0 up to 12 with at most 2 decimals, e.g. 4 or 2.5",
    ),
    "score": Expected(
        "nilai",
        "the score",
        "angka 0 sampai 100 dengan paling banyak 2 desimal, mis. 85.5",
        "a number from 0 to 100 with at most 2 decimals, e.g. 85.5",
    ),
    "min_attendance_pct": Expected("minimal kehadiran", "the minimum attendance", *_PERCENT),
    "pass_score": Expected("nilai lulus", "the pass score", *_PERCENT),
    "year": Expected("tahun", "the year", "angka 2000–2100, mis. 2024", "2000–2100, e.g. 2024"),
    "quota": Expected("kuota", "the quota", "bilangan bulat 1–10000, mis. 30", "1–10000, e.g. 30"),
    "no": Expected("nomor sesi", "the session number", "bilangan bulat 1–500", "1–500"),
    "session_no": Expected("nomor sesi", "the session number", "bilangan bulat 1–500", "1–500"),
    "timezone": Expected(
        "zona waktu",
        "the time zone",
        "Asia/Jakarta, Asia/Makassar atau Asia/Jayapura",
        "Asia/Jakarta, Asia/Makassar or Asia/Jayapura",
    ),
    "category": Expected(
        "kategori",
        "the category",
        "salah satu: latsar, teknis, fungsional, manajerial, sosial_kultural, seminar, bimtek, "
        "kepemimpinan_pkn, kepemimpinan_pka, kepemimpinan_pkp, lainnya",
        "one of latsar, teknis, fungsional, manajerial, sosial_kultural, seminar, bimtek, "
        "kepemimpinan_pkn, kepemimpinan_pka, kepemimpinan_pkp, lainnya",
    ),
    "method": Expected(
        "metode",
        "the method",
        "salah satu: ceramah, tanya_jawab, diskusi, studi_kasus, simulasi, studi_lapangan, "
        "e_learning, lainnya",
        "one of ceramah, tanya_jawab, diskusi, studi_kasus, simulasi, studi_lapangan, "
        "e_learning, lainnya",
    ),
    "status": Expected(
        "status",
        "the status",
        "HADIR, TERLAMBAT, IZIN, SAKIT atau ALPA (presensi); aktif, tugas_belajar, cltn, "
        "pensiun, berhenti atau meninggal (daftar ASN)",
        "HADIR, TERLAMBAT, IZIN, SAKIT or ALPA (attendance); aktif, tugas_belajar, cltn, "
        "pensiun, berhenti or meninggal (roster)",
    ),
    "evaluation_required": Expected(
        "wajib evaluasi", "evaluation required", "true/false", "true/false"
    ),
    "open_to_other_regions": Expected(
        "terbuka untuk daerah lain", "open to other regions", "true/false", "true/false"
    ),
    "angkatan": _text("angkatan", "the angkatan", 20),
    "reason": _text("alasan", "the reason", 1000),
    "note": _text("catatan", "the note", 1000),
    "name": _text("nama", "the name"),
    "organizer": _text("penyelenggara", "the organiser"),
    "location": _text("tempat", "the venue"),
    "position": _text("jabatan", "the position"),
    "agency": _text("instansi", "the agency"),
    "unit": _text("unit kerja", "the unit"),
    "rank": _text("pangkat/golongan", "the rank"),
    "title": _text("materi", "the session title"),
}
_ANY = Expected("isian", "the field", "sesuai templat", "as the template shows")

# Rules across fields (the models' own validators raise these types).
_RULES: Final[Mapping[str, tuple[str, str]]] = {
    "session_end_not_after_start": (
        "jam selesai sesi harus setelah jam mulainya, mis. mulai 08:00 selesai 12:00",
        "a session must end after it starts, e.g. start 08:00, end 12:00",
    ),
    "session_numbers_repeated": (
        "nomor sesi dipakai lebih dari sekali: beri setiap sesi nomor sendiri (1, 2, 3, ...)",
        "a session number is used more than once: number each session once (1, 2, 3, ...)",
    ),
}
_RANGES: Final = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def field_of(loc: tuple[int | str, ...]) -> str:
    """The field an error's location ends with: ("sessions", 0, "date") -> "date"."""
    return next((str(part) for part in reversed(loc) if isinstance(part, str)), "")


def _problem(kind: str, ctx: Mapping[str, Any], label: Expected, empty: bool) -> tuple[str, str]:
    if kind == "missing":
        return f"{label.label_id} wajib diisi", f"{label.label_en} is required"
    if empty or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return f"{label.label_id} kosong", f"{label.label_en} is empty"
    if kind in ("string_too_long", "too_long"):
        return f"{label.label_id} terlalu panjang", f"{label.label_en} is too long"
    if kind in _RANGES:
        return f"{label.label_id} di luar batas", f"{label.label_en} is out of range"
    if kind == "decimal_max_places":
        return f"{label.label_id} terlalu banyak desimal", f"{label.label_en} has too many decimals"
    if kind in ("literal_error", "enum"):
        return f"{label.label_id} tidak dikenal", f"{label.label_en} is not one we know"
    return f"{label.label_id} tidak sesuai format", f"{label.label_en} is not in the right form"


def explain(
    error: ErrorDetails, formats: Mapping[str, Expected] = CONTRACT_FORMATS
) -> tuple[str, str]:
    """One validation error as (Indonesian, English) sentences naming the expected form."""
    rule = _RULES.get(error["type"])
    if rule is not None:
        return rule
    name = field_of(tuple(error["loc"]))
    label = formats.get(name) or CONTRACT_FORMATS.get(name) or _ANY
    if error["type"] == "too_short" and name == "sessions":
        return "jadwal tidak punya sesi", "the schedule has no session"
    empty = error.get("input") == ""  # only when the caller kept the inputs
    said_id, said_en = _problem(error["type"], error.get("ctx") or {}, label, empty)
    return (
        f"{said_id}; {label.label_id} harus {label.format_id}",
        f"{said_en}; {label.label_en} must be {label.format_en}",
    )
