"""Contract suite for enrolment's repository port (`services/enrolment/ports.py`): assertions
about what it answers, not how it stores it, subclassed for each adapter
(test_repository_postgres.py, test_repository_memory.py), as tests/shared/port_contracts.py
is for the consumer core's ports.

A subclass provides a `repo` fixture: one repository on a fresh, empty store."""

from __future__ import annotations

import datetime as dt
from typing import Any

from builders.ingest import TUBAN, TUBAN_COHORT, cohort_data, participant_data
from builders.nips import nips
from services.enrolment.announcements import cohort_info
from services.enrolment.domain import CohortStatus, CohortView, EnrolmentStatus
from services.enrolment.ports import EnrolmentRepository, NewEnrolment
from shared.events import domain as ev
from shared.events.ingest import CohortScheduled

NOW = dt.datetime(2017, 9, 1, tzinfo=dt.UTC)
OTHER = "35.23/KASI-PEM/2017/II"
A, B = nips(2)


def info(code: str = TUBAN_COHORT, version: int = 1, **data: Any) -> ev.CohortInfo:
    return cohort_info(
        CohortScheduled.model_validate(cohort_data(code, **data)), TUBAN, policy_version=version
    )


def enrolment(nip: str, code: str = TUBAN_COHORT, *, was_withdrawn: bool = False) -> NewEnrolment:
    data = participant_data(code, nip)
    del data["cohort_code"]
    return NewEnrolment(code, ev.Participant.model_validate(data), was_withdrawn)


