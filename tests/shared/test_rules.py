"""The contract's rules beyond its schemas (shared.events.rules: NIPs, close times; and
shared.events.ingest's cohort-code rule): the same code for the tools that check before sending
and for enrolment, which enforces them on receipt."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders.nips import make_nip
from services.enrolment import domain
from shared.events import rules
from shared.events.ingest import cohort_code_problem, is_publishers_cohort_code
from shared.events.rules import (
    AsnType,
    Gender,
    NipDefect,
    NipProblem,
    birth_date_of,
    gender_of,
    validate_nip,
)

pytestmark = pytest.mark.unit

START = datetime(2023, 6, 19, 1, 0, tzinfo=UTC)  # 08:00 WIB


def test_a_close_at_the_first_sessions_start_may_be_a_minute_before_may_not():
    assert rules.close_time_problem("15/PKA/2023/I", START, "Asia/Jakarta", START) is None
    early = START - timedelta(minutes=1)
    problem = rules.close_time_problem("15/PKA/2023/I", START, "Asia/Makassar", early)
    assert problem is not None
    message_id, message_en = problem
    assert "2023-06-19 09:00 WITA" in message_id
    assert "15/PKA/2023/I" in message_en


def test_a_naive_close_time_is_refused_by_name():
    with pytest.raises(ValueError, match="closed_at must be timezone-aware"):
        rules.close_time_problem("15/PKA/2023/I", START, "Asia/Jakarta", datetime(2023, 7, 1))


def test_enrolment_refuses_exactly_what_the_rule_finds_as_schema_invalid():
    early = START - timedelta(days=1)
    problem = rules.close_time_problem("15/PKA/2023/I", START, "Asia/Jakarta", early)
    rejection = domain.close_time_problem("15/PKA/2023/I", START, "Asia/Jakarta", early)
    assert problem is not None and rejection is not None
    assert (rejection.code, rejection.message_id, rejection.message_en) == (
        "SCHEMA_INVALID",
        *problem,
    )


def test_enrolment_decides_nips_with_the_contracts_rule():
    assert domain.validate_nip is rules.validate_nip
    assert domain.AsnType is rules.AsnType and domain.Gender is rules.Gender


# --- NIP ------------------------------------------------------------------------------------

TODAY = date(2025, 6, 1)


def check(
    nip: str, asn_type: AsnType = AsnType.PNS, gender: Gender = Gender.L
) -> NipProblem | None:
    return validate_nip(nip, asn_type, gender, today=TODAY)


# --- NIP: generated numbers ----------------------------------------------------------------


@st.composite
def pns_parts(draw):
    birth = draw(st.dates(date(1940, 1, 1), date(2007, 12, 31)))
    birth_month_index = birth.year * 12 + birth.month - 1
    tmt_index = draw(st.integers(birth_month_index + 1, 2025 * 12 + 11))
    tmt = (tmt_index // 12, tmt_index % 12 + 1)
    gender = draw(st.sampled_from(Gender))
    seq = draw(st.integers(1, 999))
    return birth, tmt, gender, seq


@given(pns_parts())
def test_every_well_formed_pns_nip_validates(parts):
    birth, tmt, gender, seq = parts
    nip = make_nip(birth, tmt, gender, seq)
    assert check(nip, AsnType.PNS, gender) is None
    assert birth_date_of(nip) == birth
    assert gender_of(nip) is gender


@given(
    st.dates(date(1940, 1, 1), date(2007, 12, 31)),
    st.integers(0, 9999),
    st.integers(0, 99),
    st.sampled_from(Gender),
    st.integers(1, 999),
)
def test_every_pppk_nip_validates_whatever_its_middle_digits(birth, year, code, gender, seq):
    nip = make_nip(birth, (year, code), gender, seq)
    assert check(nip, AsnType.PPPK, gender) is None


def test_the_documented_example_nip_is_valid():
    assert make_nip() == "198609262015051001"
    assert check("198609262015051001", AsnType.PNS, Gender.L) is None


# --- NIP: each single corruption -----------------------------------------------------------


@given(pns_parts(), st.sampled_from(["0230", "1332", "0431", "0000", "0100"]))
def test_a_birth_date_that_is_not_a_real_date_is_rejected(parts, bad_month_day):
    birth, tmt, gender, seq = parts
    nip = make_nip(birth, tmt, gender, seq)
    broken = nip[:4] + bad_month_day + nip[8:]
    problem = check(broken, AsnType.PNS, gender)
    assert problem is not None
    assert problem.defect is NipDefect.BIRTH_DATE
    assert f"tanggal lahir {broken[:8]}" in problem.message_id
    assert f"birth date {broken[:8]} (digits 1–8) is not a real date" in problem.message_en


def test_february_29_is_real_only_in_leap_years():
    assert check(make_nip(date(1988, 2, 29), (2015, 5))) is None
    broken = "19870229" + make_nip()[8:]
    problem = check(broken)
    assert problem is not None and problem.defect is NipDefect.BIRTH_DATE


@pytest.mark.parametrize("birth", ["19391231", "20250602", "20990101"])
def test_a_birth_date_before_1940_or_after_today_is_implausible(birth):
    problem = check(birth + make_nip()[8:])
    assert problem is not None and problem.defect is NipDefect.BIRTH_DATE_IMPLAUSIBLE


@given(pns_parts(), st.integers(13, 99))
def test_a_pns_tmt_month_outside_01_12_is_rejected(parts, month):
    birth, (year, _), gender, seq = parts
    problem = check(make_nip(birth, (year, month), gender, seq), AsnType.PNS, gender)
    assert problem is not None and problem.defect is NipDefect.TMT_MONTH
    assert f"month {month} is not 01–12" in problem.message_en


def test_a_pns_tmt_month_00_is_rejected():
    problem = check(make_nip(tmt=(2015, 0)))
    assert problem is not None and problem.defect is NipDefect.TMT_MONTH


@given(pns_parts(), st.integers(0, 600))
def test_a_pns_tmt_not_after_the_birth_month_is_rejected(parts, months_before):
    birth, _, gender, seq = parts
    index = birth.year * 12 + birth.month - 1 - months_before
    tmt = (index // 12, index % 12 + 1)
    problem = check(make_nip(birth, tmt, gender, seq), AsnType.PNS, gender)
    assert problem is not None and problem.defect is NipDefect.TMT_NOT_AFTER_BIRTH


def test_a_tmt_in_the_month_after_birth_is_accepted():
    assert check(make_nip(date(1986, 9, 26), (1986, 10))) is None


def test_a_pppk_middle_that_is_no_date_is_not_validated():
    assert check(make_nip(tmt=(2021, 24)), AsnType.PPPK) is None
    problem = check(make_nip(tmt=(2021, 24)), AsnType.PNS)
    assert problem is not None and problem.defect is NipDefect.TMT_MONTH


@given(pns_parts(), st.sampled_from(AsnType))
def test_a_gender_digit_disagreeing_with_the_stated_gender_is_rejected(parts, asn_type):
    birth, tmt, gender, seq = parts
    other = Gender.P if gender is Gender.L else Gender.L
    problem = check(make_nip(birth, tmt, gender, seq), asn_type, other)
    assert problem is not None and problem.defect is NipDefect.GENDER_MISMATCH
    assert f"says gender {gender} but the participant data says {other}" in problem.message_en


@given(pns_parts(), st.sampled_from("0345678956"), st.sampled_from(AsnType))
def test_a_gender_digit_other_than_1_or_2_is_rejected(parts, digit, asn_type):
    birth, tmt, gender, seq = parts
    nip = make_nip(birth, tmt, gender, seq)
    problem = check(nip[:14] + digit + nip[15:], asn_type, gender)
    assert problem is not None and problem.defect is NipDefect.GENDER_DIGIT


@given(pns_parts(), st.sampled_from(AsnType))
def test_sequence_000_is_rejected(parts, asn_type):
    birth, tmt, gender, _ = parts
    problem = check(make_nip(birth, tmt, gender, 0), asn_type, gender)
    assert problem is not None and problem.defect is NipDefect.SEQUENCE


@given(pns_parts(), st.integers(0, 30).filter(lambda n: n != 18), st.sampled_from(AsnType))
def test_a_nip_that_is_not_18_digits_long_is_rejected(parts, length, asn_type):
    birth, tmt, gender, seq = parts
    nip = (make_nip(birth, tmt, gender, seq) * 2)[:length]
    problem = check(nip, asn_type, gender)
    assert problem is not None and problem.defect is NipDefect.LENGTH
    assert f"has {length}" in problem.message_en


@given(pns_parts(), st.integers(0, 17), st.sampled_from("OoIl -./x١"))
def test_a_nip_with_a_character_other_than_0_to_9_is_rejected(parts, position, char):
    birth, tmt, gender, seq = parts
    nip = make_nip(birth, tmt, gender, seq)
    problem = check(nip[:position] + char + nip[position + 1 :], AsnType.PNS, gender)
    assert problem is not None and problem.defect is NipDefect.NOT_DIGITS


def test_17_digits_is_rejected_as_wrong_length():
    problem = check(make_nip()[:17])
    assert problem is not None and problem.defect is NipDefect.LENGTH
    assert problem.message_id == "NIP harus 18 digit, diterima 17 digit"


def test_an_impossible_birth_date_names_the_digits_in_both_languages():
    problem = check("19861332" + make_nip()[8:])
    assert problem is not None
    assert problem.message_id == "tanggal lahir 19861332 (digit 1–8) tidak valid"
    assert problem.message_en == "birth date 19861332 (digits 1–8) is not a real date"


def test_gender_of_an_unreadable_digit_raises():
    with pytest.raises(ValueError, match="neither 1 nor 2"):
        gender_of("198609262015053001")


# --- the contract's cohort-code rule (shared.events.ingest) --------------------------------


@pytest.mark.parametrize(
    ("code", "publisher", "owned"),
    [
        ("15/PKA/2024/I", "15", True),
        ("15.71/PKA/2024/I", "15", False),  # Kota Jambi's, not Jambi's
        ("15/PKA/2024/I", "15.71", False),
        ("35.23/KASI-PEM/2017/I", "35.23", True),
        ("nasional/SEKDA/2024/IV", "nasional", True),
        ("Nasional/SEKDA/2024/IV", "nasional", False),
        ("PKA/2024/I", "15", False),
        ("15/", "15", False),  # the prefix alone names no cohort
        ("15-PKA/2024", "15", False),
    ],
)
def test_a_cohort_code_belongs_to_the_publisher_whose_id_and_slash_start_it(code, publisher, owned):
    assert is_publishers_cohort_code(code, publisher) is owned
    problem = cohort_code_problem(code, publisher)
    assert (problem is None) is owned
    if problem is not None:
        assert f"harus diawali '{publisher}/'" in problem[0]
        assert f"must start with '{publisher}/'" in problem[1]
