"""Certification rules for a score: who may send it, when it is too late, who must wait."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from services.certification.domain import (
    EvaluationFacts,
    judge_evaluation,
    score_replaces,
)
from shared.judgement import SAVE, CloseBarrier, Reject, Wait, Waiting
from shared.reasons import ReasonCode

pytestmark = pytest.mark.unit

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
