"""Where each figure of the dashboard leads: the drill-down pages' addresses, in one place."""

from __future__ import annotations

from urllib.parse import quote, urlencode

HOME = "/dasbor"


def _of_year(year: int | None) -> str:
    return "" if year is None else f"?year={year}"


def province(code: str, year: int | None = None) -> str:
    return f"{HOME}/provinsi/{quote(code)}{_of_year(year)}"


def region(code: str, year: int | None = None) -> str:
    """A kabupaten/kota."""
    return f"{HOME}/wilayah/{quote(code)}{_of_year(year)}"


def agency(region_code: str, name: str, year: int | None = None) -> str:
    where = f"{HOME}/wilayah/{quote(region_code)}/instansi/{quote(name, safe='')}"
    return where + _of_year(year)


def at_risk(
    year: int,
    province: str | None = None,
    region: str | None = None,
    agency: str | None = None,
    sort: str | None = None,
    page: int | None = None,
) -> str:
    given = {
        "year": year,
        "province": province,
        "region": region,
        "agency": agency,
        "sort": sort,
        "page": page if page != 1 else None,
    }
    return f"{HOME}/berisiko?" + urlencode({k: v for k, v in given.items() if v is not None})


def asn(nip: str) -> str:
    return f"{HOME}/asn/{quote(nip)}"


def data_quality(publisher: str | None = None) -> str:
    return f"{HOME}/kualitas-data" + ("" if publisher is None else f"?publisher={quote(publisher)}")


def certificates(year: int | None = None) -> str:
    return f"{HOME}/sertifikat{_of_year(year)}"


def cohorts(year: int) -> str:
    return f"{HOME}/kelas?year={year}"
