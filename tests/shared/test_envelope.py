"""CloudEvents parsing: structured and binary mode, and a precise reason for every bad record."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders.ingest import ingest_event
from shared.envelope import (
    MAX_DEPTH,
    EnvelopeError,
    RecordPosition,
    check_source,
    parse_record,
    validate_data,
)
from shared.events.ingest import INGEST_TYPES, CohortClosed, EvaluationRecorded
from shared.reasons import ReasonCode

POS = RecordPosition("diklat.ingest.15", 0, 7)
STRUCTURED = [("content-type", b"application/cloudevents+json")]


def _event(**overrides):
    """A publisher's valid close of 15/PKA/2022/IV, with attributes replaced by `overrides`."""
    sent = dt.datetime(2022, 5, 24, 16, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    data = {"cohort_code": "15/PKA/2022/IV"}
    return ingest_event("cohort.closed", data, "15", event_id="e-1", time_=sent) | overrides


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


@pytest.mark.parametrize("attribute", ["id", "source", "type", "subject", "time"])
def test_a_nul_in_any_attribute_is_refused_naming_the_attribute(attribute):
    body = _event()
    body[attribute] = body[attribute][:3] + "\0" + body[attribute][3:]
    with pytest.raises(EnvelopeError) as caught:
        parse_record(POS, json.dumps(body).encode(), STRUCTURED)
    error = caught.value
    assert error.code is ReasonCode.SCHEMA_INVALID
    assert attribute in error.message_en and "NUL" in error.message_en
    assert "NUL" in error.message_id and "hapus" in error.message_id
    # An id the inbox could not key is not echoed: the gate names the record by its position.
    assert error.event_id == (None if attribute == "id" else "e-1")


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"cohort_code": "15/PKA/2022/IV", "agency": "Dinas\0Kesehatan"}, "data.agency"),
        (
            {"cohort_code": "15/PKA/2022/IV", "sessions": [{"title": "a\0"}]},
            "data.sessions.0.title",
        ),
        ({"cohort_code": "15/PKA/2022/IV", "catatan\0": 1}, "a field name in data"),
    ],
)
def test_a_nul_anywhere_in_data_is_refused_naming_the_field_not_the_value(data, where):
    with pytest.raises(EnvelopeError) as caught:
        parse_record(POS, json.dumps(_event(data=data)).encode(), STRUCTURED)
    assert caught.value.code is ReasonCode.SCHEMA_INVALID
    assert where in caught.value.message_en
    assert "Dinas" not in caught.value.message_en


def test_a_nul_in_a_binary_mode_header_is_refused():
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", b"b-1"),
        ("ce_source", b"/publishers/15"),
        ("ce_type", b"diklat.cohort.closed.v1"),
        ("ce_time", b"2022-05-24T09:00:00Z"),
        ("ce_subject", b"15/PKA\x00/2022/IV"),
        ("content-type", b"application/json"),
    ]
    assert _reason(b'{"cohort_code": "15/PKA/2022/IV"}', headers) is ReasonCode.SCHEMA_INVALID


def test_an_escaped_backslash_before_u0000_is_plain_text_and_accepted():
    # The byte scan for \u0000 also finds `\\u0000` (a backslash, then "u0000"): the walk
    # decides, and there is no NUL in it.
    body = _event(data={"cohort_code": "15/PKA/2022/IV", "note": "C:\\u0000"})
    event = parse_record(POS, json.dumps(body).encode(), STRUCTURED)
    assert event.data["note"] == "C:\\u0000"


