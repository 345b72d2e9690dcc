"""What a consumer makes of a record: a consumer that does not report envelope errors passes over
a type it does not follow before building its event (certification reads every attendance mark
and follows none), and nothing else about reading changes with that."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest
import structlog

from shared.consumer.reading import read
from shared.envelope import STRUCTURED_HEADERS, CloudEvent, EnvelopeError
from shared.reasons import ReasonCode
from shared.topics import ENROLMENT_EVENTS, ingest_topic

pytestmark = pytest.mark.unit
FOLLOWED = "diklat.cohort.closed.v1"
NOT_FOLLOWED = "diklat.attendance.recorded.v1"
INGEST = ingest_topic("35.23")


class _Record:
    partition, offset, key, headers = 3, 41, None, STRUCTURED_HEADERS

    def __init__(self, topic: str, event_type: object, **attributes: object) -> None:
        self.topic = topic
        body = {
            "specversion": "1.0",
            "id": "e-1",
            "source": "/publishers/35.23",
            "type": event_type,
            "time": "2026-12-04T08:00:00+07:00",
            "data": {"cohort_code": "35.23/PKA/2026/I"},
        }
        self.value = orjson.dumps(body | attributes)


def test_a_followed_type_is_read_as_its_event():
    event = read(_Record(INGEST, FOLLOWED), "", {FOLLOWED}, reports_envelope_errors=False)
    assert isinstance(event, CloudEvent)
    assert (event.id, event.type) == ("e-1", FOLLOWED)
    assert event.time == dt.datetime(2026, 12, 4, 1, tzinfo=dt.UTC)


def test_a_type_not_followed_is_passed_over_even_with_attributes_that_would_fail():
    broken = _Record(ENROLMENT_EVENTS, NOT_FOLLOWED, time="kemarin", id=7)
    with structlog.testing.capture_logs() as logs:
        assert read(broken, "", {FOLLOWED}, reports_envelope_errors=False) is None
    assert logs == []  # not ours to call unreadable: the consumers that follow it will


def test_a_followed_domain_record_with_broken_attributes_is_still_logged_and_skipped():
    broken = _Record(ENROLMENT_EVENTS, FOLLOWED, time="kemarin")
    with structlog.testing.capture_logs() as logs:
        assert read(broken, "", {FOLLOWED}, reports_envelope_errors=False) is None
    assert [(e["event"], e["record"]) for e in logs] == [
        ("domain record unreadable; skipped", f"{ENROLMENT_EVENTS}/3/41")
    ]


@pytest.mark.parametrize("event_type", [["a", "list"], {"a": 1}, None, 12])
def test_a_type_that_is_not_a_name_is_refused_with_its_reason_not_passed_over(event_type):
    # An unhashable type must not reach `in routed` (a TypeError would stop the batch).
    error = read(_Record(INGEST, event_type), "", {FOLLOWED}, reports_envelope_errors=True)
    assert isinstance(error, EnvelopeError)
    assert error.code is ReasonCode.SCHEMA_INVALID
    # Not passed over as unfollowed either: checked, so a domain record says it is unreadable.
    with structlog.testing.capture_logs() as logs:
        on_domain = _Record(ENROLMENT_EVENTS, event_type)
        assert read(on_domain, "", {FOLLOWED}, reports_envelope_errors=False) is None
    assert [e["event"] for e in logs] == ["domain record unreadable; skipped"]


def test_the_reporting_consumer_still_reports_a_type_it_does_not_follow():
    error = read(
        _Record(INGEST, NOT_FOLLOWED, time="kemarin"), "", {FOLLOWED}, reports_envelope_errors=True
    )
    assert isinstance(error, EnvelopeError)
    assert (error.code, error.event_id, error.event_type) == (
        ReasonCode.SCHEMA_INVALID,
        "e-1",
        NOT_FOLLOWED,
    )
    assert error.position is not None and error.position.offset == 41
