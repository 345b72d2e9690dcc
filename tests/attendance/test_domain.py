"""Attendance rules: presence, judging a mark, superseding marks, finalised JP and rate, venue
time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.attendance.adapters.postgres import RosterRow
from services.attendance.domain import (
    AttendanceStatus,
    CohortFacts,
    Mark,
    Session,
    attendance_pct,
    figures,
    finalise,
    finalise_roster,
    is_present,
    judge,
    local_date_of,
    pct_as_decimal,
    supersedes,
    winning_marks,
)
from shared.judgement import SAVE, CloseBarrier, Reject, Wait, Waiting
from shared.reasons import ReasonCode
from shared.regions import local_to_utc

pytestmark = pytest.mark.unit

H, T, IZ, S, A = (
    AttendanceStatus.HADIR,
    AttendanceStatus.TERLAMBAT,
    AttendanceStatus.IZIN,
    AttendanceStatus.SAKIT,
    AttendanceStatus.ALPA,
)
T0 = datetime(2023, 6, 19, 1, 0, tzinfo=UTC)


def sessions(*jps: int | str) -> list[Session]:
    return [
        Session(no, date(2023, 6, 19), time(8, 0), time(12, 0), Decimal(jp))
        for no, jp in enumerate(jps, start=1)
    ]


def test_hadir_and_terlambat_count_as_present():
    assert [is_present(s) for s in AttendanceStatus] == [True, True, False, False, False]


# --- superseding ---------------------------------------------------------------------------


def test_a_later_mark_supersedes_an_earlier_one():
    assert supersedes(T0 + timedelta(seconds=1), T0, new_event_id="a", old_event_id="z")


def test_an_earlier_mark_arriving_late_does_not_supersede():
    assert not supersedes(T0, T0 + timedelta(seconds=1), new_event_id="z", old_event_id="a")


def test_equal_times_are_decided_by_event_id_whatever_the_arrival_order():
    assert supersedes(T0, T0, new_event_id="b", old_event_id="a")
    assert not supersedes(T0, T0, new_event_id="a", old_event_id="b")


def test_the_same_time_and_id_keeps_the_stored_mark():
    assert not supersedes(T0, T0, new_event_id="a", old_event_id="a")


def test_times_in_different_offsets_compare_as_instants():
    wib = datetime.fromisoformat("2023-06-19T08:00:01+07:00")
    assert supersedes(wib, T0, new_event_id="a", old_event_id="b")


@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.text("abc", min_size=1, max_size=2)),
        min_size=1,
        max_size=8,
        unique=True,
    ),
    st.randoms(),
)
def test_the_winning_mark_does_not_depend_on_arrival_order(marks, rnd):
    def winner(order: list[tuple[int, str]]) -> tuple[int, str]:
        kept = order[0]
        for seconds, event_id in order[1:]:
            if supersedes(
                T0 + timedelta(seconds=seconds),
                T0 + timedelta(seconds=kept[0]),
                new_event_id=event_id,
                old_event_id=kept[1],
            ):
                kept = (seconds, event_id)
        return kept

    shuffled = list(marks)
    rnd.shuffle(shuffled)
    assert winner(marks) == winner(shuffled) == max(marks)


# --- finalisation --------------------------------------------------------------------------


def test_27_of_30_jp_is_exactly_90_percent():
    result = finalise(sessions(*[3] * 10), {n: H for n in range(1, 10)} | {10: A})
    assert result.rate_pct == 90
    assert result.rate_pct == Fraction(90)
    assert (result.jp_present, result.jp_total) == (Decimal(27), Decimal(30))


def test_the_rate_weighs_sessions_by_jp_not_by_count():
    # Missing the 2-JP session of 20 JP is 90%; missing an 8-JP one is 60%.
    schedule = sessions(2, 8, 5, 5)
    assert finalise(schedule, {2: H, 3: H, 4: T, 1: S}).rate_pct == 90
    assert finalise(schedule, {1: H, 3: H, 4: T}).rate_pct == 60


def test_one_missed_session_of_nine_is_not_rounded_up():
    result = finalise(sessions(*[1] * 9), {n: H for n in range(1, 9)})
    assert result.rate_pct == Fraction(800, 9)
    assert result.rate_pct < 90


def test_fractional_jp_stays_exact():
    result = finalise(sessions("0.5", "4.5"), {2: H})
    assert result.rate_pct == 90


def test_a_participant_with_no_marks_has_rate_0():
    result = finalise(sessions(3, 3), {})
    assert result.rate_pct == 0
    assert result.sessions_unrecorded == 2
    assert result.jp_present == 0


def test_a_cohort_without_jp_has_rate_0():
    assert finalise([], {}).rate_pct == 0


def test_missed_sessions_are_counted_by_status_and_unrecorded_separately():
    result = finalise(sessions(2, 2, 2, 2, 2, 2), {1: H, 2: T, 3: IZ, 4: S, 5: S})
    assert dict(result.sessions_missed_by_status) == {IZ: 1, S: 2, A: 0}
    assert result.sessions_unrecorded == 1
    assert (result.sessions_total, result.sessions_present) == (6, 2)


def test_published_figures_truncate_the_rate_and_name_unrecorded_sessions():
    published = figures(finalise(sessions(*[1] * 9), {n: H for n in range(1, 8)} | {8: A}))
    assert published.rate_pct == Decimal("77.777777")
    assert published.missed_by_status == {"IZIN": 0, "SAKIT": 0, "ALPA": 1, "UNRECORDED": 1}
    assert (published.jp_present, published.jp_total) == (7, 9)


def test_marks_for_sessions_no_longer_scheduled_are_ignored():
    result = finalise(sessions(4), {1: H, 7: H})
    assert (result.jp_present, result.jp_total, result.sessions_present) == (
        Decimal(4),
        Decimal(4),
        1,
    )


def test_a_schedule_with_a_repeated_session_number_is_refused():
    twice = sessions(2) * 2
    with pytest.raises(ValueError, match="session 1 appears twice"):
        finalise(twice, {})


def test_a_session_with_negative_jp_is_refused():
    with pytest.raises(ValueError, match="negative"):
        sessions(-1)


@given(
    st.lists(st.integers(1, 12), min_size=1, max_size=40),
    st.data(),
)
def test_finalisation_accounts_for_every_session(jps, data):
    schedule = sessions(*jps)
    marks = data.draw(st.dictionaries(st.integers(1, len(jps)), st.sampled_from(AttendanceStatus)))
    result = finalise(schedule, marks)
    missed = sum(result.sessions_missed_by_status.values())
    assert result.sessions_present + missed + result.sessions_unrecorded == len(jps)
    assert result.rate_pct == Fraction(100 * int(result.jp_present), sum(jps))
    assert 0 <= result.rate_pct <= 100


# --- percentages as decimals ---------------------------------------------------------------


def test_attendance_pct_is_exact():
    assert attendance_pct(Decimal(2), Decimal(3)) == Fraction(200, 3)


def test_a_percentage_as_decimal_is_truncated_not_rounded():
    assert pct_as_decimal(Fraction(800, 9)) == Decimal("88.888888")
    assert pct_as_decimal(Fraction(8999999999, 100000000)) == Decimal("89.999999")
    assert pct_as_decimal(Fraction(90)) == Decimal("90.000000")
    assert pct_as_decimal(Fraction(200, 3), places=1) == Decimal("66.6")


# --- venue time ----------------------------------------------------------------------------


def test_a_0800_wita_session_starts_at_0000_utc():
    start = local_to_utc(date(2023, 6, 19), time(8, 0), "Asia/Makassar")
    assert start == datetime(2023, 6, 19, 0, 0, tzinfo=UTC)


def test_an_early_wit_session_falls_on_the_previous_utc_day():
    start = local_to_utc(date(2023, 6, 19), time(7, 30), "Asia/Jayapura")
    assert start == datetime(2023, 6, 18, 22, 30, tzinfo=UTC)
    assert local_date_of(start, "Asia/Jayapura") == date(2023, 6, 19)


# --- judging a mark ------------------------------------------------------------------------

LOG = "diklat.ingest.73"
ENROLLED, GONE, STRANGER = "198001012005011001", "198001012005011002", "198001012005011003"


def facts(**changes: object) -> CohortFacts:
    base = CohortFacts(
        publisher="73",
        status="scheduled",
        roster_final=False,
        sessions=frozenset({1, 2}),
        enrolled=frozenset({ENROLLED}),
        withdrawn=frozenset({GONE}),
        barriers=(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def a_mark(nip: str = ENROLLED, session_no: int = 1, event_id: str = "e1", seconds: int = 0):
    return Mark("73-C1", nip, session_no, "HADIR", None, event_id, T0 + timedelta(seconds=seconds))


def judged(f: CohortFacts | None, mark: Mark | None = None, offset: int = 10, publisher="73"):
    return judge(f, mark or a_mark(), publisher, (LOG, 0, offset))


def test_a_mark_of_an_enrolled_participant_for_a_scheduled_session_is_saved():
    assert judged(facts()) is SAVE


def test_a_mark_for_a_cohort_not_known_yet_waits_for_its_schedule():
    assert judged(None) == Wait(Waiting.COHORT, ReasonCode.UNKNOWN_COHORT)


def test_a_mark_from_another_publisher_is_rejected_not_owner_naming_the_owner():
    decision = judged(facts(), publisher="74")
    assert isinstance(decision, Reject) and decision.reason is ReasonCode.NOT_OWNER
    assert decision.message_en == "Cohort 73-C1 belongs to publisher 73."


def test_a_mark_for_a_cancelled_cohort_is_rejected_cohort_cancelled():
    assert judged(facts(status="cancelled")) == Reject(ReasonCode.COHORT_CANCELLED)


def test_a_mark_sent_after_an_accepted_close_is_rejected_cohort_closed():
    decision = judged(facts(barriers=(CloseBarrier(LOG, 0, 5, True),)))
    assert isinstance(decision, Reject) and decision.reason is ReasonCode.COHORT_CLOSED
    assert decision.message_en == "Attendance was sent after the cohort was closed."


def test_a_mark_sent_after_a_close_not_ruled_on_yet_waits_for_the_verdict():
    decision = judged(facts(barriers=(CloseBarrier(LOG, 0, 5, False),)))
    assert decision == Wait(Waiting.CLOSE_VERDICT, ReasonCode.COHORT_CLOSED)


def test_a_close_later_on_the_log_or_on_another_partition_does_not_touch_a_mark():
    later = CloseBarrier(LOG, 0, 11, True)
    elsewhere = CloseBarrier(LOG, 1, 5, True)
    other_topic = CloseBarrier("diklat.ingest.74", 0, 5, True)
    assert judged(facts(barriers=(later, elsewhere, other_topic))) is SAVE


def test_a_mark_for_a_session_not_in_the_schedule_is_rejected_unknown_session():
    decision = judged(facts(), a_mark(session_no=9))
    assert isinstance(decision, Reject) and decision.reason is ReasonCode.UNKNOWN_SESSION
    assert decision.message_en == "Session 9 is not in the schedule of 73-C1."


def test_a_mark_of_a_withdrawn_participant_is_rejected_not_enrolled():
    decision = judged(facts(roster_final=True), a_mark(GONE))
    assert isinstance(decision, Reject) and decision.reason is ReasonCode.NOT_ENROLLED
    assert decision.message_en == "The participant has withdrawn from this cohort."


def test_a_mark_of_someone_not_enrolled_waits_until_the_roster_is_final():
    assert judged(facts(), a_mark(STRANGER)) == Wait(Waiting.ENROLMENT, ReasonCode.NOT_ENROLLED)
    assert judged(facts(roster_final=True), a_mark(STRANGER)) == Reject(ReasonCode.NOT_ENROLLED)


def test_a_mark_for_a_finalised_cohort_is_rejected_cohort_closed():
    assert judged(facts(status="finalised")) == Reject(ReasonCode.COHORT_CLOSED)


# --- which marks are stored ------------------------------------------------------------------


def test_a_new_mark_is_stored_when_nothing_is_held():
    mark = a_mark()
    assert winning_marks([mark], {}) == [mark]


def test_of_marks_sent_together_for_one_session_only_the_latest_is_stored():
    early, late = a_mark(event_id="z", seconds=0), a_mark(event_id="a", seconds=1)
    other = a_mark(session_no=2)
    assert winning_marks([late, other, early], {}) == [late, other]


def test_a_mark_older_than_the_held_one_is_not_stored():
    key = ("73-C1", ENROLLED, 1)
    held = {key: (T0 + timedelta(seconds=5), "m")}
    assert winning_marks([a_mark(seconds=4)], held) == []
    assert winning_marks([a_mark(event_id="m", seconds=5)], held) == []  # the same mark again
    newer = a_mark(seconds=6)
    assert winning_marks([newer], held) == [newer]


# --- finalisation of a roster ------------------------------------------------------------------


@dataclass
class _Member:
    nip: str
    withdrawn: bool = False


def test_withdrawn_participants_get_no_figures_and_unmarked_ones_rate_0():
    result = finalise_roster(sessions(2, 2), [_Member("a"), _Member("b", True)], {})
    assert list(result) == ["a"]
    assert result["a"].rate_pct == 0 and result["a"].missed_by_status["UNRECORDED"] == 2


# Two sessions of 2 JP and one of 6: which session was missed decides the rate.
ROSTER_START = datetime(2026, 3, 2, 1, tzinfo=UTC)
ROSTER_SESSIONS = [
    Session(
        no,
        (ROSTER_START + timedelta(days=no)).date(),
        ROSTER_START.time(),
        ROSTER_START.time(),
        Decimal(jp),
    )
    for no, jp in ((1, 2), (2, 2), (3, 6))
]


def _member(n: int, withdrawn: bool = False) -> RosterRow:
    return RosterRow(f"19800101200501100{n}", f"Peserta {n}", withdrawn)


def test_each_participant_gets_the_figures_of_their_own_marks() -> None:
    # Participants who attended alike share one computation; nobody gets another's figures
    # because their marks have the same statuses elsewhere.
    a, b, c, d = (_member(n) for n in range(1, 5))
    gone = _member(5, withdrawn=True)
    marks = {
        a.nip: {1: "HADIR", 2: "HADIR", 3: "ALPA"},
        b.nip: {1: "ALPA", 2: "HADIR", 3: "HADIR"},  # the same statuses, another session
        c.nip: {1: "HADIR", 2: "HADIR", 3: "ALPA"},  # as a
        gone.nip: {1: "HADIR", 2: "HADIR", 3: "HADIR"},
    }
    results = finalise_roster(ROSTER_SESSIONS, [a, b, c, d, gone], marks)
    assert {nip: f.rate_pct for nip, f in results.items()} == {
        a.nip: Decimal(40),
        b.nip: Decimal(80),
        c.nip: Decimal(40),
        d.nip: Decimal(0),  # no marks at all
    }
    assert results[a.nip].missed_by_status == {"IZIN": 0, "SAKIT": 0, "ALPA": 1, "UNRECORDED": 0}
    assert results[d.nip].missed_by_status["UNRECORDED"] == 3
    assert results[a.nip] is results[c.nip]  # computed once for both
