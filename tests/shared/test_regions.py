"""Kemendagri region codes, publisher coverage and the three Indonesian time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.regions import (
    NASIONAL,
    PROVINCES,
    is_kabupaten_kota,
    is_province,
    is_valid_publisher_id,
    is_valid_region,
    kabupaten_kota_names,
    local_date_of,
    local_to_utc,
    province_name,
    province_of,
    publisher_covers,
    region_name,
)

pytestmark = pytest.mark.unit

provinces = st.sampled_from(sorted(PROVINCES))
local_numbers = st.one_of(st.integers(1, 69), st.integers(71, 99))
kabupaten_kota = st.builds(lambda p, n: f"{p}.{n:02d}", provinces, local_numbers)
regions = st.one_of(provinces, kabupaten_kota)


def test_there_are_38_provinces():
    assert len(PROVINCES) == 38


def test_papua_provinces_use_kemendagri_codes_91_to_96():
    assert [PROVINCES[c] for c in ("91", "92", "93", "94", "95", "96")] == [
        "Papua",
        "Papua Barat",
        "Papua Selatan",
        "Papua Tengah",
        "Papua Pegunungan",
        "Papua Barat Daya",
    ]


@pytest.mark.parametrize("code", ["15", "35", "96", "11"])
def test_listed_codes_are_provinces(code):
    assert is_province(code)


@pytest.mark.parametrize("code", ["10", "20", "37", "97", "1", "015", "nasional", "35.23", ""])
def test_unlisted_codes_are_not_provinces(code):
    assert not is_province(code)


@pytest.mark.parametrize("code", ["35.23", "36.74", "15.01", "35.69", "35.71", "35.99"])
def test_kabupaten_01_to_69_and_kota_71_to_99_are_kabupaten_kota(code):
    assert is_kabupaten_kota(code)


@pytest.mark.parametrize(
    "code", ["35.00", "35.70", "10.01", "35", "35.2", "35.233", "35-23", "3523", "٣٥.٢٣", " 35.23"]
)
def test_malformed_or_out_of_range_codes_are_not_kabupaten_kota(code):
    assert not is_kabupaten_kota(code)


def test_nasional_is_a_publisher_but_not_a_region():
    assert is_valid_publisher_id(NASIONAL)
    assert not is_valid_region(NASIONAL)


@pytest.mark.parametrize("publisher_id", ["nasional", "15", "35.23", "36.74"])
def test_valid_publisher_ids(publisher_id):
    assert is_valid_publisher_id(publisher_id)


@pytest.mark.parametrize("publisher_id", ["Nasional", "99", "35.70", "bpsdm", "", "15.1"])
def test_invalid_publisher_ids(publisher_id):
    assert not is_valid_publisher_id(publisher_id)


def test_province_of_a_kabupaten_is_its_first_two_digits():
    assert province_of("35.23") == "35"
    assert province_of("35") == "35"


@pytest.mark.parametrize("code", ["nasional", "99", "35.70"])
def test_province_of_a_non_region_raises(code):
    with pytest.raises(ValueError, match="not a Kemendagri"):
        province_of(code)


def test_province_name_of_tuban_is_jawa_timur():
    assert province_name("35.23") == "Jawa Timur"
    assert province_name("15") == "Jambi"


@given(regions)
def test_nasional_covers_every_region(region):
    assert publisher_covers(NASIONAL, region)


@given(provinces, local_numbers)
def test_a_province_covers_its_own_kabupaten_kota(province, number):
    assert publisher_covers(province, f"{province}.{number:02d}")
    assert publisher_covers(province, province)


@given(provinces, regions)
def test_a_province_covers_no_region_of_another_province(province, region):
    assert publisher_covers(province, region) == (province_of(region) == province)


@given(kabupaten_kota, regions)
def test_a_kabupaten_covers_only_itself(publisher, region):
    assert publisher_covers(publisher, region) == (publisher == region)


def test_a_kabupaten_does_not_cover_its_province():
    assert not publisher_covers("35.23", "35")


@pytest.mark.parametrize("publisher_id", ["nasional", "35", "35.23"])
def test_no_publisher_covers_an_unknown_region(publisher_id):
    assert not publisher_covers(publisher_id, "99.01")


@pytest.mark.parametrize(
    ("tz_name", "offset_hours"),
    [("Asia/Jakarta", 7), ("Asia/Makassar", 8), ("Asia/Jayapura", 9)],
)
def test_local_session_start_converts_to_utc_with_the_zones_offset(tz_name, offset_hours):
    start = local_to_utc(date(2023, 6, 19), time(8, 0), tz_name)
    assert start == datetime(2023, 6, 19, 8, 0, tzinfo=UTC) - timedelta(hours=offset_hours)
    assert start.tzinfo is UTC


def test_late_evening_utc_is_already_tomorrow_in_wib():
    assert local_date_of(datetime(2023, 6, 18, 23, 30, tzinfo=UTC), "Asia/Jakarta") == date(
        2023, 6, 19
    )


def test_local_date_respects_the_instants_own_offset():
    jayapura_morning = datetime(2023, 6, 19, 7, 0, tzinfo=timezone(timedelta(hours=9)))
    assert local_date_of(jayapura_morning, "Asia/Jakarta") == date(2023, 6, 19)
    assert local_date_of(jayapura_morning - timedelta(hours=6), "Asia/Jakarta") == date(2023, 6, 18)


def test_a_time_zone_outside_indonesia_is_refused():
    with pytest.raises(ValueError, match="Asia/Jakarta"):
        local_to_utc(date(2023, 6, 19), time(8, 0), "Europe/Amsterdam")


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date_of(datetime(2023, 6, 19, 8, 0), "Asia/Jakarta")


def test_an_aware_local_clock_is_refused():
    with pytest.raises(ValueError, match="naive"):
        local_to_utc(date(2023, 6, 19), time(8, 0, tzinfo=UTC), "Asia/Jakarta")


def test_region_name_names_kabupaten_kota_and_provinces() -> None:
    assert region_name("35.23") == "Kabupaten Tuban"
    assert region_name("36.71") == "Kota Tangerang"
    assert region_name("35") == "Jawa Timur"
    assert region_name("nasional") == "Nasional"


def test_region_name_of_an_unlisted_code_is_the_code() -> None:
    assert region_name("35.69") == "35.69"


def test_the_kabupaten_kota_list_has_the_decree_s_416_kabupaten_and_98_kota() -> None:
    names = kabupaten_kota_names()
    kabupaten = [n for n in names.values() if n.startswith("Kabupaten ")]
    kota = [n for n in names.values() if n.startswith("Kota ")]
    assert (len(kabupaten), len(kota)) == (416, 98)
    assert all(is_kabupaten_kota(code) for code in names)
