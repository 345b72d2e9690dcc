"""Attendance's handlers on fakes (tests/handler_fakes.py): the in-memory repository and the
core's in-memory ports, no Postgres, no Kafka. Each test is one decision a handler takes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import BaseModel

from builders.calendar import T0
from builders.domain import cancelled, closed, enrolled, participants_enrolled, scheduled, withdrawn
from builders.nips import numbered_nip as nip
from services.attendance import handlers
from services.attendance.adapters.memory import AttendanceMemory
from shared.barrier import waiting_for_close
from shared.consumer import waiting_for_cohort, waiting_for_enrolment
from shared.envelope import CloudEvent
from shared.events import domain as ev
from shared.events.per_cohort import MAX_PER_PART, in_parts
from shared.outbox import domain_event
from shared.reasons import ReasonCode
from tests.handler_fakes import FakeService, logged

pytestmark = pytest.mark.unit

CODE = "15/A/2024/1"
DAY = dt.date(2024, 3, 4)
SESSIONS = [(1, DAY, "08:00", "10:00", "2"), (2, DAY, "10:00", "12:00", "3")]
A, B = nip(1), nip(2)


@pytest.fixture
def memory() -> AttendanceMemory:
    return AttendanceMemory()


@pytest.fixture
def service(memory: AttendanceMemory) -> FakeService:
    return FakeService("attendance", memory.repository, now=T0 + dt.timedelta(days=30))


def from_enrolment(data: BaseModel) -> CloudEvent:
    return domain_event("enrolment", data, CODE)


def mark_event(
    nip_: str, session_no: int, offset: int, status: str = "HADIR", publisher: str = "15"
) -> CloudEvent:
    data = {"cohort_code": CODE, "nip": nip_, "session_no": session_no, "status": status}
    at = T0 + dt.timedelta(minutes=offset)
    return logged(
        "attendance.recorded", data, publisher, event_id=f"mark-{offset}", offset=offset, time=at
    )


def close_record(event_id: str, offset: int) -> CloudEvent:
    return logged(
        "cohort.closed", {"cohort_code": CODE}, "15", event_id=event_id, offset=offset, time=T0
    )


async def a_cohort_with(service: FakeService, *nips: str) -> None:
    await service.handle(
        handlers.on_cohort_info, from_enrolment(scheduled(CODE, "15", "Asia/Jakarta", SESSIONS))
    )
    await service.handle_run(
        handlers.on_participants_enrolled_run,
        [from_enrolment(participants_enrolled(CODE, "15", *part)) for part in in_parts(nips)],
    )


async def closed_by_enrolment(service: FakeService, at_offset: int) -> None:
    """The owner's close passed on the ingest log at `at_offset`, then enrolment's word."""
    await service.handle(handlers.on_ingest_cohort_closed, close_record("close-1", at_offset))
    await service.handle(handlers.on_cohort_closed, from_enrolment(closed(CODE, "15", "close-1")))


async def test_an_enrolled_participants_mark_is_applied_and_the_latest_wins(
    service: FakeService, memory: AttendanceMemory
) -> None:
    await a_cohort_with(service, A)
    outcomes = await service.handle_run(
        handlers.on_attendance_run, [mark_event(A, 1, 2, "IZIN"), mark_event(A, 1, 1, "HADIR")]
    )
    assert [o.outcome for o in outcomes] == ["applied", "applied"]
    assert memory.marks[(CODE, A, 1)].status == "IZIN"


async def test_a_mark_for_a_session_not_scheduled_is_rejected(service: FakeService) -> None:
    await a_cohort_with(service, A)
    handled = await service.handle(handlers.on_attendance_recorded, mark_event(A, 9, 1))
    assert (handled.outcome, handled.reason) == ("rejected", ReasonCode.UNKNOWN_SESSION)


async def test_another_publishers_mark_is_rejected_not_owner(service: FakeService) -> None:
    await a_cohort_with(service, A)
    handled = await service.handle(
        handlers.on_attendance_recorded, mark_event(A, 1, 1, publisher="16")
    )
    assert (handled.outcome, handled.reason) == ("rejected", ReasonCode.NOT_OWNER)


async def test_a_mark_in_a_cancelled_cohort_is_rejected(service: FakeService) -> None:
    await a_cohort_with(service, A)
    await service.handle(handlers.on_cohort_cancelled, from_enrolment(cancelled(CODE, "15")))
    handled = await service.handle(handlers.on_attendance_recorded, mark_event(A, 1, 1))
    assert (handled.outcome, handled.reason) == ("rejected", ReasonCode.COHORT_CANCELLED)


async def test_a_withdrawn_participants_mark_is_rejected_not_enrolled(
    service: FakeService,
) -> None:
    await a_cohort_with(service, A)
    await service.handle(
        handlers.on_participant_withdrawn, from_enrolment(withdrawn(CODE, "15", A))
    )
    handled = await service.handle(handlers.on_attendance_recorded, mark_event(A, 1, 1))
    assert (handled.outcome, handled.reason) == ("rejected", ReasonCode.NOT_ENROLLED)
    assert handled.message_en == "The participant has withdrawn from this cohort."


async def test_a_mark_before_its_cohort_waits_and_is_released_by_the_schedule(
    service: FakeService,
) -> None:
    mark = mark_event(A, 1, 1)
    assert (await service.handle(handlers.on_attendance_recorded, mark)).outcome == "parked"
    assert service.parked_keys() == {waiting_for_cohort(CODE)}
    await a_cohort_with(service, A)
    assert service.take_unparked() == [mark]
    assert (await service.handle(handlers.on_attendance_recorded, mark)).outcome == "applied"


@pytest.mark.parametrize(
    ("handler", "enrolment"),
    [
        (handlers.on_participant_enrolled, enrolled(CODE, "15", B)),
        (handlers.on_participants_enrolled, participants_enrolled(CODE, "15", nip(7), B)),
    ],
    ids=["one event each", "the run's one event"],
)
async def test_a_mark_before_its_enrolment_waits_and_is_released_by_it(
    service: FakeService, handler: Any, enrolment: BaseModel
) -> None:
    await a_cohort_with(service, A)
    mark = mark_event(B, 1, 1)
    assert (await service.handle(handlers.on_attendance_recorded, mark)).outcome == "parked"
    assert service.parked_keys() == {waiting_for_enrolment(CODE, B)}
    await service.handle(handler, from_enrolment(enrolment))
    assert service.take_unparked() == [mark]
    assert (await service.handle(handlers.on_attendance_recorded, mark)).outcome == "applied"


async def test_a_mark_sent_after_the_accepted_close_is_rejected_cohort_closed(
    service: FakeService,
) -> None:
    await a_cohort_with(service, A)
    await closed_by_enrolment(service, at_offset=5)
    before, after = mark_event(A, 1, 4), mark_event(A, 2, 6)
    assert (await service.handle(handlers.on_attendance_recorded, before)).reason == (
        ReasonCode.COHORT_CLOSED  # finalised: too late to count, though sent in time
    )
    handled = await service.handle(handlers.on_attendance_recorded, after)
    assert (handled.reason, handled.message_en) == (
        ReasonCode.COHORT_CLOSED,
        "Attendance was sent after the cohort was closed.",
    )


async def test_a_mark_after_a_close_not_ruled_on_waits_and_a_refusal_releases_it(
    service: FakeService,
) -> None:
    await a_cohort_with(service, A)
    await service.handle(handlers.on_ingest_cohort_closed, close_record("close-1", 5))
    mark = mark_event(A, 1, 6)
    assert (await service.handle(handlers.on_attendance_recorded, mark)).outcome == "parked"
    assert service.parked_keys() == {waiting_for_close(CODE)}
    refusal = closed(CODE, "15", "close-1")
    await service.handle(
        handlers.on_close_refused,
        from_enrolment(
            ev.CloseRefused(
                cohort_code=CODE,
                publisher="15",
                outcome="duplicate",
                reason=None,
                cause=refusal.cause,
                refused_at=T0,
            )
        ),
    )
    assert service.take_unparked() == [mark]
    assert (await service.handle(handlers.on_attendance_recorded, mark)).outcome == "applied"


async def test_finalisation_announces_the_cohort_in_one_event_exactly_once(
    service: FakeService, memory: AttendanceMemory
) -> None:
    await a_cohort_with(service, A, B)
    await service.handle_run(handlers.on_attendance_run, [mark_event(A, 1, 1), mark_event(A, 2, 2)])
    await service.handle(handlers.on_ingest_cohort_closed, close_record("close-1", 5))
    assert service.emitted == []  # enrolment's word is not in yet
    await service.handle(handlers.on_cohort_closed, from_enrolment(closed(CODE, "15", "close-1")))
    assert service.emitted == [f"attendance:cohort-finalised-v2:{CODE}:1"]
    assert memory.finalisations[(CODE, A)].rate_pct == 100
    assert memory.finalisations[(CODE, B)].rate_pct == 0
    await service.run_hook(handlers.on_ingest_close_duplicate, close_record("close-1", 5))
    assert len(service.emitted) == 1


async def test_a_large_cohort_is_announced_in_parts_in_nip_order(service: FakeService) -> None:
    people = [nip(n) for n in range(1, MAX_PER_PART + 2)]
    await a_cohort_with(service, *people)
    await closed_by_enrolment(service, 5)
    parts = [data for kind, data in service.published() if kind.endswith("cohort_finalised.v2")]
    assert [(p["part"], p["parts"], p["participants"]) for p in parts] == [
        (1, 2, len(people)),
        (2, 2, len(people)),
    ]
    assert [r["nip"] for p in parts for r in p["results"]] == sorted(people)
    assert [len(p["results"]) for p in parts] == [MAX_PER_PART, 1]


async def test_finalisation_rejects_what_still_waits_for_an_enrolment(
    service: FakeService,
) -> None:
    await a_cohort_with(service, A)
    mark = mark_event(B, 1, 1)
    assert (await service.handle(handlers.on_attendance_recorded, mark)).outcome == "parked"
    await closed_by_enrolment(service, at_offset=5)
    assert service.take_unparked() == [mark]
    handled = await service.handle(handlers.on_attendance_recorded, mark)
    assert (handled.outcome, handled.reason) == ("rejected", ReasonCode.NOT_ENROLLED)


async def test_invalid_data_is_rejected_schema_invalid(service: FakeService) -> None:
    bad = mark_event(A, 1, 1)
    bad.data["session_no"] = "first"
    handled = await service.handle(handlers.on_attendance_recorded, bad)
    assert (handled.outcome, handled.reason) == ("rejected", ReasonCode.SCHEMA_INVALID)
