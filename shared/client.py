"""A small publisher client: what a province's own system uses to send valid ingest events and
read their outcomes. Data is validated against the v1 models before anything is sent, and event
ids are derived from content so that sending the same thing twice is a recognised duplicate."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import AsyncGenerator, Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pydantic import BaseModel

from shared.envelope import STRUCTURED_HEADERS, CloudEvent, to_structured
from shared.events import ingest
from shared.events.feedback import (
    COHORT_RESULTS_TYPE,
    FEEDBACK_TYPE,
    NOTICE_TYPE,
    OUTCOMES_TYPE,
    REMINDER_TYPE,
    CohortResults,
    ComplianceReminder,
    IngestOutcome,
    IngestOutcomes,
    Notice,
)
from shared.log_end import LogEnds
from shared.settings import InfraSettings
from shared.topics import feedback_topic, ingest_topic, physical, publisher_source

FeedbackMessage = IngestOutcome | Notice | ComplianceReminder
_TYPE_OF: dict[type[BaseModel], str] = {model: name for name, model in ingest.INGEST_TYPES.items()}
_NAMESPACE = uuid.UUID("6f1d3c2e-8a51-4c7e-9a0b-2d9c7e5b1a40")


def content_id(publisher: str, event_type: str, data: BaseModel) -> str:
    """A stable id for this content: the same row published twice gets the same id."""
    body = json.dumps(data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(f"{publisher}|{event_type}|{body}".encode()).hexdigest()
    return str(uuid.uuid5(_NAMESPACE, digest))


def build_event(
    publisher: str, data: BaseModel, *, time: dt.datetime | None = None, event_id: str | None = None
) -> CloudEvent:
    event_type = _TYPE_OF[type(data)]
    code = getattr(data, "cohort_code", None)
    return CloudEvent(
        id=event_id or content_id(publisher, event_type, data),
        source=publisher_source(publisher),
        type=event_type,
        time=time or dt.datetime.now(dt.UTC),
        data=data.model_dump(mode="json", exclude_none=True),
        subject=code,
    )


def partition_key(event: CloudEvent) -> bytes | None:
    """What keeps a publisher's events in order: the cohort code, or a roster row's NIP (one
    ASN's rows must arrive in the order sent)."""
    key = event.subject or (event.data or {}).get("nip")
    return str(key).encode() if key else None


class PublisherClient:
    """Sends a publisher's events to its ingest topic, keyed by cohort code (keeps order)."""

    def __init__(self, publisher: str, infra: InfraSettings | None = None) -> None:
        self.publisher = publisher
        self.infra = infra or InfraSettings()
        self._producer: AIOKafkaProducer | None = None

    async def __aenter__(self) -> PublisherClient:
        self._producer = AIOKafkaProducer(**self.infra.kafka_client_config(), acks="all")
        try:
            await self._producer.start()
        except BaseException:
            # A producer that failed to start still holds its client: close it, no warning.
            await self._producer.stop()
            raise
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def send(self, events: Iterable[CloudEvent]) -> None:
        assert self._producer is not None, "use `async with PublisherClient(...)`"
        topic = physical(self.infra.kafka_topic_namespace, ingest_topic(self.publisher))
        sent = [
            await self._producer.send(
                topic,
                to_structured(e),
                key=partition_key(e),
                headers=STRUCTURED_HEADERS,
            )
            for e in events
        ]
        for future in sent:
            await future

    async def publish(self, *data: BaseModel, time: dt.datetime | None = None) -> list[str]:
        events = [build_event(self.publisher, d, time=time) for d in data]
        await self.send(events)
        return [e.id for e in events]


async def follow_feedback(
    publisher: str, infra: InfraSettings | None = None, from_beginning: bool = True
) -> AsyncGenerator[IngestOutcome]:
    """Yield the outcomes on the publisher's feedback topic (notices are skipped)."""
    stream = follow_feedback_messages(publisher, infra, from_beginning)
    async with contextlib.aclosing(stream):
        async for message in stream:
            if isinstance(message, IngestOutcome):
                yield message


async def follow_feedback_messages(
    publisher: str, infra: InfraSettings | None = None, from_beginning: bool = True
) -> AsyncGenerator[FeedbackMessage]:
    """Yield everything on the publisher's feedback topic: outcomes, notices, reminders."""
    infra = infra or InfraSettings()
    consumer = AIOKafkaConsumer(
        physical(infra.kafka_topic_namespace, feedback_topic(publisher)),
        **infra.kafka_client_config(),
        enable_auto_commit=False,
        auto_offset_reset="earliest" if from_beginning else "latest",
    )
    await consumer.start()
    try:
        async for record in consumer:
            for message in _feedback_messages(record.value or b"{}"):
                yield message
    finally:
        await consumer.stop()


async def read_feedback(
    publisher: str, infra: InfraSettings | None = None
) -> AsyncGenerator[FeedbackMessage]:
    """Everything on the publisher's feedback topic up to its end when called (outcomes one by
    one, notices and reminders as they are), in each partition's order; then it stops."""
    infra = infra or InfraSettings()
    topic = physical(infra.kafka_topic_namespace, feedback_topic(publisher))
    # No group: reading the history must not move the publisher's own committed offsets.
    consumer = AIOKafkaConsumer(
        topic,
        **infra.kafka_client_config(),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=100,
    )
    await consumer.start()
    try:
        partitions = await _assigned(consumer)
        ends = await LogEnds.now(consumer, partitions)
        while waiting := await ends.unread(consumer, partitions):
            # Short: an empty partition is done at the first fetch answer (its high watermark).
            batches = await consumer.getmany(*waiting, timeout_ms=200)
            for records in batches.values():
                for record in records:
                    for message in _feedback_messages(record.value or b"{}"):
                        yield message
    finally:
        await consumer.stop()


async def _assigned(consumer: AIOKafkaConsumer, timeout: float = 10.0) -> list[TopicPartition]:
    """The partitions a group-less consumer takes once it has the topic's metadata."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not consumer.assignment():
        if asyncio.get_running_loop().time() > deadline:
            return []
        await asyncio.sleep(0.1)
    return sorted(consumer.assignment())


def _feedback_messages(value: bytes) -> list[FeedbackMessage]:
    body: dict[str, Any] = json.loads(value)
    kind, data = body.get("type"), body.get("data")
    if kind == OUTCOMES_TYPE:
        return list(IngestOutcomes.model_validate(data).each())
    if kind == FEEDBACK_TYPE:
        return [IngestOutcome.model_validate(data)]
    if kind == NOTICE_TYPE:
        return [Notice.model_validate(data)]
    if kind == COHORT_RESULTS_TYPE:
        return list(CohortResults.model_validate(data).each())
    if kind == REMINDER_TYPE:
        return [ComplianceReminder.model_validate(data)]
    return []
