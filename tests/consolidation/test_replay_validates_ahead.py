"""The replay validates each event's data ahead of its transaction: with the very model its
handler uses, which then passes the instance through; anything else is left as it came."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import BaseModel

from services.consolidation import handlers
from services.consolidation.entrypoints.replay import with_model
from services.consolidation.handlers import DATA_MODELS, DOMAIN_ROUTES, FEEDBACK_ROUTES
from shared import consumer
from shared.envelope import CloudEvent, EnvelopeError, validate_data
from shared.events import domain as ev
from shared.reasons import ReasonCode

pytestmark = pytest.mark.unit
ROUTES = {**DOMAIN_ROUTES, **FEEDBACK_ROUTES}
FINALISED = "diklat.attendance.participant_finalised.v1"
CODE = "35.23/BENCH/2024/0"
DATA = {
    "cohort_code": CODE,
    "publisher": "35.23",
    "nip": "197001011996011001",
    "jp_present": "48",
    "jp_total": "48",
    "rate_pct": "88.888888",
    "sessions_total": 8,
    "sessions_present": 7,
    "missed_by_status": {"SAKIT": 1},
    "finalised_at": "2024-03-01T00:00:00Z",
}


def event(data: Any, subject: str | None = CODE, event_type: str = FINALISED) -> CloudEvent:
    return CloudEvent(
        id="f1",
        source="/services/attendance",
        type=event_type,
        time=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
        data=data,
        subject=subject,
    )


class _Seen(Exception):
    pass


@pytest.mark.parametrize("event_type", sorted(ROUTES))
async def test_each_type_is_validated_ahead_with_its_handlers_model(
    event_type: str, monkeypatch: pytest.MonkeyPatch
):
    models: list[type[BaseModel]] = []

    def spy(_: CloudEvent, model: type[BaseModel]) -> BaseModel:
        models.append(model)
        raise _Seen

    monkeypatch.setattr(consumer, "validate_data", spy)
    monkeypatch.setattr(handlers, "validate_data", spy)
    uow: Any = None  # the spy stops the handler before it touches the unit of work
    with pytest.raises(_Seen):
        await ROUTES[event_type].handler(uow, event({}, event_type=event_type))
    assert models == [DATA_MODELS[event_type]]
    assert set(DATA_MODELS) == set(ROUTES)


def test_valid_data_becomes_the_model_which_the_handler_takes_as_it_is():
    ahead = with_model(event(dict(DATA)))
    assert isinstance(ahead, CloudEvent)
    assert ahead.data == ev.ParticipantFinalised.model_validate(DATA)
    assert validate_data(ahead, ev.ParticipantFinalised) is ahead.data


def test_invalid_data_is_left_for_the_handler_to_reject_as_before():
    bad = {**DATA, "jp_present": "many"}
    left = with_model(event(bad))
    assert isinstance(left, CloudEvent) and left.data == bad
    with pytest.raises(EnvelopeError):
        validate_data(left, ev.ParticipantFinalised)


def test_a_subject_mismatch_is_still_rejected_by_the_handler():
    ahead = with_model(event(dict(DATA), subject="another/cohort"))
    assert isinstance(ahead, CloudEvent) and isinstance(ahead.data, ev.ParticipantFinalised)
    with pytest.raises(EnvelopeError, match=r"differs from data\.cohort_code"):
        validate_data(ahead, ev.ParticipantFinalised)


def test_without_a_subject_the_cohort_in_the_data_dict_stays_readable():
    # The core takes such an event's cohort (its lock) from data["cohort_code"].
    left = with_model(event(dict(DATA), subject=None))
    assert isinstance(left, CloudEvent) and left.data == DATA


def test_unrouted_events_and_envelope_errors_pass_untouched():
    other = event(dict(DATA), event_type="x.unmapped.v1")
    assert with_model(other) is other and other.data == DATA
    error = EnvelopeError(ReasonCode.MALFORMED, "value is not valid JSON")
    assert with_model(error) is error
