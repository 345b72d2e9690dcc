"""Pure rules of the national view: cohort phase, coverage, completion rate, SIASN mapping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.consolidation import domain

pytestmark = pytest.mark.unit
D = dt.date


def test_phase_is_running_from_the_first_day_until_closed():
    assert domain.phase("scheduled", D(2024, 5, 6), D(2024, 5, 7), D(2024, 5, 5)) == "scheduled"
    assert domain.phase("scheduled", D(2024, 5, 6), D(2024, 5, 7), D(2024, 5, 6)) == "running"
    assert domain.phase("scheduled", D(2024, 5, 6), D(2024, 5, 7), D(2024, 6, 1)) == "running"
    assert domain.phase("closed", D(2024, 5, 6), D(2024, 5, 7), D(2024, 6, 1)) == "closed"


def test_publisher_covers_its_own_area_only():
    assert domain.covers("nasional", "91.01")
    assert domain.covers("35", "35.23") and not domain.covers("35", "15.71")
    assert domain.covers("35.23", "35.23") and not domain.covers("35.23", "35.24")


def test_twenty_jp_is_the_minimum_inclusive():
    assert domain.meets_minimum(Decimal(20)) and not domain.meets_minimum(Decimal("19.5"))


def test_completion_rate_counts_decided_participants_only():
    assert domain.completion_rate(0, 0) is None
    assert domain.completion_rate(4, 2) == 66.67


def test_siasn_jenis_diklat_maps_leadership_to_struktural_and_bimtek_to_8():
    assert domain.siasn_jenis_diklat("kepemimpinan_pka") == 1
    assert domain.siasn_jenis_diklat("bimtek") == 8
    assert domain.siasn_jenis_diklat("seminar") == 9


def test_national_organiser_has_no_province():
    assert domain.organizer_province("nasional") is None
    assert domain.organizer_province("35.23") == "35"


def test_a_claims_weight_follows_who_registered_and_which_region_it_names():
    assert domain.claim_authority("35.23", "35.23") == 3  # the region's own publisher
    assert domain.claim_authority("15", "15") == 3  # a province's own ASN
    assert domain.claim_authority("nasional", "35.23") == 2  # no region of its own to favour
    assert domain.claim_authority("15", "15.71") == 1  # a province over its kota
    assert domain.claim_authority("15", "35.23") == 0  # another region's publisher
    assert domain.claim_authority("15.71", "15") == 0  # a kota does not speak for its province
