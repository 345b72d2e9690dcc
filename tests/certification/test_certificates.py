"""Certification rules for a certificate: what it says, how a re-issue corrects and numbers it,
and the rate a completion is decided on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from services.certification.certificates import (
    Correction,
    corrected_content,
    sttp_content,
    versioned_number,
)
from services.certification.domain import exact_rate

pytestmark = pytest.mark.unit

INFO = {
    "organizer": "BPSDM Provinsi Jawa Barat",
    "programme_name": "Pelatihan Kepemimpinan Pengawas",
    "category": "MANAJERIAL",
    "angkatan": "IV",
    "year": 2022,
    "start_date": "2022-02-15",
    "end_date": "2022-05-24",
    "location": "Bandung",
    "total_jp": Decimal("20.5"),
    "timezone": "Asia/Jakarta",
}
PARTICIPANT = {
    "nip": "198609262015052001",
    "name": "Siti Aminah",
    "position": "Analis",
    "agency": "BKD",
}
NUMBER = "800/0007/BPSDM-15/2022"


def test_a_reissue_keeps_the_sequence_and_adds_the_version():
    assert versioned_number("800/0007/BPSDM-15/2022", 1) == "800/0007/BPSDM-15/2022"
    assert versioned_number("800/0007/BPSDM-15/2022", 2) == "800/0007/BPSDM-15/2022-v2"


def test_an_sttp_shows_the_cohort_the_participant_the_predicate_and_its_number():
    content = sttp_content(INFO, PARTICIPANT, "Memuaskan", NUMBER, NUMBER, dt.date(2022, 5, 24))
    assert content == {
        "organizer": "BPSDM Provinsi Jawa Barat",
        "programme_name": "Pelatihan Kepemimpinan Pengawas",
        "category": "MANAJERIAL",
        "angkatan": "IV",
        "year": 2022,
        "start_date": "2022-02-15",
        "end_date": "2022-05-24",
        "location": "Bandung",
        "total_jp": "20.5",
        "name": "Siti Aminah",
        "nip": "198609262015052001",
        "rank": None,  # a participant without a rank
        "position": "Analis",
        "agency": "BKD",
        "predicate": "Memuaskan",
        "issue_date": "2022-05-24",
        "number": NUMBER,
        "base_number": NUMBER,
    }


def test_a_correction_changes_only_the_fields_given_and_renumbers_and_redates():
    old = sttp_content(INFO, PARTICIPANT, None, NUMBER, NUMBER, dt.date(2022, 5, 24))
    number = versioned_number(NUMBER, 2)
    new = corrected_content(
        old, Correction(reason="typo", name="Siti Aminah, S.T."), number, dt.date(2026, 1, 5)
    )
    assert new == old | {
        "name": "Siti Aminah, S.T.",
        "number": f"{NUMBER}-v2",
        "issue_date": "2026-01-05",
    }
    assert new["base_number"] == NUMBER


def test_the_rate_is_decided_from_the_jp_not_from_the_truncated_published_rate():
    assert exact_rate(Decimal("26.95"), Decimal(30), Decimal("89.833333")) == Fraction(539, 6)
    assert exact_rate(None, None, Decimal("89.5")) == Fraction(179, 2)
    assert exact_rate(Decimal(0), Decimal(0), None) == 0
