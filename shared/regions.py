"""Indonesian regions and time zones: Kemendagri codes, publisher coverage, local ↔ UTC time.

Pure: standard library only. Codes follow Kepmendagri 300.2.2-2138/2025, never BPS codes
(the two differ for the Papua provinces 91–96).

Public API
- NASIONAL, PROVINCES (code -> name), TIMEZONES (WIB/WITA/WIT -> IANA name)
- is_province(code) -> bool
- is_kabupaten_kota(code) -> bool
- is_valid_region(code) -> bool
- province_of(code) -> str
- province_name(code) -> str
- region_name(code) -> str
- is_valid_publisher_id(publisher_id) -> bool
- publisher_covers(publisher_id, region_code) -> bool
- is_indonesian_timezone(tz_name) -> bool
- local_to_utc(day, clock, tz_name) -> datetime
- local_date_of(instant, tz_name) -> date
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from importlib.resources import files
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

NASIONAL: Final = "nasional"

PROVINCES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "11": "Aceh",
        "12": "Sumatera Utara",
        "13": "Sumatera Barat",
        "14": "Riau",
        "15": "Jambi",
        "16": "Sumatera Selatan",
        "17": "Bengkulu",
        "18": "Lampung",
        "19": "Kepulauan Bangka Belitung",
        "21": "Kepulauan Riau",
        "31": "DKI Jakarta",
        "32": "Jawa Barat",
        "33": "Jawa Tengah",
        "34": "DI Yogyakarta",
        "35": "Jawa Timur",
        "36": "Banten",
        "51": "Bali",
        "52": "Nusa Tenggara Barat",
        "53": "Nusa Tenggara Timur",
        "61": "Kalimantan Barat",
        "62": "Kalimantan Tengah",
        "63": "Kalimantan Selatan",
        "64": "Kalimantan Timur",
        "65": "Kalimantan Utara",
        "71": "Sulawesi Utara",
        "72": "Sulawesi Tengah",
        "73": "Sulawesi Selatan",
        "74": "Sulawesi Tenggara",
        "75": "Gorontalo",
        "76": "Sulawesi Barat",
        "81": "Maluku",
        "82": "Maluku Utara",
        "91": "Papua",
        "92": "Papua Barat",
        "93": "Papua Selatan",
        "94": "Papua Tengah",
        "95": "Papua Pegunungan",
        "96": "Papua Barat Daya",
    }
)

TIMEZONES: Final[Mapping[str, str]] = MappingProxyType(
    {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
)

# ASCII digits only: str.isdigit() would also accept e.g. Arabic-Indic digits.
_KABUPATEN_KOTA = re.compile(r"([0-9]{2})\.([0-9]{2})")
_KABUPATEN_NUMBERS = range(1, 70)
_KOTA_NUMBERS = range(71, 100)


def is_province(code: str) -> bool:
    return code in PROVINCES


@functools.lru_cache(maxsize=4096)  # asked several times per registration, of a few codes
def is_kabupaten_kota(code: str) -> bool:
    """Format and numbering only: the 514 individual codes are not enumerated here, so
    `35.69` passes although Jawa Timur has fewer kabupaten."""
    match = _KABUPATEN_KOTA.fullmatch(code)
    if match is None or not is_province(match[1]):
        return False
    number = int(match[2])
    return number in _KABUPATEN_NUMBERS or number in _KOTA_NUMBERS


def is_valid_region(code: str) -> bool:
    """A participant's home region: a province or a kabupaten/kota (`nasional` is not one)."""
    return is_province(code) or is_kabupaten_kota(code)


def province_of(code: str) -> str:
    """`35.23` -> `35`, `35` -> `35`; ValueError for `nasional` or an unknown code."""
    if not is_valid_region(code):
        raise ValueError(f"{code!r} is not a Kemendagri province or kabupaten/kota code")
    return code[:2]


def province_name(code: str) -> str:
    """The name of the province a region code belongs to: `35.23` -> `Jawa Timur`."""
    return PROVINCES[province_of(code)]


def region_name(code: str) -> str:
    """A region's name for people: `35.23` -> `Kabupaten Tuban`, `35` -> `Jawa Timur`,
    `nasional` -> `Nasional`; the code itself when it names no region in the list."""
    if code == NASIONAL:
        return "Nasional"
    if is_province(code):
        return PROVINCES[code]
    return kabupaten_kota_names().get(code, code)


@functools.cache
def kabupaten_kota_names() -> Mapping[str, str]:
    """The 514 kabupaten/kota of Kepmendagri 300.2.2-2138/2025 (kabupaten_kota.csv, taken from
    github.com/cahyadsn/wilayah db/wilayah.sql, MIT): code -> name."""
    text = files("shared").joinpath("kabupaten_kota.csv").read_text(encoding="utf-8")
    return MappingProxyType({row["code"]: row["name"] for row in csv.DictReader(text.splitlines())})


def is_valid_publisher_id(publisher_id: str) -> bool:
    return publisher_id == NASIONAL or is_valid_region(publisher_id)


def publisher_covers(publisher_id: str, region_code: str) -> bool:
    """Whether a region lies in a publisher's own area: nasional covers all, a province its
    kabupaten/kota, a kabupaten/kota only itself."""
    if not is_valid_region(region_code):
        return False
    if publisher_id == NASIONAL:
        return True
    if is_province(publisher_id):
        return province_of(region_code) == publisher_id
    return is_kabupaten_kota(publisher_id) and region_code == publisher_id


def is_indonesian_timezone(tz_name: str) -> bool:
    return tz_name in TIMEZONES.values()


def local_to_utc(day: date, clock: time, tz_name: str) -> datetime:
    """A wall-clock time at a venue in WIB/WITA/WIT as an aware UTC instant."""
    if clock.tzinfo is not None:
        raise ValueError(f"clock {clock} must be a naive local time; the zone is {tz_name}")
    return datetime.combine(day, clock, tzinfo=_zone(tz_name)).astimezone(UTC)


def local_date_of(instant: datetime, tz_name: str) -> date:
    """The calendar date at the venue: 23:30 UTC is already the next day in WIB."""
    if instant.utcoffset() is None:
        raise ValueError(f"instant {instant} must be timezone-aware")
    return instant.astimezone(_zone(tz_name)).date()


def _zone(tz_name: str) -> ZoneInfo:
    # Only the three Indonesian zones: anything else is a publisher mistake, not a venue.
    if not is_indonesian_timezone(tz_name):
        allowed = ", ".join(TIMEZONES.values())
        raise ValueError(f"time zone {tz_name!r} is not one of {allowed}")
    return ZoneInfo(tz_name)
