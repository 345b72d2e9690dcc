"""Indonesian numbers, shares and dates, and the one rounding of a share (issue 21)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.consolidation import domain
from shared.formatting import date, jp, number, percent, share, share_float


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(2, 3, "66.7"), (1, 16, "6.3"), (1733, 2000, "86.7"), (0, 5, "0.0"), (5, 5, "100.0")],
)
def test_a_share_is_exact_and_rounds_half_up_to_one_decimal(part, whole, expected):
    assert share(part, whole) == Decimal(expected)


def test_a_share_of_nothing_is_none_and_shows_a_dash():
    assert share(0, 0) is None
    assert percent(None) == "–"


def test_the_api_rates_are_the_same_rounding():
    assert domain.compliance_rate(1, 16) == share_float(1, 16) == 6.3
    assert domain.completion_rate(1, 15) == share_float(1, 16) == 6.3


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [(Decimal("96.7"), "id", "96,7%"), (96.7, "en", "96.7%"), (100.0, "id", "100,0%")],
)
def test_a_percentage_keeps_the_api_value_with_local_separators(value, language, expected):
    assert percent(value, language) == expected


def test_numbers_group_thousands_with_points_in_indonesian():
    assert number(1234567) == "1.234.567"
    assert number(1234567, "en") == "1,234,567"
    assert number(Decimal("1234.55"), places=1) == "1.234,6"
    assert number(0) == "0"


def test_training_hours_drop_trailing_zeros():
    assert (jp(20.0), jp(Decimal("22.5")), jp(1500, "en")) == ("20", "22,5", "1,500")


def test_dates_name_the_month():
    assert date(dt.date(2026, 12, 3)) == "3 Desember 2026"
    assert date(dt.date(2026, 5, 24), "en") == "24 May 2026"
