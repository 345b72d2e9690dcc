"""Where each figure of the dashboard leads: the drill-down pages' addresses, in one place."""

from __future__ import annotations

from urllib.parse import quote, urlencode

HOME = "/dasbor"


def province(code: str) -> str:
    return f"{HOME}/provinsi/{quote(code)}"


def region(code: str) -> str:
    """A kabupaten/kota."""
    return f"{HOME}/wilayah/{quote(code)}"


def agency(region_code: str, name: str) -> str:
    return f"{HOME}/wilayah/{quote(region_code)}/instansi/{quote(name, safe='')}"


def at_risk(year: int, province: str | None = None, region: str | None = None) -> str:
    given = {"year": year, "province": province, "region": region}
    return f"{HOME}/berisiko?" + urlencode({k: v for k, v in given.items() if v is not None})


def asn(nip: str) -> str:
    return f"{HOME}/asn/{quote(nip)}"


def data_quality() -> str:
    return f"{HOME}/kualitas-data"


def certificates(year: int | None = None) -> str:
    return f"{HOME}/sertifikat" + (f"?year={year}" if year is not None else "")


def cohorts(year: int) -> str:
    return f"{HOME}/kelas?year={year}"
