"""Enrolment rules: region policy, amendment window and cohort decisions (NIP validation, a
contract rule enrolment applies, is tested in tests/shared/test_rules.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders.nips import make_nip
from services.enrolment.domain import (
    Accepted,
    AsnType,
    CohortStatus,
    CohortView,
    EnrolmentStatus,
    Gender,
    NipProblem,
    Rejection,
    can_amend,
    decide_cancel,
    decide_close,
    decide_registration,
    decide_schedule,
    decide_withdrawal,
    not_publishers_code,
    region_allowed,
    unknown_cohort,
    validate_nip,
)
from shared.regions import PROVINCES

pytestmark = pytest.mark.unit

TODAY = date(2025, 6, 1)
START = datetime(2023, 6, 19, 1, 0, tzinfo=UTC)  # 08:00 WIB


# --- region policy -------------------------------------------------------------------------

province_codes = st.sampled_from(sorted(PROVINCES))
regions = st.one_of(
    province_codes,
    st.builds(lambda p, n: f"{p}.{n:02d}", province_codes, st.integers(1, 69)),
    st.builds(lambda p, n: f"{p}.{n:02d}", province_codes, st.integers(71, 99)),
)


@given(regions, st.booleans())
def test_a_nasional_cohort_takes_every_region(region, open_to_others):
    assert region_allowed("nasional", open_to_others, region)


@given(regions, regions)
def test_an_open_cohort_takes_every_region(publisher, region):
    assert region_allowed(publisher, True, region)


def test_a_province_cohort_takes_its_own_kabupaten_but_not_a_neighbours():
    assert region_allowed("15", False, "15.05")
    assert region_allowed("15", False, "15")
    assert not region_allowed("15", False, "16.71")


def test_a_kabupaten_cohort_takes_only_its_own_participants():
    assert region_allowed("35.23", False, "35.23")
    assert not region_allowed("35.23", False, "35.24")
    assert not region_allowed("35.23", False, "35")


def test_an_unknown_region_is_never_allowed():
    assert not region_allowed("nasional", True, "99.01")


# --- amendment window ----------------------------------------------------------------------


@given(st.timedeltas(timedelta(seconds=-(10**7)), timedelta(seconds=10**7)))
def test_a_schedule_can_be_amended_only_before_the_first_session_starts(offset):
    assert can_amend(START, START + offset) == (offset < timedelta(0))


def test_amending_at_the_first_sessions_start_is_too_late():
    assert not can_amend(START, START)
    assert can_amend(START, START - timedelta(microseconds=1))


def test_the_window_compares_instants_not_wall_clocks():
    start_in_wib = datetime.fromisoformat("2023-06-19T08:00+07:00")
    assert not can_amend(start_in_wib, START)
    assert can_amend(start_in_wib, START - timedelta(minutes=1))


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        can_amend(START, datetime(2023, 6, 1))


# --- cohort decisions ----------------------------------------------------------------------

COHORT = CohortView(
    cohort_code="15/CAMAT/2023/I",
    publisher_id="15",
    status=CohortStatus.SCHEDULED,
    first_session_start=START,
    quota=30,
    open_to_other_regions=False,
)
CLOSED = replace(COHORT, status=CohortStatus.CLOSED)
CANCELLED = replace(COHORT, status=CohortStatus.CANCELLED)
BEFORE = START - timedelta(days=1)
AFTER = START + timedelta(days=5)  # when the cohort's training is over


def code_of(decision: object) -> str:
    assert isinstance(decision, Rejection), decision
    assert decision.message_id and decision.message_en
    return decision.code


def register(
    cohort: CohortView = COHORT,
    publisher: str = "15",
    *,
    count: int = 0,
    enrolment: EnrolmentStatus | None = None,
    problem: NipProblem | None = None,
    region: str = "15.71",
) -> Accepted | Rejection:
    return decide_registration(
        cohort,
        publisher,
        enrolled_count=count,
        enrolment=enrolment,
        nip_problem=problem,
        participant_region=region,
    )


def test_scheduling_an_unknown_code_creates_a_cohort():
    assert decide_schedule(None, "15", BEFORE) is Accepted.NEW_COHORT


def test_rescheduling_before_the_first_session_amends_the_cohort():
    assert decide_schedule(COHORT, "15", BEFORE) is Accepted.AMENDED


def test_rescheduling_after_the_first_session_started_is_rejected_amendment_window_closed():
    rejection = decide_schedule(COHORT, "15", START + timedelta(hours=1))
    assert code_of(rejection) == "AMENDMENT_WINDOW_CLOSED"
    assert isinstance(rejection, Rejection)
    assert "2023-06-19T01:00+00:00" in rejection.message_en


def test_scheduling_a_code_another_publisher_owns_is_rejected_not_owner():
    rejection = decide_schedule(COHORT, "16", BEFORE)
    assert code_of(rejection) == "NOT_OWNER"
    assert isinstance(rejection, Rejection)
    assert "scheduled by publisher 15; publisher 16" in rejection.message_en


def test_not_owner_wins_over_the_cohorts_state():
    assert code_of(decide_schedule(CLOSED, "16", START + timedelta(days=9))) == "NOT_OWNER"
    assert code_of(register(CANCELLED, publisher="nasional")) == "NOT_OWNER"


def test_rescheduling_a_cancelled_cohort_is_rejected_cohort_cancelled():
    assert code_of(decide_schedule(CANCELLED, "15", BEFORE)) == "COHORT_CANCELLED"


def test_rescheduling_a_closed_cohort_is_rejected_cohort_closed():
    assert code_of(decide_schedule(CLOSED, "15", BEFORE)) == "COHORT_CLOSED"


def test_a_registration_within_quota_enrols():
    assert register(count=29) is Accepted.ENROLLED


def test_31st_registration_is_rejected_quota_full():
    rejection = register(count=30)
    assert code_of(rejection) == "QUOTA_FULL"
    assert isinstance(rejection, Rejection)
    assert rejection.message_id == "kuota angkatan 15/CAMAT/2023/I (30 peserta) sudah penuh"


def test_registering_an_enrolled_nip_again_is_rejected_already_enrolled_even_when_full():
    assert code_of(register(count=30, enrolment=EnrolmentStatus.ENROLLED)) == "ALREADY_ENROLLED"


def test_a_withdrawn_participant_may_register_again():
    assert register(enrolment=EnrolmentStatus.WITHDRAWN) is Accepted.ENROLLED


def test_a_registration_with_an_invalid_nip_is_rejected_with_the_nip_reason():
    problem = validate_nip("19861332" + make_nip()[8:], AsnType.PNS, Gender.L, today=TODAY)
    rejection = register(problem=problem)
    assert code_of(rejection) == "INVALID_NIP"
    assert isinstance(rejection, Rejection)
    assert (
        rejection.message_en == "invalid NIP: birth date 19861332 (digits 1–8) is not a real date"
    )
    assert rejection.message_id.startswith("NIP tidak valid: tanggal lahir 19861332")


def test_a_participant_from_another_province_is_rejected_region_not_allowed():
    rejection = register(region="36.74")
    assert code_of(rejection) == "REGION_NOT_ALLOWED"
    assert isinstance(rejection, Rejection)
    assert "15 (Provinsi Jambi)" in rejection.message_id
    assert "36.74 (a kabupaten/kota in Banten)" in rejection.message_en


def test_a_participant_from_another_province_enrols_in_an_open_cohort():
    open_cohort = replace(COHORT, open_to_other_regions=True)
    assert register(open_cohort, region="36.74") is Accepted.ENROLLED


def test_a_participant_with_an_unknown_region_code_is_rejected_schema_invalid():
    assert code_of(register(region="99.01")) == "SCHEMA_INVALID"


def test_registering_in_someone_elses_cohort_is_rejected_not_owner():
    assert code_of(register(publisher="16")) == "NOT_OWNER"


def test_registering_in_a_closed_cohort_is_rejected_cohort_closed():
    assert code_of(register(CLOSED)) == "COHORT_CLOSED"


def test_registering_in_a_cancelled_cohort_is_rejected_cohort_cancelled():
    assert code_of(register(CANCELLED)) == "COHORT_CANCELLED"


def test_withdrawing_an_enrolled_participant_withdraws():
    assert decide_withdrawal(COHORT, "15", EnrolmentStatus.ENROLLED) is Accepted.WITHDRAWN


def test_withdrawing_a_never_registered_nip_is_rejected_not_enrolled():
    assert code_of(decide_withdrawal(COHORT, "15", None)) == "NOT_ENROLLED"


def test_withdrawing_twice_is_a_no_op():
    assert decide_withdrawal(COHORT, "15", EnrolmentStatus.WITHDRAWN) is Accepted.ALREADY_WITHDRAWN


@pytest.mark.parametrize(
    ("cohort", "publisher", "code"),
    [
        (CLOSED, "15", "COHORT_CLOSED"),
        (CANCELLED, "15", "COHORT_CANCELLED"),
        (COHORT, "16", "NOT_OWNER"),
    ],
)
def test_withdrawal_is_refused_by_state_and_ownership(cohort, publisher, code):
    assert code_of(decide_withdrawal(cohort, publisher, EnrolmentStatus.ENROLLED)) == code


def test_cancelling_a_scheduled_cohort_cancels_it():
    assert decide_cancel(COHORT, "15") is Accepted.CANCELLED


def test_cancelling_a_cancelled_cohort_is_a_no_op():
    assert decide_cancel(CANCELLED, "15") is Accepted.ALREADY_CANCELLED


def test_cancelling_a_closed_cohort_is_rejected_cohort_closed():
    assert code_of(decide_cancel(CLOSED, "15")) == "COHORT_CLOSED"


def test_cancelling_someone_elses_cohort_is_rejected_not_owner():
    assert code_of(decide_cancel(COHORT, "nasional")) == "NOT_OWNER"


def test_closing_a_scheduled_cohort_closes_it():
    assert decide_close(COHORT, "15", AFTER) is Accepted.CLOSED


def test_closing_a_closed_cohort_is_a_no_op_not_an_error():
    assert decide_close(CLOSED, "15", AFTER) is Accepted.ALREADY_CLOSED


def test_closing_a_cancelled_cohort_is_rejected_cohort_cancelled():
    assert code_of(decide_close(CANCELLED, "15", AFTER)) == "COHORT_CANCELLED"


def test_closing_someone_elses_cohort_is_rejected_not_owner():
    assert code_of(decide_close(CLOSED, "16", AFTER)) == "NOT_OWNER"


def test_a_close_timed_before_the_first_session_is_rejected_naming_its_date():
    rejection = decide_close(COHORT, "15", datetime(1999, 1, 1, tzinfo=UTC))
    assert code_of(rejection) == "SCHEMA_INVALID"
    assert isinstance(rejection, Rejection)
    # The first session on the cohort's own clock (08:00 WIB), and the time that was sent.
    assert "2023-06-19 08:00 WIB" in rejection.message_id
    assert "2023-06-19 08:00 WIB" in rejection.message_en
    assert "1999-01-01T00:00+00:00" in rejection.message_en
    assert "diklat.cohort.cancelled.v1" in rejection.message_id


def test_a_close_at_the_first_sessions_start_is_accepted_a_minute_before_is_not():
    assert decide_close(COHORT, "15", START) is Accepted.CLOSED
    assert code_of(decide_close(COHORT, "15", START - timedelta(minutes=1))) == "SCHEMA_INVALID"


def test_an_early_close_is_refused_whatever_the_state_but_after_ownership():
    early = START - timedelta(days=400)
    assert code_of(decide_close(CLOSED, "15", early)) == "SCHEMA_INVALID"
    assert code_of(decide_close(CANCELLED, "15", early)) == "SCHEMA_INVALID"
    assert code_of(decide_close(COHORT, "16", early)) == "NOT_OWNER"


def test_an_early_close_names_the_first_session_in_the_cohorts_zone():
    papua = replace(COHORT, timezone="Asia/Jayapura")
    rejection = decide_close(papua, "15", BEFORE)
    assert isinstance(rejection, Rejection)
    assert "2023-06-19 10:00 WIT" in rejection.message_en


def test_a_code_the_sender_may_never_schedule_is_not_its_own():
    rejection = not_publishers_code("16/X/2024/I", "15", "15/")
    assert rejection.code == "NOT_OWNER"
    assert "'15/'" in rejection.message_id and "'15/'" in rejection.message_en


def test_an_unknown_cohort_rejection_names_the_code_and_the_fix():
    rejection = unknown_cohort("35.23/KASI-PEM/2017/I")
    assert rejection.code == "UNKNOWN_COHORT"
    assert "35.23/KASI-PEM/2017/I" in rejection.message_id
    assert "diklat.cohort.scheduled.v1" in rejection.message_en


def test_rejection_codes_match_the_shared_reason_codes():
    from shared.reasons import ReasonCode

    codes = {
        code_of(r)
        for r in (
            register(CLOSED),
            register(CANCELLED),
            register(publisher="16"),
            register(count=30),
            register(enrolment=EnrolmentStatus.ENROLLED),
            register(problem=validate_nip(make_nip(seq=0), AsnType.PNS, Gender.L, today=TODAY)),
            register(region="36.74"),
            register(region="99.01"),
            decide_withdrawal(COHORT, "15", None),
            decide_schedule(COHORT, "15", START),
            unknown_cohort("X-1"),
        )
    }
    assert codes <= {c.value for c in ReasonCode}
    assert len(codes) == 11