@pytest.mark.parametrize(
    "overrides",
    [
        {"id": "i" * 201},
        {"type": "t" * 201},
        {"source": "/publishers/" + "1" * 200},
        {"subject": "s" * 201},
        {"time": "0001-01-01T00:00:00+07:00"},
        {"time": "2101-01-01T00:00:00Z"},
        {"time": "1999-12-31T23:59:59Z"},
        {"time": "2" * 300_000},
        {"specversion": "9" * 300_000},
    ],
)
def test_attributes_beyond_their_bounds_are_refused_without_echoing_them(overrides):
    with pytest.raises(EnvelopeError) as caught:
        parse_record(POS, json.dumps(_event(**overrides)).encode(), STRUCTURED)
    error = caught.value
    assert error.code is ReasonCode.SCHEMA_INVALID
    assert len(error.message_en) < 300 and len(error.message_id) < 300
    assert error.event_id is None or len(error.event_id) <= 200
    assert error.event_type is None or len(error.event_type) <= 200


def test_data_nested_deeper_than_a_parked_event_could_be_written_is_refused():
    deep: list[object] = []
    node = deep
    for _ in range(MAX_DEPTH + 5):
        node.append([])
        node = node[-1]  # type: ignore[assignment]
    body = _event(data={"cohort_code": "15/PKA/2022/IV", "extra": deep})
    with pytest.raises(EnvelopeError) as caught:
        parse_record(POS, json.dumps(body).encode(), STRUCTURED)
    assert caught.value.code is ReasonCode.SCHEMA_INVALID
    assert f"deeper than {MAX_DEPTH}" in caught.value.message_en


def test_data_nested_as_deep_as_a_parked_event_can_be_written_is_accepted():
    deep: list[object] = []
    node = deep
    for _ in range(MAX_DEPTH - 3):  # with `deep` itself, the event and `data`: MAX_DEPTH
        node.append([])
        node = node[-1]  # type: ignore[assignment]
    body = _event(data={"cohort_code": "15/PKA/2022/IV", "extra": deep})
    assert parse_record(POS, json.dumps(body).encode(), STRUCTURED).id == "e-1"


def test_a_schedule_of_500_sessions_is_not_too_deep():
    sessions = [{"no": i, "title": f"Hari {i}"} for i in range(1, 501)]
    body = _event(data={"cohort_code": "15/PKA/2022/IV", "sessions": sessions})
    assert len(parse_record(POS, json.dumps(body).encode(), STRUCTURED).data["sessions"]) == 500


def _strings(node: object) -> Iterator[str]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, database=None)
@given(
    attribute=st.sampled_from(["id", "source", "type", "subject", "time", "data", "specversion"]),
    value=_JSON,
)
def test_any_value_of_any_attribute_parses_to_storable_text_or_a_reason(attribute, value):
    body = _event(**{attribute: value})
    try:
        event = parse_record(POS, json.dumps(body).encode(), STRUCTURED)
    except EnvelopeError as error:
        assert error.code in (ReasonCode.MALFORMED, ReasonCode.SCHEMA_INVALID)
        assert len(error.message_en) < 1000 and len(error.message_id) < 1000
        for text in (error.event_id, error.event_type):
            assert text is None or ("\0" not in text and len(text) <= 200)
        return
    assert all("\0" not in s for s in _strings([event.id, event.source, event.type, event.data]))
    assert event.subject is None or ("\0" not in event.subject and len(event.subject) <= 200)
    assert max(len(event.id), len(event.type), len(event.source)) <= 200
    assert (
        dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        <= event.time
        < dt.datetime(2101, 1, 1, tzinfo=dt.UTC)
    )


def _fields_of(event_type: str) -> st.SearchStrategy[dict[str, object]]:
    """Every field of the type's model, each any JSON value (nested models' fields too)."""
    return st.fixed_dictionaries({name: _JSON for name in INGEST_TYPES[event_type].model_fields})


@settings(max_examples=150, deadline=None, database=None)
@given(data=st.data(), event_type=st.sampled_from(sorted(INGEST_TYPES)))
def test_any_data_validates_or_is_refused_with_a_reason_never_another_error(data, event_type):
    fields = data.draw(_fields_of(event_type) | _JSON)
    with contextlib.suppress(EnvelopeError):
        body = json.dumps(_event(type=event_type, data=fields)).encode()
        validate_data(parse_record(POS, body, STRUCTURED), INGEST_TYPES[event_type])
