"""Certification's domain rules (services/certification/domain.py): completion, predicates,
explanations, the shown and the exact rate, judging a score.

Certificate rules (certificates.py) are tested in test_certificates.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.certification.domain import (
    CUKUP_MEMUASKAN,
    KURANG_MEMUASKAN,
    MEMUASKAN,
    SANGAT_MEMUASKAN,
    TELAH_MENGIKUTI,
    CompletionDecision,
    CompletionPolicy,
    EvaluationFacts,
    decide_completion,
    exact_rate,
    format_id_decimal,
    judge_evaluation,
    predicate_for,
    score_replaces,
)
from shared.judgement import SAVE, CloseBarrier, Reject, Wait, Waiting
from shared.reasons import ReasonCode

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


# --- the rate a completion is decided on --------------------------------------------------


def test_the_rate_is_decided_from_the_jp_not_from_the_truncated_published_rate():
    assert exact_rate(Decimal("26.95"), Decimal(30), Decimal("89.833333")) == Fraction(539, 6)
    assert exact_rate(None, None, Decimal("89.5")) == Fraction(179, 2)
    assert exact_rate(Decimal(0), Decimal(0), None) == 0


# --- scores: who may send one, when it is too late, who must wait -------------------------

LOG = "diklat.ingest.15"
OPEN = EvaluationFacts(
    publisher="15", cancelled=False, roster_final=False, enrolled=True, barriers=()
)


def judged(facts: EvaluationFacts | None, publisher: str = "15", offset: int = 10):
    return judge_evaluation(facts, publisher, (LOG, 0, offset))


def test_a_score_of_an_enrolled_participant_of_an_open_cohort_is_saved():
    assert judged(OPEN) is SAVE


def test_a_score_for_a_cohort_not_known_yet_waits_for_its_schedule():
    assert judged(None) == Wait(Waiting.COHORT, ReasonCode.UNKNOWN_COHORT)


def test_a_score_from_another_publisher_is_rejected_not_owner():
    assert judged(OPEN, publisher="16") == Reject(ReasonCode.NOT_OWNER)


def test_a_score_for_a_cancelled_cohort_is_rejected_cohort_cancelled():
    assert judged(replace(OPEN, cancelled=True)) == Reject(ReasonCode.COHORT_CANCELLED)


def test_a_score_sent_after_an_accepted_close_is_rejected_cohort_closed():
    decision = judged(replace(OPEN, barriers=(CloseBarrier(LOG, 0, 9, True),)))
    assert isinstance(decision, Reject) and decision.reason is ReasonCode.COHORT_CLOSED
    assert decision.message_en == "The score was sent after the cohort was closed."


def test_a_score_sent_after_a_close_not_ruled_on_yet_waits_for_the_verdict():
    decision = judged(replace(OPEN, barriers=(CloseBarrier(LOG, 0, 9, False),)))
    assert decision == Wait(Waiting.CLOSE_VERDICT, ReasonCode.COHORT_CLOSED)


def test_a_close_later_on_the_log_or_on_another_partition_does_not_touch_a_score():
    barriers = (CloseBarrier(LOG, 0, 11, True), CloseBarrier(LOG, 1, 1, True))
    assert judged(replace(OPEN, barriers=barriers)) is SAVE


def test_a_score_of_someone_not_enrolled_waits_until_the_roster_is_final():
    stranger = replace(OPEN, enrolled=False)
    assert judged(stranger) == Wait(Waiting.ENROLMENT, ReasonCode.NOT_ENROLLED)
    assert judged(replace(stranger, roster_final=True)) == Reject(ReasonCode.NOT_ENROLLED)


def test_a_later_score_replaces_the_held_one_and_an_earlier_one_does_not():
    t = dt.datetime(2022, 5, 1, tzinfo=dt.UTC)
    assert score_replaces(t, None)
    assert score_replaces(t + dt.timedelta(seconds=1), t)
    assert score_replaces(t, t)  # the same time: the later arrival stays
    assert not score_replaces(t, t + dt.timedelta(seconds=1))
