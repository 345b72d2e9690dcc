"""CloudEvents parsing: structured and binary mode, and a precise reason for every bad record."""

from __future__ import annotations

import json

import pytest

from shared.envelope import (
    EnvelopeError,
    RecordPosition,
    check_source,
    parse_record,
    validate_data,
)
from shared.events.ingest import CohortClosed, EvaluationRecorded
from shared.reasons import ReasonCode

POS = RecordPosition("diklat.ingest.15", 0, 7)
STRUCTURED = [("content-type", b"application/cloudevents+json")]


def _event(**overrides):
    body = {
        "specversion": "1.0",
        "id": "e-1",
        "source": "/publishers/15",
        "type": "diklat.cohort.closed.v1",
        "time": "2022-05-24T16:00:00+07:00",
        "subject": "15/PKA/2022/IV",
        "data": {"cohort_code": "15/PKA/2022/IV"},
    }
    body.update(overrides)
    return body


def _reason(value: bytes | None, headers=STRUCTURED) -> ReasonCode:
    with pytest.raises(EnvelopeError) as caught:
        parse_record(POS, value, headers)
    return caught.value.code


def test_structured_event_is_parsed_with_its_position():
    event = parse_record(POS, json.dumps(_event()).encode(), STRUCTURED)
    assert (event.id, event.publisher, event.subject) == ("e-1", "15", "15/PKA/2022/IV")
    assert event.time.utcoffset().total_seconds() == 7 * 3600
    assert event.position == POS


def test_binary_mode_event_is_parsed_from_ce_headers():
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", b"b-1"),
        ("ce_source", b"/publishers/15"),
        ("ce_type", b"diklat.cohort.closed.v1"),
        ("ce_time", b"2022-05-24T09:00:00Z"),
        ("content-type", b"application/json"),
    ]
    event = parse_record(POS, b'{"cohort_code": "15/PKA/2022/IV"}', headers)
    assert event.id == "b-1"
    assert event.data == {"cohort_code": "15/PKA/2022/IV"}


@pytest.mark.parametrize(
    ("value", "headers", "code"),
    [
        (b"{not json", STRUCTURED, ReasonCode.MALFORMED),
        (b"[1, 2]", STRUCTURED, ReasonCode.MALFORMED),
        (None, STRUCTURED, ReasonCode.MALFORMED),
        (b"x" * 1_100_000, STRUCTURED, ReasonCode.MALFORMED),
        (json.dumps(_event()).encode(), [("content-type", b"text/plain")], ReasonCode.MALFORMED),
        (json.dumps(_event()).encode(), [("content-type", b"\xff\xfe")], ReasonCode.MALFORMED),
        (json.dumps(_event(specversion="0.3")).encode(), STRUCTURED, ReasonCode.SCHEMA_INVALID),
        (json.dumps(_event(id=None)).encode(), STRUCTURED, ReasonCode.SCHEMA_INVALID),
        (
            json.dumps(_event(time="2022-05-24T16:00:00")).encode(),
            STRUCTURED,
            ReasonCode.SCHEMA_INVALID,
        ),
        (json.dumps(_event(time="yesterday")).encode(), STRUCTURED, ReasonCode.SCHEMA_INVALID),
    ],
)
def test_unusable_records_are_rejected_with_a_specific_reason(value, headers, code):
    assert _reason(value, headers) is code


def test_source_of_another_publisher_is_a_source_mismatch():
    event = parse_record(POS, json.dumps(_event(source="/publishers/16")).encode(), STRUCTURED)
    with pytest.raises(EnvelopeError) as caught:
        check_source(event, "diklat.ingest.15")
    assert caught.value.code is ReasonCode.SOURCE_MISMATCH
    assert caught.value.event_id == "e-1"


def test_schema_errors_name_the_field_but_never_echo_its_value():
    body = _event(
        type="diklat.evaluation.recorded.v1",
        data={"cohort_code": "15/PKA/2022/IV", "nip": "198609262015051001", "score": 101},
    )
    event = parse_record(POS, json.dumps(body).encode(), STRUCTURED)
    with pytest.raises(EnvelopeError) as caught:
        validate_data(event, EvaluationRecorded)
    assert caught.value.code is ReasonCode.SCHEMA_INVALID
    assert "score" in caught.value.message_en
    assert "198609262015051001" not in caught.value.message_en


def test_subject_must_agree_with_the_cohort_code():
    event = parse_record(POS, json.dumps(_event(subject="15/OTHER/2022/I")).encode(), STRUCTURED)
    with pytest.raises(EnvelopeError) as caught:
        validate_data(event, CohortClosed)
    assert caught.value.code is ReasonCode.SCHEMA_INVALID
