"""A Kafka record as the core sees it: an event for the routes, an envelope error, or nothing."""

from __future__ import annotations

from collections.abc import Container, Sequence
from typing import Any, Protocol

from shared.consumer.phases import Item
from shared.envelope import EnvelopeError, RecordPosition, check_source, event_of, record_attributes
from shared.events.ingest import INGEST_TYPES
from shared.logging import get_logger
from shared.reasons import ReasonCode
from shared.topics import INGEST_PREFIX, logical

log = get_logger("shared.consumer")


class Record(Protocol):
    """What the core needs of an aiokafka ConsumerRecord."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


def read(
    record: Record, namespace: str, routed: Container[str], reports_envelope_errors: bool
) -> Item | None:
    """The record as an event of a `routed` type, an envelope error to report (where this
    consumer reports them), or None: a type it does not follow, or a domain record unreadable.
    A consumer that reports nothing passes over a type it does not follow unchecked: a broken
    domain record of that type is logged by the services that follow it, not by this one."""
    topic = logical(namespace, record.topic)
    position = RecordPosition(topic, record.partition, record.offset)
    is_ingest = topic.startswith(INGEST_PREFIX)
    try:
        attributes = record_attributes(record.value, record.headers)
        if not reports_envelope_errors and _unfollowed(attributes, routed):
            # Most of a topic is often of types others follow (certification reads every
            # attendance mark): passed over before an event is built (bench/notes.md).
            return None
        event = event_of(attributes, position)
        if is_ingest:
            check_source(event, topic)
    except EnvelopeError as error:
        error.position = position
        if not is_ingest:
            # Our own services wrote it: a bug to see, not a publisher's error to report.
            log.error(
                "domain record unreadable; skipped",
                record=position.reference(),
                reason=error.code.value,
                error=str(error),
            )
        return error if reports_envelope_errors and is_ingest else None
    if event.type in routed:
        return event
    if reports_envelope_errors and is_ingest and event.type not in INGEST_TYPES:
        unknown = EnvelopeError(
            ReasonCode.UNKNOWN_TYPE,
            f"unknown event type {event.type!r}",
            f"jenis event {event.type!r} tidak dikenal",
            event_id=event.id,
            event_type=event.type,
        )
        unknown.position = position
        return unknown
    return None


def _unfollowed(attributes: dict[str, Any], routed: Container[str]) -> bool:
    """A string type this consumer does not follow; any other `type` goes on to `event_of`
    (logged as unreadable on a domain topic, dropped on an ingest one)."""
    event_type = attributes.get("type")
    return type(event_type) is str and event_type not in routed
