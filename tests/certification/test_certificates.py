"""Certificate rules (services/certification/certificates.py): what a certificate says, how a
re-issue corrects and numbers it, letter-style numbers, verification codes and the issue date."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.certification.certificates import (
    VERIFICATION_ALPHABET,
    VERIFICATION_BITS,
    Correction,
    Issuer,
    certificate_number,
    corrected_content,
    issue_date,
    issuer_of,
    new_verification_code,
    normalise_verification_code,
    organizer_code_for,
    sttp_content,
    versioned_number,
)

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
    "sessions": [
        {"no": 2, "date": "2022-05-24", "start": "08:00:00", "jp": "10.5", "title": "Penutupan"},
        {"no": 1, "date": "2022-02-15", "start": "08:00:00", "jp": "10", "title": None},
    ],
}
SIGNATORY = {"name": "Dr. Ahmad", "nip": "197001012000031001", "title": "Kepala BPSDM"}
PARTICIPANT = {
    "nip": "198609262015052001",
    "asn_type": "PNS",
    "name": "Siti Aminah",
    "position": "Analis",
    "agency": "BKD",
}
NUMBER = "800/0007/BPSDM-15/2022"


def test_a_reissue_keeps_the_sequence_and_adds_the_version():
    assert versioned_number("800/0007/BPSDM-15/2022", 1) == "800/0007/BPSDM-15/2022"
    assert versioned_number("800/0007/BPSDM-15/2022", 2) == "800/0007/BPSDM-15/2022-v2"


def test_an_sttp_shows_the_cohort_the_participant_the_predicate_and_its_number():
    issuer = Issuer(SIGNATORY, "Bandung")
    content = sttp_content(
        INFO, PARTICIPANT, "Memuaskan", NUMBER, NUMBER, dt.date(2022, 5, 24), issuer
    )
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
        "asn_type": "PNS",
        "position": "Analis",
        "agency": "BKD",
        "predicate": "Memuaskan",
        "issue_date": "2022-05-24",
        "number": NUMBER,
        "base_number": NUMBER,
        "place_of_issue": "Bandung",
        "signatory": SIGNATORY,
        "sessions": [  # in date order
            {"no": 1, "date": "2022-02-15", "title": None, "jp": "10"},
            {"no": 2, "date": "2022-05-24", "title": "Penutupan", "jp": "10.5"},
        ],
    }


def test_without_an_issuer_the_sttp_names_no_signatory_and_no_place():
    content = sttp_content(INFO, PARTICIPANT, None, NUMBER, NUMBER, dt.date(2022, 5, 24))
    assert (content["signatory"], content["place_of_issue"]) == (None, None)


def test_the_schedules_signatory_and_place_win_over_the_publishers_profile():
    profile = Issuer({"name": "Default", "nip": "196501011990031002", "title": "Kepala"}, "Jambi")
    stated = INFO | {"signatory": SIGNATORY, "place_of_issue": "Bandung"}
    assert issuer_of(stated, profile) == Issuer(SIGNATORY, "Bandung")
    assert issuer_of(INFO | {"place_of_issue": "Bandung"}, profile) == Issuer(
        profile.signatory, "Bandung"
    )
    assert issuer_of(INFO, profile) == profile
    assert issuer_of(INFO, None) == Issuer(None, None)


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


def test_a_correction_keeps_the_signatory_place_and_sessions():
    old = sttp_content(
        INFO, PARTICIPANT, None, NUMBER, NUMBER, dt.date(2022, 5, 24), Issuer(SIGNATORY, "Jambi")
    )
    new = corrected_content(
        old, Correction(reason="rank", rank="IV/a"), NUMBER, dt.date(2026, 1, 5)
    )
    assert (new["signatory"], new["place_of_issue"]) == (SIGNATORY, "Jambi")
    assert new["sessions"] == old["sessions"] and new["rank"] == "IV/a"


# --- certificate numbers -------------------------------------------------------------------


def test_a_certificate_number_is_letter_style():
    assert certificate_number("BPSDM-15", 2022, 1) == "800/0001/BPSDM-15/2022"


def test_a_certificate_number_takes_a_classification_and_grows_past_four_digits():
    assert certificate_number("BPSDM-KEMENDAGRI", 2023, 12345, "800.2") == (
        "800.2/12345/BPSDM-KEMENDAGRI/2023"
    )


@given(
    st.sampled_from(["BPSDM-15", "BKPSDM-35.23", "BPSDM-KEMENDAGRI"]),
    st.integers(2000, 2100),
    st.lists(st.integers(1, 10**6), min_size=2, max_size=50, unique=True),
)
def test_distinct_sequences_give_distinct_numbers(organizer, year, seqs):
    numbers = {certificate_number(organizer, year, seq) for seq in seqs}
    assert len(numbers) == len(seqs)


@pytest.mark.parametrize(
    ("organizer", "year", "seq", "classification"),
    [
        ("BPSDM/15", 2022, 1, "800"),
        ("", 2022, 1, "800"),
        ("BPSDM-15", 22, 1, "800"),
        ("BPSDM-15", 2022, 0, "800"),
        ("BPSDM-15", 2022, 1, "800/1"),
    ],
)
def test_a_certificate_number_refuses_parts_that_could_collide(
    organizer, year, seq, classification
):
    with pytest.raises(ValueError):
        certificate_number(organizer, year, seq, classification)


@pytest.mark.parametrize(
    ("publisher", "code"),
    [("nasional", "BPSDM-KEMENDAGRI"), ("15", "BPSDM-15"), ("35.23", "BKPSDM-35.23")],
)
def test_organizer_codes_embed_the_publisher(publisher, code):
    assert organizer_code_for(publisher) == code


def test_an_unknown_publisher_has_no_organizer_code():
    with pytest.raises(ValueError):
        organizer_code_for("99")


# --- verification codes --------------------------------------------------------------------


def test_verification_codes_carry_at_least_80_bits():
    assert VERIFICATION_BITS >= 80
    symbols = new_verification_code().replace("-", "")
    assert len(symbols) * math.log2(len(VERIFICATION_ALPHABET)) >= 80


def test_verification_codes_use_only_unambiguous_url_safe_symbols():
    assert not set("01ILOUV") & set(VERIFICATION_ALPHABET)
    for _ in range(200):
        code = new_verification_code()
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4, 4]
        assert set("".join(groups)) <= set(VERIFICATION_ALPHABET)


def test_verification_codes_are_distinct():
    codes = {new_verification_code() for _ in range(10_000)}
    assert len(codes) == 10_000


def test_a_typed_verification_code_is_normalised():
    code = new_verification_code()
    assert normalise_verification_code(code.lower().replace("-", " ")) == code
    assert normalise_verification_code(code.replace("-", "")) == code


@pytest.mark.parametrize("text", ["", "ABCD", "0000-0000-0000-0000-0000", "A" * 21])
def test_a_string_that_cannot_be_a_code_normalises_to_none(text):
    assert normalise_verification_code(text) is None


LAST_SESSION = dt.date(2022, 5, 24)


def test_a_certificate_is_dated_the_close_date_the_organiser_gave():
    sent = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)  # published from a sheet years later
    given = dt.date(2022, 5, 25)
    assert issue_date(given, sent, LAST_SESSION, "Asia/Jakarta") == given


def test_without_a_close_date_a_certificate_is_dated_the_last_session_never_the_sending_day():
    sent = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    assert issue_date(None, sent, LAST_SESSION, "Asia/Jakarta") == LAST_SESSION
    assert issue_date(None, None, LAST_SESSION, "Asia/Jakarta") == LAST_SESSION


@pytest.mark.parametrize(
    ("timezone", "day"),
    [
        ("Asia/Jakarta", "2022-03-01"),
        ("Asia/Makassar", "2022-03-02"),
        ("Asia/Jayapura", "2022-03-02"),
    ],
)
def test_a_cohort_closed_before_its_last_session_is_dated_the_close_day_in_its_zone(timezone, day):
    closed_at = dt.datetime(2022, 3, 1, 16, 30, tzinfo=dt.UTC)  # 23:30 WIB, 00:30 WITA
    assert issue_date(None, closed_at, LAST_SESSION, timezone).isoformat() == day
