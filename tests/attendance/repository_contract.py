"""Contract suite for attendance's repository port (`services/attendance/ports.py`): assertions
about what it answers, not how it stores it, subclassed for each adapter
(test_repository_postgres.py, test_repository_memory.py), as tests/shared/port_contracts.py
is for the consumer core's ports.

A subclass provides a `repo` fixture: one repository on a fresh, empty store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from builders.calendar import T0
from builders.domain import closed, scheduled
from builders.nips import numbered_nip as nip
from services.attendance import domain
from services.attendance.ports import AttendanceRepository, RosterRow
from shared.barrier import confirmed_barriers, noted_barriers, refused_barriers
from shared.envelope import CloudEvent
from shared.events import domain as ev
from shared.judgement import CloseBarrier
from tests.handler_fakes import logged

CODE = "15/A/2024/1"
OTHER = "15/A/2024/2"
DAY = dt.date(2024, 3, 4)
SESSIONS = [(1, DAY, "08:00", "10:00", "2"), (2, DAY, "10:00", "12:00", "3")]
A, B, C = nip(1), nip(2), nip(3)


def close_record(event_id: str, offset: int, publisher: str = "15") -> CloudEvent:
    """The owner's `cohort.closed` as this service passes it on its ingest log."""
    data = {"cohort_code": CODE}
    return logged("cohort.closed", data, publisher, event_id=event_id, offset=offset, time=T0)


def a_mark(nip_: str, session_no: int, status: str = "HADIR", minute: int = 0) -> domain.Mark:
    at = T0 + dt.timedelta(minutes=minute)
    return domain.Mark(CODE, nip_, session_no, status, None, f"m-{nip_}-{session_no}-{minute}", at)


def refused(event_id: str) -> ev.CloseRefused:
    """Enrolment's word that the owner's close `event_id` closed nothing."""
    cause = closed(CODE, "15", event_id).cause
    return ev.CloseRefused(
        cohort_code=CODE,
        publisher="15",
        outcome="duplicate",
        reason=None,
        cause=cause,
        refused_at=T0,
    )


async def facts(repo: AttendanceRepository, *nips: str) -> domain.CohortFacts:
    cohorts, _ = await repo.mark_facts([a_mark(n, 1) for n in nips or (A,)])
    return cohorts[CODE]


async def scheduled_and_closed(repo: AttendanceRepository, close_id: str = "close-1") -> None:
    await repo.save_cohort(scheduled(CODE, "15", "Asia/Jakarta", SESSIONS))
    await repo.mark_closed_many([(CODE, close_id, T0)])


