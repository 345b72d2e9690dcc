"""CloudEvents 1.0 over Kafka: parse structured or binary mode records, build structured ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from shared.events.explain import explain
from shared.reasons import DEFAULT_MESSAGES, ReasonCode
from shared.topics import publisher_of_topic, publisher_source

STRUCTURED_CONTENT_TYPE = "application/cloudevents+json"
JSON_CONTENT_TYPES = ("application/json", "text/json")
# Below the broker's 1 MB default so a record the broker accepts can still be refused here;
# the largest legitimate event (500 sessions with titles) is ~250 KB.
MAX_RECORD_BYTES = 524_288
MAX_ID_LENGTH = 200
# type, source and subject are names and codes; a longer one is an error, and echoing it in
# feedback (500 outcomes a message) could pass the broker's message limit.
MAX_NAME_LENGTH = 200
# orjson reads 1,024 levels but writes 254, and a parked event is written back (jsonb) whole;
# a valid event nests 4.
MAX_DEPTH = 254
# What Postgres and Python can both hold of a date, narrowed to the cohorts' years (the
# schedule's `year` is 2000-2100): 0001-01-01 00:00 WIB is year 0 in UTC and overflows.
EARLIEST_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST_TIME = dt.datetime(2101, 1, 1, tzinfo=dt.UTC)
M = TypeVar("M", bound=BaseModel)
_REQUIRED = ("id", "source", "type", "specversion")
_KNOWN = frozenset({*_REQUIRED, "time", "subject", "data", "datacontenttype", "dataschema"})


class RecordPosition(NamedTuple):
    """Where a record sits in Kafka; names an event whose own id could not be read. (A tuple:
    one is built per record, at a third of a frozen dataclass's cost.)"""

    topic: str
    partition: int
    offset: int

    def reference(self) -> str:
        return f"{self.topic}/{self.partition}/{self.offset}"


# Not frozen: one is built per record consumed and per event emitted, and a frozen
# dataclass's __init__ costs 2.5 us against 0.9 here. Nothing changes an event once built,
# except the rebuild's replay, which puts validated data in place before any handler runs.
@dataclass(slots=True)
class CloudEvent:
    id: str
    source: str
    type: str
    time: dt.datetime
    data: Any
    subject: str | None = None
    specversion: str = "1.0"
    position: RecordPosition | None = None
    extensions: Mapping[str, str] = field(default_factory=dict)

    @property
    def publisher(self) -> str | None:
        return self.source.removeprefix("/publishers/") if self.is_from_publisher else None

    @property
    def is_from_publisher(self) -> bool:
        return self.source.startswith("/publishers/")


class EnvelopeError(Exception):
    """A record that is not a usable CloudEvent; carries its reason code and what we know."""

    def __init__(
        self,
        code: ReasonCode,
        message_en: str,
        message_id: str | None = None,
        event_id: str | None = None,
        event_type: str | None = None,
    ) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_en = message_en
        self.message_id = message_id or DEFAULT_MESSAGES[code][0]
        self.event_id = event_id
        self.event_type = event_type
        self.position: RecordPosition | None = None  # set by the consumer that read the record


def parse_record(
    position: RecordPosition, value: bytes | None, headers: Sequence[tuple[str, bytes]]
) -> CloudEvent:
    """Read one Kafka record as a CloudEvent, or raise EnvelopeError saying precisely why not."""
    return event_of(record_attributes(value, headers), position)


def record_attributes(value: bytes | None, headers: Sequence[tuple[str, bytes]]) -> dict[str, Any]:
    """A record's CloudEvent attributes (`data` among them), or EnvelopeError for what the record
    itself gets wrong (size, headers, JSON, NUL, depth); `event_of` checks the attributes. Apart,
    so a consumer can pass over a type it does not follow before building its event."""
    if value is not None and len(value) > MAX_RECORD_BYTES:
        raise EnvelopeError(
            ReasonCode.MALFORMED, f"record of {len(value)} bytes exceeds {MAX_RECORD_BYTES} bytes"
        )
    header_map = _decode_headers(headers)
    if "ce_specversion" in header_map:
        attributes = _binary_attributes(header_map, value)
        suspect = any("\x00" in v for k, v in header_map.items() if k.startswith("ce_"))
    else:
        attributes = _structured_attributes(header_map, value)
        suspect = False
    # Postgres stores no NUL in text or jsonb, and a NUL in an id or a cohort code fails the
    # core's own statements (the cohort lock, the inbox), where no savepoint can isolate the
    # event: refused here, before anything is written. Byte scans keep the checks off the hot
    # path: JSON can only spell NUL as \u0000, and nesting deeper than MAX_DEPTH takes more
    # brackets than that (twice as many bytes: a registration is smaller).
    if suspect or (value is not None and b"\\u0000" in value):
        _refuse_nul(attributes)
    if (
        value is not None
        and len(value) > 2 * MAX_DEPTH
        and value.count(b"{") + value.count(b"[") > MAX_DEPTH
    ):
        try:
            orjson.dumps(attributes)  # what writing it as jsonb (a parked event) would do
        except orjson.JSONEncodeError:
            raise _invalid(
                attributes,
                f"the event nests deeper than {MAX_DEPTH} levels",
                f"event bersarang lebih dari {MAX_DEPTH} tingkat",
            ) from None
    return attributes


def check_source(event: CloudEvent, topic: str) -> None:
    publisher = publisher_of_topic(topic)
    if publisher is None or event.source != publisher_source(publisher):
        raise EnvelopeError(
            ReasonCode.SOURCE_MISMATCH,
            f"source {event.source!r} may not publish on topic {topic!r}",
            f"source {event.source!r} tidak boleh menerbitkan di topik {topic!r}",
            event_id=event.id,
            event_type=event.type,
        )


def validate_data(event: CloudEvent, model: type[M]) -> M:
    """The event's `data` as `model`, or SCHEMA_INVALID naming each field (never its value)."""
    try:
        data = model.model_validate(event.data)
    except ValidationError as exc:
        message_id, message_en = describe_validation_error(exc)
        raise EnvelopeError(
            ReasonCode.SCHEMA_INVALID,
            message_en,
            message_id,
            event_id=event.id,
            event_type=event.type,
        ) from None
    # From the instance's fields: a pydantic model's failed attribute lookup raises, and a roster
    # row (no cohort) paid that on every event.
    subject_code = data.__dict__.get("cohort_code")
    if event.subject is not None and subject_code is not None and event.subject != subject_code:
        raise EnvelopeError(
            ReasonCode.SCHEMA_INVALID,
            f"subject {event.subject!r} differs from data.cohort_code",
            f"subject {event.subject!r} berbeda dengan data.cohort_code",
            event_id=event.id,
            event_type=event.type,
        )
    return data


def describe_validation_error(exc: ValidationError, limit: int = 5) -> tuple[str, str]:
    """(Indonesian, English): each field's path, what is wrong and the expected form with an
    example (shared.events.explain); input values are left out: they may be personal data."""
    parts_id, parts_en = [], []
    for error in exc.errors(include_input=False, include_url=False)[:limit]:
        where = ".".join(["data", *(str(p) for p in error["loc"])])
        said_id, said_en = explain(error)
        parts_id.append(f"{where}: {said_id}")
        parts_en.append(f"{where}: {said_en}")
    more = exc.error_count() - limit
    if more > 0:
        parts_id.append(f"dan {more} lagi")
        parts_en.append(f"and {more} more")
    return " | ".join(parts_id), " | ".join(parts_en)


def to_structured(event: CloudEvent) -> bytes:
    body: dict[str, Any] = {
        "specversion": event.specversion,
        "id": event.id,
        "source": event.source,
        "type": event.type,
        "time": event.time.isoformat(),
        "datacontenttype": "application/json",
        "data": event.data,
    }
    if event.subject is not None:
        body["subject"] = event.subject
    body.update(event.extensions)
    return orjson.dumps(body, default=str)


STRUCTURED_HEADERS = [("content-type", STRUCTURED_CONTENT_TYPE.encode())]


def _decode_headers(headers: Sequence[tuple[str, bytes]]) -> dict[str, str]:
    decoded: dict[str, str] = {}
    for key, raw in headers:
        try:
            decoded[key.lower()] = raw.decode() if raw is not None else ""
        except UnicodeDecodeError:
            raise EnvelopeError(
                ReasonCode.MALFORMED, f"header {_shown(key)} is not UTF-8"
            ) from None
    return decoded


def _json_body(value: bytes | None) -> Any:
    if value is None:
        raise EnvelopeError(ReasonCode.MALFORMED, "record has no value (tombstone)")
    try:
        # orjson: strict RFC 8259 (no NaN, UTF-8 only), and the parse is a hot-path cost.
        return orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise EnvelopeError(ReasonCode.MALFORMED, f"value is not valid JSON: {exc}") from None


def _structured_attributes(headers: Mapping[str, str], value: bytes | None) -> dict[str, Any]:
    content_type = headers.get("content-type", STRUCTURED_CONTENT_TYPE).split(";")[0].strip()
    if content_type not in (STRUCTURED_CONTENT_TYPE, *JSON_CONTENT_TYPES):
        raise EnvelopeError(
            ReasonCode.MALFORMED,
            f"content-type {_shown(content_type)} is neither {STRUCTURED_CONTENT_TYPE!r} "
            "nor binary mode (ce_* headers)",
        )
    body = _json_body(value)
    if not isinstance(body, dict):
        raise EnvelopeError(ReasonCode.MALFORMED, "structured CloudEvent must be a JSON object")
    return body


def _binary_attributes(headers: Mapping[str, str], value: bytes | None) -> dict[str, Any]:
    attributes: dict[str, Any] = {k[3:]: v for k, v in headers.items() if k.startswith("ce_")}
    content_type = headers.get("content-type", "application/json").split(";")[0].strip()
    if content_type not in JSON_CONTENT_TYPES:
        raise EnvelopeError(
            ReasonCode.MALFORMED,
            f"binary-mode data must be application/json, not {_shown(content_type)}",
            event_id=_usable(attributes.get("id"), MAX_ID_LENGTH),
            event_type=_usable(attributes.get("type"), MAX_NAME_LENGTH),
        )
    attributes["data"] = _json_body(value)
    return attributes


def _refuse_nul(attributes: dict[str, Any]) -> None:
    """SCHEMA_INVALID naming where a NUL is (never the value)."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(attributes, ())]
    while stack:
        node, path = stack.pop()
        if type(node) is str:
            if "\x00" in node:
                raise _nul(attributes, _where(path))
        elif type(node) is dict:
            for key, child in node.items():
                if "\x00" in key:
                    raise _nul(attributes, f"a field name in {_where(path)}")
                stack.append((child, (*path, key)))
        elif type(node) is list:
            stack.extend((child, (*path, str(i))) for i, child in enumerate(node))


def _where(path: tuple[str, ...]) -> str:
    # Field names only (a publisher's own names, not personal data), cut to a readable length.
    where = ".".join(path) or "the event"
    return where if len(where) <= 100 else where[:100] + "..."


def _nul(attributes: dict[str, Any], where: str) -> EnvelopeError:
    return _invalid(
        attributes,
        f"{where} contains the NUL character (\\u0000), which cannot be stored: remove it",
        f"{where} berisi karakter NUL (\\u0000) yang tidak dapat disimpan: hapus karakter itu",
    )


def event_of(attributes: dict[str, Any], position: RecordPosition) -> CloudEvent:
    """The event `record_attributes` read, or EnvelopeError naming the attribute at fault."""
    # The hot path (every record of every service) checks what a valid event needs and only
    # then, on failure, works out the message.
    event_id, source, event_type = (
        attributes.get("id"),
        attributes.get("source"),
        attributes.get("type"),
    )
    if not (
        type(event_id) is str
        and type(source) is str
        and type(event_type) is str
        and event_id
        and source
        and event_type
        and attributes.get("specversion") == "1.0"
        and len(event_id) <= MAX_ID_LENGTH
        and len(source) <= MAX_NAME_LENGTH
        and len(event_type) <= MAX_NAME_LENGTH
    ):
        raise _invalid_attributes(attributes)
    subject = attributes.get("subject")
    if subject is not None and (type(subject) is not str or len(subject) > MAX_NAME_LENGTH):
        raise _invalid(
            attributes,
            f"subject must be a string of at most {MAX_NAME_LENGTH} characters",
            f"subject harus berupa teks paling panjang {MAX_NAME_LENGTH} karakter",
        )
    return CloudEvent(
        id=event_id,
        source=source,
        type=event_type,
        time=_event_time(attributes),
        data=attributes.get("data"),
        subject=subject,
        position=position,
        extensions=(
            _NO_EXTENSIONS
            if attributes.keys() <= _KNOWN
            else {k: str(v) for k, v in attributes.items() if k not in _KNOWN}
        ),
    )


_NO_EXTENSIONS: Mapping[str, str] = MappingProxyType({})


def _invalid(
    attributes: dict[str, Any], message: str, message_id: str | None = None
) -> EnvelopeError:
    return EnvelopeError(
        ReasonCode.SCHEMA_INVALID,
        message,
        message_id or "atribut CloudEvent tidak valid: " + message,
        # Only an id the inbox can key and the feedback can echo; else the record's position.
        event_id=_usable(attributes.get("id"), MAX_ID_LENGTH),
        event_type=_usable(attributes.get("type"), MAX_NAME_LENGTH),
    )


def _shown(value: object) -> str:
    """A value as echoed in a message: cut short, as a whole outcome must fit a feedback
    message (a 500 KB attribute echoed in both languages would pass the broker's limit)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."


def _usable(value: Any, limit: int) -> str | None:
    if type(value) is str and value and len(value) <= limit and "\x00" not in value:
        return value
    return None


def _invalid_attributes(attributes: dict[str, Any]) -> EnvelopeError:
    missing = [
        name
        for name in _REQUIRED
        if not isinstance(attributes.get(name), str) or not attributes[name]
    ]
    if missing:
        message = f"missing or non-string CloudEvents attribute(s): {', '.join(missing)}"
    elif attributes["specversion"] != "1.0":
        message = f"specversion {_shown(attributes['specversion'])} is not supported (use '1.0')"
    elif len(attributes["id"]) > MAX_ID_LENGTH:
        message = f"id longer than {MAX_ID_LENGTH} characters"
    else:
        message = f"source or type longer than {MAX_NAME_LENGTH} characters"
    return _invalid(attributes, message)


def _event_time(attributes: dict[str, Any]) -> dt.datetime:
    raw = attributes.get("time")
    if not isinstance(raw, str):
        raise _invalid(attributes, "time is required (RFC 3339 with offset)")
    try:
        parsed = dt.datetime.fromisoformat(raw)  # 3.11 reads "Z" and RFC 3339 offsets
    except ValueError:
        raise _invalid(attributes, f"time {_shown(raw)} is not RFC 3339") from None
    if parsed.tzinfo is None:
        raise _invalid(attributes, f"time {_shown(raw)} has no UTC offset")
    if not EARLIEST_TIME <= parsed < LATEST_TIME:
        raise _invalid(
            attributes,
            f"time {_shown(raw)} is not between the years 2000 and 2100",
            f"time {_shown(raw)} tidak di antara tahun 2000 dan 2100",
        )
    return parsed
