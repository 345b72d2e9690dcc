"""A run's data validated in one pydantic call decides exactly as event by event: the same
events pass, in order, and each refused one carries the same reason and message."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from builders.ingest import TUBAN, TUBAN_COHORT, participant_data
from builders.nips import nips
from shared.consumer import validated_batch, validated_run
from shared.envelope import CloudEvent
from shared.events.ingest import ParticipantRegistered
from tests.handler_fakes import logged

pytestmark = pytest.mark.unit
A, B, C = nips(3)
SENT = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def _registration(offset: int, data: Any, subject: str | None = TUBAN_COHORT) -> CloudEvent:
    event = logged(
        "participant.registered", {}, TUBAN, event_id=f"r{offset}", offset=offset, time=SENT
    )
    event.data, event.subject = data, subject
    return event


def _runs() -> dict[str, list[CloudEvent]]:
    good = [_registration(i, participant_data(TUBAN_COHORT, nip)) for i, nip in enumerate((A, B))]
    return {
        "all good": good,
        "bad ones among good ones": [
            good[0],
            _registration(2, participant_data(TUBAN_COHORT, C[:-1], name="")),  # two fields
            _registration(3, "not an object"),
            _registration(4, participant_data(TUBAN_COHORT, C), subject="35.23/OTHER/2017/I"),
            good[1],
        ],
        "all bad": [_registration(5, None), _registration(6, [])],
    }


@pytest.mark.parametrize("name", list(_runs()))
def test_one_call_decides_as_event_by_event(name: str) -> None:
    run = _runs()[name]
    outcomes, valid = validated_batch(run, ParticipantRegistered)
    expected_outcomes, expected_valid = validated_run(run, ParticipantRegistered)
    assert outcomes == expected_outcomes
    assert [(i, e.id, d) for i, e, d in valid] == [(i, e.id, d) for i, e, d in expected_valid]


def test_a_refused_event_names_its_fields() -> None:
    run = _runs()["bad ones among good ones"]
    outcomes, valid = validated_batch(run, ParticipantRegistered)
    assert [i for i, _, _ in valid] == [0, 4]
    refused = outcomes[1]
    assert refused is not None and refused.reason == "SCHEMA_INVALID"
    assert "data.nip" in (refused.message_en or "") and "data.name" in (refused.message_en or "")
    assert outcomes[3] is not None and "subject" in (outcomes[3].message_en or "")