class AttendanceRepositoryContract:
    async def test_marks_of_an_unknown_cohort_have_no_facts(
        self, repo: AttendanceRepository
    ) -> None:
        assert await repo.mark_facts([a_mark(A, 1)]) == ({}, {})

    async def test_a_saved_cohort_is_judged_by_its_owner_schedule_and_roster(
        self, repo: AttendanceRepository
    ) -> None:
        await repo.save_cohort(scheduled(CODE, "15", "Asia/Jakarta", SESSIONS))
        await repo.enrol_many([(CODE, A, "Ani", T0), (CODE, B, "Budi", T0)])
        await repo.withdraw(CODE, B, T0)
        await repo.withdraw(CODE, C, T0)  # before the enrolment arrived
        got = await facts(repo, A, B, C, nip(4))
        assert (got.publisher, got.status, got.roster_final) == ("15", "scheduled", False)
        assert got.sessions == {1, 2}
        assert (got.enrolled, got.withdrawn) == (frozenset({A}), frozenset({B, C}))
        assert got.barriers == ()

    async def test_an_amendment_replaces_the_schedule(self, repo: AttendanceRepository) -> None:
        await repo.save_cohort(scheduled(CODE, "15", "Asia/Jakarta", SESSIONS))
        await repo.save_cohort(scheduled(CODE, "15", "Asia/Jakarta", SESSIONS[1:]))
        assert (await facts(repo)).sessions == {2}
        assert [(s.no, s.jp) for s in (await repo.schedules_of([CODE]))[CODE]] == [(2, Decimal(3))]

    async def test_a_cancelled_cohort_says_so_and_an_amendment_keeps_it_cancelled(
        self, repo: AttendanceRepository
    ) -> None:
        await repo.save_cohort(scheduled(CODE, "15", "Asia/Jakarta", SESSIONS))
        await repo.cancel_cohort(CODE)
        await repo.save_cohort(scheduled(CODE, "15", "Asia/Jakarta", SESSIONS))
        assert (await facts(repo)).status == "cancelled"

    async def test_enrolment_closed_makes_the_roster_final(
        self, repo: AttendanceRepository
    ) -> None:
        await scheduled_and_closed(repo)
        assert (await facts(repo)).roster_final

    async def test_re_enrolling_after_a_withdrawal_counts_again_and_the_last_name_wins(
        self, repo: AttendanceRepository
    ) -> None:
        await repo.save_cohort(scheduled(CODE, "15", "Asia/Jakarta", SESSIONS))
        await repo.enrol_many([(CODE, A, "Ani", T0)])
        await repo.withdraw(CODE, A, T0)
        await repo.enrol_many([(CODE, A, "Ana", T0), (CODE, A, "Ani Lestari", T0)])
        assert (await facts(repo, A)).enrolled == {A}
        assert (await repo.rosters_of([CODE]))[CODE] == [RosterRow(A, "Ani Lestari", False)]

    async def test_rosters_come_by_name_then_nip_with_the_withdrawn(
        self, repo: AttendanceRepository
    ) -> None:
        await repo.enrol_many([(CODE, B, "Budi", T0), (CODE, A, "Ani", T0), (OTHER, C, "Cici", T0)])
        await repo.withdraw(CODE, B, T0)
        rosters = await repo.rosters_of([CODE, OTHER, "15/A/2024/9"])
        assert rosters == {
            CODE: [RosterRow(A, "Ani", False), RosterRow(B, "Budi", True)],
            OTHER: [RosterRow(C, "Cici", False)],
        }

    async def test_saved_marks_are_held_and_replaced_per_participant_and_session(
        self, repo: AttendanceRepository
    ) -> None:
        await repo.save_cohort(scheduled(CODE, "15", "Asia/Jakarta", SESSIONS))
        first, later = a_mark(A, 1, "HADIR"), a_mark(A, 1, "IZIN", minute=5)
        await repo.save_marks([first, a_mark(B, 2, "SAKIT")])
        await repo.save_marks([later])
        _, held = await repo.mark_facts([a_mark(A, 1), a_mark(B, 2)])
        assert held[(CODE, A, 1)] == (later.time, later.event_id)
        assert (await repo.marks_of([CODE])) == {CODE: {A: {1: "IZIN"}, B: {2: "SAKIT"}}}

    async def test_a_close_passed_and_confirmed_is_an_accepted_barrier(
        self, repo: AttendanceRepository
    ) -> None:
        await repo.save_cohort(scheduled(CODE, "15", "Asia/Jakarta", SESSIONS))
        _, rows = noted_barriers([close_record("close-1", 7)])
        await repo.note_barriers(rows)
        assert (await facts(repo)).barriers == (CloseBarrier("diklat.ingest.15", 0, 7, False),)
        await repo.rule_barriers(confirmed_barriers([closed(CODE, "15", "close-1")]))
        assert (await facts(repo)).barriers == (CloseBarrier("diklat.ingest.15", 0, 7, True),)

    async def test_a_refused_close_is_no_barrier_and_a_confirmation_is_never_undone(
        self, repo: AttendanceRepository
    ) -> None:
        await repo.save_cohort(scheduled(CODE, "15", "Asia/Jakarta", SESSIONS))
        await repo.note_barriers(
            noted_barriers([close_record("close-1", 7), close_record("close-2", 9)])[1]
        )
        await repo.rule_barriers(confirmed_barriers([closed(CODE, "15", "close-1")]))
        await repo.rule_barriers(refused_barriers([refused("close-1"), refused("close-2")]))
        assert (await facts(repo)).barriers == (CloseBarrier("diklat.ingest.15", 0, 7, True),)

    async def test_a_verdict_alone_is_no_barrier_until_the_close_is_passed_here(
        self, repo: AttendanceRepository
    ) -> None:
        await repo.save_cohort(scheduled(CODE, "15", "Asia/Jakarta", SESSIONS))
        await repo.rule_barriers(confirmed_barriers([closed(CODE, "15", "close-1")]))
        assert (await facts(repo)).barriers == ()
        await repo.note_barriers(noted_barriers([close_record("close-1", 7)])[1])
        assert (await facts(repo)).barriers == (CloseBarrier("diklat.ingest.15", 0, 7, True),)

    async def test_another_publishers_close_is_no_barrier(self, repo: AttendanceRepository) -> None:
        await repo.save_cohort(scheduled(CODE, "15", "Asia/Jakarta", SESSIONS))
        await repo.note_barriers(noted_barriers([close_record("close-1", 7, publisher="16")])[1])
        assert (await facts(repo)).barriers == ()

    async def test_a_cohort_is_finalised_once_its_accepted_close_is_passed_here(
        self, repo: AttendanceRepository
    ) -> None:
        await scheduled_and_closed(repo)
        assert await repo.finalise_ready([CODE], T0) == []
        await repo.note_barriers(noted_barriers([close_record("close-1", 7)])[1])
        assert await repo.finalise_ready([CODE], T0) == []  # enrolment's word not in yet
        await repo.rule_barriers(confirmed_barriers([closed(CODE, "15", "close-1")]))
        (finalised,) = await repo.finalise_ready([CODE, OTHER], T0)
        assert (finalised.cohort_code, finalised.status, finalised.finalised_at) == (
            CODE,
            "finalised",
            T0,
        )
        assert finalised.close_event_id == "close-1"
        assert await repo.finalise_ready([CODE], T0) == []
        await repo.cancel_cohort(CODE)
        assert (await facts(repo)).status == "finalised"

    async def test_the_first_close_of_a_cohort_wins(self, repo: AttendanceRepository) -> None:
        await scheduled_and_closed(repo, "close-1")
        await repo.mark_closed_many([(CODE, "close-2", T0)])
        for event_id in ("close-1", "close-2"):
            await repo.note_barriers(noted_barriers([close_record(event_id, 7)])[1])
            await repo.rule_barriers(confirmed_barriers([closed(CODE, "15", event_id)]))
        (finalised,) = await repo.finalise_ready([CODE], T0)
        assert finalised.close_event_id == "close-1"

    async def test_a_cancelled_cohort_is_never_finalised(self, repo: AttendanceRepository) -> None:
        await scheduled_and_closed(repo)
        await repo.note_barriers(noted_barriers([close_record("close-1", 7)])[1])
        await repo.rule_barriers(confirmed_barriers([closed(CODE, "15", "close-1")]))
        await repo.cancel_cohort(CODE)
        assert await repo.finalise_ready([CODE], T0) == []

    async def test_figures_are_stored_once_per_participant(
        self, repo: AttendanceRepository
    ) -> None:
        figures = domain.Figures(Decimal(5), Decimal(5), Decimal(100), 2, 2, {"UNRECORDED": 0})
        assert await repo.save_finalisations_many({CODE: {A: figures, B: figures}}, T0) == {
            (CODE, A),
            (CODE, B),
        }
        assert await repo.save_finalisations_many({CODE: {A: figures, C: figures}}, T0) == {
            (CODE, C)
        }