class EnrolmentRepositoryContract:
    async def test_an_unknown_cohort_is_not_loaded(self, repo: EnrolmentRepository) -> None:
        assert await repo.load_cohort(TUBAN_COHORT) is None
        assert await repo.load_cohorts([TUBAN_COHORT]) == {}

    async def test_a_new_cohort_is_scheduled_with_no_one_enrolled(
        self, repo: EnrolmentRepository
    ) -> None:
        await repo.insert_cohort(info(quota=25, open_to_other_regions=True), NOW)
        stored = await repo.load_cohort(TUBAN_COHORT)
        assert stored is not None
        assert stored.view == CohortView(
            TUBAN_COHORT,
            TUBAN,
            CohortStatus.SCHEDULED,
            dt.datetime(2017, 9, 25, 1, tzinfo=dt.UTC),  # 08:00 WIB
            25,
            True,
            "Asia/Jakarta",
        )
        assert (stored.policy_version, stored.enrolled, stored.withdrawn) == (1, 0, 0)

    async def test_many_cohorts_are_loaded_by_code(self, repo: EnrolmentRepository) -> None:
        await repo.insert_cohorts([info(), info(OTHER)], NOW)
        loaded = await repo.load_cohorts([TUBAN_COHORT, OTHER, "35.23/X/2017/I"])
        assert {code: s.view.cohort_code for code, s in loaded.items()} == {
            TUBAN_COHORT: TUBAN_COHORT,
            OTHER: OTHER,
        }

    async def test_an_amendment_replaces_the_schedule_and_keeps_the_state_and_seats(
        self, repo: EnrolmentRepository
    ) -> None:
        await repo.insert_cohort(info(), NOW)
        await repo.enrol_many([enrolment(A)], NOW)
        await repo.close_cohorts([(TUBAN_COHORT, NOW)])
        await repo.amend_cohort(info(version=2, quota=10, start=dt.date(2017, 10, 2)), NOW)
        stored = await repo.load_cohort(TUBAN_COHORT)
        assert stored is not None
        assert (stored.view.quota, stored.view.first_session_start.date()) == (
            10,
            dt.date(2017, 10, 2),
        )
        assert (stored.view.status, stored.policy_version, stored.enrolled) == (
            CohortStatus.CLOSED,
            2,
            1,
        )

    async def test_cancelled_and_closed_cohorts_say_so(self, repo: EnrolmentRepository) -> None:
        await repo.insert_cohorts([info(), info(OTHER)], NOW)
        await repo.cancel_cohort(TUBAN_COHORT, "anggaran", NOW)
        await repo.close_cohorts([(OTHER, NOW)])
        loaded = await repo.load_cohorts([TUBAN_COHORT, OTHER])
        assert loaded[TUBAN_COHORT].view.status is CohortStatus.CANCELLED
        assert loaded[OTHER].view.status is CohortStatus.CLOSED

    async def test_enrolments_take_seats_and_have_a_status(self, repo: EnrolmentRepository) -> None:
        await repo.insert_cohorts([info(), info(OTHER)], NOW)
        await repo.enrol_many([enrolment(A), enrolment(B), enrolment(A, OTHER)], NOW)
        assert await repo.enrolment_status(TUBAN_COHORT, A) is EnrolmentStatus.ENROLLED
        assert await repo.enrolment_status(OTHER, B) is None
        assert await repo.enrolment_statuses([(TUBAN_COHORT, B), (OTHER, B), (OTHER, A)]) == {
            (TUBAN_COHORT, B): EnrolmentStatus.ENROLLED,
            (OTHER, A): EnrolmentStatus.ENROLLED,
        }
        loaded = await repo.load_cohorts([TUBAN_COHORT, OTHER])
        assert (loaded[TUBAN_COHORT].enrolled, loaded[OTHER].enrolled) == (2, 1)

    async def test_a_runs_facts_are_its_known_cohorts_and_their_statuses(
        self, repo: EnrolmentRepository
    ) -> None:
        await repo.insert_cohorts([info(), info(OTHER)], NOW)
        await repo.enrol_many([enrolment(A), enrolment(B), enrolment(B, OTHER)], NOW)
        await repo.withdraw(TUBAN_COHORT, B, "mutasi", NOW)
        unknown = "35.23/X/2017/I"
        cohorts, statuses = await repo.registration_facts(
            [(TUBAN_COHORT, A), (TUBAN_COHORT, B), (OTHER, A), (unknown, A)]
        )
        assert set(cohorts) == {TUBAN_COHORT, OTHER}
        assert (cohorts[TUBAN_COHORT].enrolled, cohorts[OTHER].enrolled) == (1, 1)
        assert statuses == {  # (OTHER, B) is enrolled, but was not asked for
            (TUBAN_COHORT, A): EnrolmentStatus.ENROLLED,
            (TUBAN_COHORT, B): EnrolmentStatus.WITHDRAWN,
        }

    async def test_a_withdrawal_frees_the_seat_and_a_return_takes_it_again(
        self, repo: EnrolmentRepository
    ) -> None:
        await repo.insert_cohort(info(), NOW)
        await repo.enrol_many([enrolment(A), enrolment(B)], NOW)
        await repo.withdraw(TUBAN_COHORT, A, "mutasi", NOW)
        assert await repo.enrolment_status(TUBAN_COHORT, A) is EnrolmentStatus.WITHDRAWN
        stored = await repo.load_cohort(TUBAN_COHORT)
        assert stored is not None and (stored.enrolled, stored.withdrawn) == (1, 1)
        await repo.enrol_many([enrolment(A, was_withdrawn=True)], NOW)
        assert await repo.enrolment_status(TUBAN_COHORT, A) is EnrolmentStatus.ENROLLED
        stored = await repo.load_cohort(TUBAN_COHORT)
        assert stored is not None and (stored.enrolled, stored.withdrawn) == (2, 0)

    async def test_the_roster_knows_only_the_home_regions_recorded(
        self, repo: EnrolmentRepository
    ) -> None:
        assert await repo.home_regions([A, B]) == {}
        await repo.record_home_regions([(A, "35.23")], NOW)
        await repo.record_home_regions([(A, "15"), (B, "nasional")], NOW)  # a transfer
        assert await repo.home_regions([A, B, "199001012019031001"]) == {A: "15", B: "nasional"}
