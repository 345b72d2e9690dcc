"""Enrolment's handlers on fakes (tests/handler_fakes.py): the in-memory repository and the
core's in-memory ports, no Postgres, no Kafka. Each test is one decision a handler takes."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from builders.ingest import TUBAN, TUBAN_COHORT, cohort_data, participant_data, withdrawal_data
from builders.nips import nips
from services.enrolment import handlers
from services.enrolment.adapters.memory import EnrolmentMemory
from shared.consumer import waiting_for_cohort
from shared.envelope import CloudEvent
from shared.reasons import ReasonCode
from tests.handler_fakes import FakeService, logged

pytestmark = pytest.mark.unit

BEFORE_START = dt.datetime(2017, 9, 1, tzinfo=dt.UTC)  # the seed cohort starts on 25 September
A, B = nips(2)
_offsets = itertools.count(1)


@pytest.fixture
def service() -> FakeService:
    return FakeService("enrolment", EnrolmentMemory().repository, now=BEFORE_START)


def ingest(kind: str, data: dict[str, Any], publisher: str = TUBAN) -> CloudEvent:
    offset = next(_offsets)
    event_id = f"{kind}-{offset}"
    return logged(kind, data, publisher, event_id=event_id, offset=offset, time=BEFORE_START)


def schedule(**data: Any) -> CloudEvent:
    return ingest("cohort.scheduled", cohort_data(**data))


def registration(nip: str, **data: Any) -> CloudEvent:
    return ingest("participant.registered", participant_data(TUBAN_COHORT, nip, **data))


def close(publisher: str = TUBAN) -> CloudEvent:
    return ingest("cohort.closed", {"cohort_code": TUBAN_COHORT}, publisher)


def types(service: FakeService) -> list[str]:
    return [event_type.removeprefix("diklat.enrolment.") for event_type, _ in service.published()]


async def test_a_new_schedule_is_applied_announced_and_releases_what_waited(
    service: FakeService,
) -> None:
    early = registration(A)
    assert (await service.handle(handlers.on_participant_registered, early)).outcome == "parked"
    assert service.parked_keys() == {waiting_for_cohort(TUBAN_COHORT)}
    assert (await service.handle(handlers.on_cohort_scheduled, schedule())).outcome == "applied"
    assert types(service) == ["cohort_scheduled.v1"]
    assert service.take_unparked() == [early]
    assert (await service.handle(handlers.on_participant_registered, early)).outcome == "applied"
    assert types(service)[-1] == "participants_enrolled.v1"


async def test_a_schedule_again_before_the_first_session_is_an_amendment(
    service: FakeService,
) -> None:
    await service.handle(handlers.on_cohort_scheduled, schedule())
    assert (await service.handle(handlers.on_cohort_scheduled, schedule(quota=10))).outcome == (
        "applied"
    )
    (_, amended) = service.published()[-1]
    assert types(service) == ["cohort_scheduled.v1", "cohort_amended.v1"]
    assert (amended["quota"], amended["policy_version"]) == (10, 2)


async def test_an_amendment_after_the_first_session_started_is_rejected(
    service: FakeService,
) -> None:
    await service.handle(handlers.on_cohort_scheduled, schedule())
    service.now = dt.datetime(2017, 9, 26, tzinfo=dt.UTC)
    handled = await service.handle(handlers.on_cohort_scheduled, schedule(quota=10))
    assert (handled.outcome, handled.reason) == ("rejected", ReasonCode.AMENDMENT_WINDOW_CLOSED)


async def test_a_schedule_under_another_publishers_code_is_rejected_schema_invalid(
    service: FakeService,
) -> None:
    handled = await service.handle(handlers.on_cohort_scheduled, schedule(code="15/X/2017/I"))
    assert (handled.outcome, handled.reason) == ("rejected", ReasonCode.SCHEMA_INVALID)
    assert service.published() == []


async def test_a_registration_under_a_code_the_sender_may_never_own_is_not_parked(
    service: FakeService,
) -> None:
    event = ingest("participant.registered", participant_data("15/X/2017/I", A))
    handled = await service.handle(handlers.on_participant_registered, event)
    assert (handled.outcome, handled.reason) == ("rejected", ReasonCode.NOT_OWNER)
    assert service.parked_keys() == set()


@pytest.mark.parametrize(
    ("second", "reason"),
    [
        ({"nip": A}, ReasonCode.ALREADY_ENROLLED),
        ({"nip": B, "region": "15"}, ReasonCode.REGION_NOT_ALLOWED),
        ({"nip": "198613262015051001"}, ReasonCode.INVALID_NIP),  # month 13,
    ],
)
async def test_a_registration_is_rejected_with_its_reason(
    service: FakeService, second: dict[str, Any], reason: ReasonCode
) -> None:
    await service.handle(handlers.on_cohort_scheduled, schedule())
    await service.handle(handlers.on_participant_registered, registration(A))
    nip = second.pop("nip")
    handled = await service.handle(handlers.on_participant_registered, registration(nip, **second))
    assert (handled.outcome, handled.reason) == ("rejected", reason)


async def test_a_full_cohort_refuses_until_a_withdrawal_frees_a_seat(
    service: FakeService,
) -> None:
    await service.handle(handlers.on_cohort_scheduled, schedule(quota=1))
    outcomes = await service.handle_run(
        handlers.on_registration_run, [registration(A), registration(B)]
    )
    assert [(o.outcome, o.reason) for o in outcomes] == [
        ("applied", None),
        ("rejected", ReasonCode.QUOTA_FULL),
    ]
    withdrawal = ingest("participant.withdrawn", withdrawal_data(TUBAN_COHORT, A))
    assert (await service.handle(handlers.on_participant_withdrawn, withdrawal)).outcome == (
        "applied"
    )
    assert types(service)[-1] == "participant_withdrawn.v1"
    assert (await service.handle(handlers.on_participant_registered, registration(B))).outcome == (
        "applied"
    )


async def test_withdrawing_someone_never_registered_is_rejected_not_enrolled(
    service: FakeService,
) -> None:
    await service.handle(handlers.on_cohort_scheduled, schedule())
    withdrawal = ingest("participant.withdrawn", withdrawal_data(TUBAN_COHORT, A))
    handled = await service.handle(handlers.on_participant_withdrawn, withdrawal)
    assert (handled.outcome, handled.reason) == ("rejected", ReasonCode.NOT_ENROLLED)


async def test_a_cancelled_cohort_takes_no_more_registrations(service: FakeService) -> None:
    await service.handle(handlers.on_cohort_scheduled, schedule())
    cancel = ingest("cohort.cancelled", {"cohort_code": TUBAN_COHORT, "reason": "anggaran"})
    assert (await service.handle(handlers.on_cohort_cancelled, cancel)).outcome == "applied"
    assert types(service)[-1] == "cohort_cancelled.v1"
    handled = await service.handle(handlers.on_participant_registered, registration(A))
    assert (handled.outcome, handled.reason) == ("rejected", ReasonCode.COHORT_CANCELLED)


async def test_the_owners_close_closes_and_names_its_record(service: FakeService) -> None:
    await service.handle(handlers.on_cohort_scheduled, schedule(start=dt.date(2017, 8, 1)))
    await service.handle(handlers.on_participant_registered, registration(A))
    record = close()
    assert (await service.handle(handlers.on_cohort_closed, record)).outcome == "applied"
    event_type, data = service.published()[-1]
    assert event_type == "diklat.enrolment.cohort_closed.v1"
    assert (data["enrolled"], data["cause"]["event_id"]) == (1, record.id)
    handled = await service.handle(handlers.on_participant_registered, registration(B))
    assert (handled.outcome, handled.reason) == ("rejected", ReasonCode.COHORT_CLOSED)


async def test_a_close_that_closes_nothing_is_announced_as_refused(service: FakeService) -> None:
    await service.handle(handlers.on_cohort_scheduled, schedule(start=dt.date(2017, 8, 1)))
    outcomes = await service.handle_run(handlers.on_close_run, [close(), close(), close("15")])
    assert [(o.outcome, o.reason) for o in outcomes] == [
        ("applied", None),
        ("applied", None),  # a second close repeats an effect
        ("rejected", ReasonCode.NOT_OWNER),
    ]
    assert types(service)[1:] == ["cohort_closed.v1", "close_refused.v1", "close_refused.v1"]
    await service.run_hook(handlers.on_close_duplicate, close())
    event_type, data = service.published()[-1]
    assert (event_type, data["outcome"]) == ("diklat.enrolment.close_refused.v1", "duplicate")


async def test_a_close_of_an_unknown_cohort_is_rejected_and_refused(service: FakeService) -> None:
    handled = await service.handle(handlers.on_cohort_closed, close())
    assert (handled.outcome, handled.reason) == ("rejected", ReasonCode.UNKNOWN_COHORT)
    assert types(service) == ["close_refused.v1"]
