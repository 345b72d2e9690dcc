"""Certification rules: completion, predicates, explanations, numbers and verification codes."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.certification.certificates import (
    VERIFICATION_ALPHABET,
    VERIFICATION_BITS,
    certificate_number,
    issue_date,
    new_verification_code,
    normalise_verification_code,
    organizer_code_for,
)
from services.certification.domain import (
    CUKUP_MEMUASKAN,
    KURANG_MEMUASKAN,
    MEMUASKAN,
    SANGAT_MEMUASKAN,
    TELAH_MENGIKUTI,
    CompletionDecision,
    CompletionPolicy,
    decide_completion,
    format_id_decimal,
    predicate_for,
)

pytestmark = pytest.mark.unit

DEFAULT = CompletionPolicy(version=1)
EVALUATED = CompletionPolicy(version=1, evaluation_required=True)
D = Decimal


def messages(decision: CompletionDecision) -> list[tuple[str, str]]:
    return [(r.message_id, r.message_en) for r in decision.reasons]


# --- attendance ----------------------------------------------------------------------------


def test_exactly_90_percent_attendance_completes():
    decision = decide_completion(DEFAULT, Fraction(27 * 100, 30), None, withdrawn=False)
    assert decision.completed
    assert decision.reasons == ()
    assert decision.summary.message_en == "completed: attendance 90% ≥ 90%"


def test_89_point_9_recurring_percent_fails_and_says_so():
    decision = decide_completion(DEFAULT, Fraction(800, 9), None, withdrawn=False)
    assert not decision.completed
    assert messages(decision) == [("kehadiran 88,8% < 90%", "attendance 88.8% < 90%")]
    assert decision.summary.message_id == "tidak lulus: kehadiran 88,8% < 90%"


def test_a_rate_just_below_90_never_prints_as_90():
    decision = decide_completion(DEFAULT, Fraction(8996, 100), None, withdrawn=False)
    assert messages(decision) == [("kehadiran 89,9% < 90%", "attendance 89.9% < 90%")]


def test_a_minimum_with_two_decimals_is_compared_and_shown_with_two():
    policy = CompletionPolicy(version=2, min_attendance_pct=D("90.05"))
    fails = decide_completion(policy, D("90.049"), None, withdrawn=False)
    passes = decide_completion(policy, D("90.07"), None, withdrawn=False)
    assert messages(fails) == [("kehadiran 90,04% < 90,05%", "attendance 90.04% < 90.05%")]
    assert passes.summary.message_en == "completed: attendance 90.07% ≥ 90.05%"


@given(st.fractions(0, 100), st.decimals(0, 100, places=2))
def test_the_shown_rate_is_always_on_the_same_side_of_the_minimum(rate, minimum):
    policy = CompletionPolicy(version=1, min_attendance_pct=minimum)
    decision = decide_completion(policy, rate, None, withdrawn=False)
    assert decision.completed == (rate >= minimum)
    text = decision.summary.message_en
    shown = D(text.split("attendance ")[1].split("%")[0])
    assert (shown >= minimum) == decision.completed


def test_a_jp_weighted_rate_from_sessions_of_different_jp_decides_exactly():
    # 2 + 8 + 5 + 5 JP; missing only the 2-JP session is 18/20 = 90%.
    assert decide_completion(DEFAULT, Fraction(18 * 100, 20), None, withdrawn=False).completed
    assert not decide_completion(DEFAULT, Fraction(12 * 100, 20), None, False).completed


def test_72_percent_is_explained_without_decimals():
    decision = decide_completion(DEFAULT, Fraction(72), None, withdrawn=False)
    assert messages(decision) == [("kehadiran 72% < 90%", "attendance 72% < 90%")]


# --- evaluation ----------------------------------------------------------------------------


def test_score_60_01_passes_with_the_default_pass_score():
    decision = decide_completion(EVALUATED, Fraction(100), D("60.01"), withdrawn=False)
    assert decision.completed
    assert decision.predicate == KURANG_MEMUASKAN


def test_score_60_00_fails_with_the_default_pass_score():
    decision = decide_completion(EVALUATED, Fraction(100), D("60.00"), withdrawn=False)
    assert not decision.completed
    assert decision.predicate is None
    assert messages(decision) == [("nilai 60 < 60,01", "score 60 < 60.01")]


def test_a_score_of_55_is_explained_in_both_languages():
    decision = decide_completion(EVALUATED, Fraction(100), D(55), withdrawn=False)
    assert messages(decision) == [("nilai 55 < 60,01", "score 55 < 60.01")]


def test_a_missing_score_fails_an_evaluated_cohort():
    decision = decide_completion(EVALUATED, Fraction(100), None, withdrawn=False)
    assert messages(decision) == [
        ("evaluasi wajib tetapi nilai belum ada", "evaluation required but no score recorded")
    ]


def test_a_score_does_not_matter_when_no_evaluation_is_required():
    decision = decide_completion(DEFAULT, Fraction(100), D(10), withdrawn=False)
    assert decision.completed
    assert decision.predicate == TELAH_MENGIKUTI


def test_a_withdrawn_participant_never_completes():
    decision = decide_completion(EVALUATED, Fraction(100), D(95), withdrawn=True)
    assert not decision.completed
    assert messages(decision) == [("mengundurkan diri", "withdrawn")]


def test_every_unmet_condition_is_listed():
    decision = decide_completion(EVALUATED, Fraction(50), D(40), withdrawn=True)
    assert [m[1] for m in messages(decision)] == [
        "withdrawn",
        "attendance 50% < 90%",
        "score 40 < 60.01",
    ]
    assert decision.summary.message_en == (
        "not completed: withdrawn, attendance 50% < 90%, score 40 < 60.01"
    )


@given(
    st.fractions(0, 100),
    st.one_of(st.none(), st.decimals(0, 100, places=2)),
    st.booleans(),
    st.booleans(),
)
def test_completed_exactly_when_the_rule_holds(rate, score, withdrawn, required):
    policy = CompletionPolicy(version=1, evaluation_required=required)
    decision = decide_completion(policy, rate, score, withdrawn)
    expected = (
        not withdrawn
        and rate >= 90
        and (not required or (score is not None and score >= D("60.01")))
    )
    assert decision.completed == expected
    assert (decision.predicate is not None) == expected
    assert (decision.reasons == ()) == expected


def test_an_out_of_range_score_is_refused():
    with pytest.raises(ValueError, match="outside 0–100"):
        decide_completion(EVALUATED, Fraction(100), D(101), withdrawn=False)


def test_an_out_of_range_policy_is_refused():
    with pytest.raises(ValueError, match="min_attendance_pct"):
        CompletionPolicy(version=1, min_attendance_pct=D(101))


# --- predicates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "predicate"),
    [
        ("100", SANGAT_MEMUASKAN),
        ("90.01", SANGAT_MEMUASKAN),
        ("90", MEMUASKAN),
        ("80.01", MEMUASKAN),
        ("80", CUKUP_MEMUASKAN),
        ("70.01", CUKUP_MEMUASKAN),
        ("70", KURANG_MEMUASKAN),
        ("60.01", KURANG_MEMUASKAN),
        ("60", None),
        ("0", None),
    ],
)
def test_predicate_bands_exclude_their_lower_bound(score, predicate):
    assert predicate_for(D(score)) == predicate


def test_a_completed_participant_of_a_low_pass_score_cohort_still_gets_a_predicate():
    policy = CompletionPolicy(version=1, evaluation_required=True, pass_score=D(50))
    decision = decide_completion(policy, Fraction(100), D(55), withdrawn=False)
    assert decision.completed
    assert decision.predicate == TELAH_MENGIKUTI


# --- formatting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("88.9"), "88,9"),
        (D("88.90"), "88,9"),
        (D("60.01"), "60,01"),
        (D("60"), "60"),
        (D("60.00"), "60"),
        (D("6E+1"), "60"),
        (90, "90"),
        (D("1234.5"), "1.234,5"),
        (D("0"), "0"),
    ],
)
def test_format_id_decimal_uses_comma_decimals_and_dot_thousands(value, text):
    assert format_id_decimal(value) == text


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


@pytest.mark.parametrize(
    ("timezone", "day"),
    [
        ("Asia/Jakarta", "2022-05-24"),
        ("Asia/Makassar", "2022-05-25"),
        ("Asia/Jayapura", "2022-05-25"),
    ],
)
def test_a_certificate_is_dated_the_close_day_in_the_cohorts_zone(timezone, day):
    closed_at = dt.datetime(2022, 5, 24, 16, 30, tzinfo=dt.UTC)  # 23:30 WIB, 00:30 WITA
    processed = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    assert issue_date(closed_at, processed, timezone).isoformat() == day
    assert issue_date(None, processed, timezone).isoformat() == "2026-11-23"
