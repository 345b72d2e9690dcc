"""The schedule enrolment announces: UTC instants from the venue's zone, dates and JP totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from builders.calendar import working_days
from builders.ingest import TUBAN_COHORT, cohort_data, daily_sessions, participant_data
from builders.nips import nips
from services.enrolment.announcements import cohort_info
from shared.events.ingest import CohortScheduled, ParticipantRegistered


def test_seed_001_schedule_is_8_effective_days_from_25_september_to_4_october_2017():
    info = cohort_info(CohortScheduled.model_validate(cohort_data()), "35.23", policy_version=1)
    assert (info.start_date, info.end_date) == (dt.date(2017, 9, 25), dt.date(2017, 10, 4))
    assert len(info.sessions) == 8 and info.total_jp == Decimal(48)
    assert info.sessions[0].starts_at == dt.datetime(2017, 9, 25, 1, 0, tzinfo=dt.UTC)


def test_session_times_are_converted_from_the_venue_zone_and_sorted_by_date():
    schedule = list(reversed(daily_sessions(dt.date(2024, 7, 1), days=3, jp="2.5")))
    data = CohortScheduled.model_validate(
        cohort_data("91/TEKNIS/2024/I", "91", sessions=schedule, timezone="Asia/Jayapura")
    )
    info = cohort_info(data, "91", policy_version=3)
    assert [s.no for s in info.sessions] == [1, 2, 3]
    # 08:00 WIT (UTC+9) is 23:00 UTC the day before.
    assert info.sessions[0].starts_at == dt.datetime(2024, 6, 30, 23, 0, tzinfo=dt.UTC)
    assert info.total_jp == Decimal("7.5") and info.policy_version == 3


def test_factories_build_valid_ingest_data_with_distinct_valid_nips():
    assert working_days(dt.date(2017, 9, 29), 2) == [dt.date(2017, 9, 29), dt.date(2017, 10, 2)]
    people = list(nips(50, women=7))
    assert len(set(people)) == 50 and sum(n[14] == "2" for n in people) == 7
    registered = ParticipantRegistered.model_validate(participant_data(TUBAN_COHORT, people[0]))
    assert registered.gender == "P"
