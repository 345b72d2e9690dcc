"""Test helpers: publish ingest events, read topics, run services, poll with a deadline."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared import db
from shared.envelope import STRUCTURED_HEADERS
from shared.events.feedback import (
    COHORT_RESULTS_TYPE,
    FEEDBACK_TYPE,
    NOTICE_TYPE,
    OUTCOMES_TYPE,
    CohortResults,
    IngestOutcomes,
)
from shared.kafka import ensure_topics, onboard_publisher
from shared.runtime import ServiceDefinition, ServiceRuntime
from shared.settings import InfraSettings, ServiceSettings
from shared.topics import DOMAIN_TOPICS, feedback_topic, ingest_topic, physical

T = Any


async def eventually(
    check: Callable[[], Awaitable[T]],
    timeout: float = 30.0,
    what: str = "condition",
    interval: float = 0.05,
) -> T:
    """Poll `check` until it returns something truthy; fail naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {last!r}")


class Publisher:
    """A publisher's producer: sends CloudEvents keyed by cohort code to its ingest topic."""

    def __init__(self, infra: InfraSettings) -> None:
        self.infra = infra
        self.producer = AIOKafkaProducer(
            **infra.kafka_client_config(), acks="all", max_request_size=8_000_000
        )

    async def __aenter__(self) -> Publisher:
        await self.producer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.producer.stop()

    async def send(self, publisher: str, *events: dict[str, Any], topic: str | None = None) -> None:
        for event in events:
            await self.send_raw(
                topic or ingest_topic(publisher),
                json.dumps(event).encode(),
                key=event.get("subject"),
            )

    async def send_raw(
        self,
        topic: str,
        value: bytes | None,
        key: str | None = None,
        headers: Sequence[tuple[str, bytes]] | None = None,
    ) -> None:
        await self.producer.send_and_wait(
            physical(self.infra.kafka_topic_namespace, topic),
            value=value,
            key=key.encode() if key else None,
            headers=list(STRUCTURED_HEADERS if headers is None else headers),
        )


class TopicReader:
    """Reads a topic from the beginning (no consumer group) and keeps the decoded events."""

    def __init__(self, infra: InfraSettings, topic: str) -> None:
        self.consumer = AIOKafkaConsumer(
            physical(infra.kafka_topic_namespace, topic),
            **infra.kafka_client_config(),
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        self.events: list[dict[str, Any]] = []

    async def __aenter__(self) -> TopicReader:
        await self.consumer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.consumer.stop()

    async def poll(self) -> list[dict[str, Any]]:
        batches = await self.consumer.getmany(timeout_ms=100)
        for records in batches.values():
            self.events.extend(json.loads(r.value) for r in records)
        return self.events

    async def wait_for(
        self,
        check: Callable[[list[dict[str, Any]]], bool],
        timeout: float = 30.0,
        what: str = "events",
    ) -> list[dict[str, Any]]:
        async def ready() -> list[dict[str, Any]] | None:
            events = await self.poll()
            return events if check(events) else None

        result: list[dict[str, Any]] = await eventually(ready, timeout, what)
        return result

    def of_type(self, suffix: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"].endswith(suffix)]

    def within(self, suffix: str, field: str) -> list[dict[str, Any]]:
        """The entries of a per-cohort event's list (`decisions`, `certificates`, ...) across
        every event of that type, in order."""
        return [entry for e in self.of_type(suffix) for entry in e["data"][field]]


class Feedback(TopicReader):
    """A publisher's feedback topic: outcome per ingest event id.

    `events` holds notices as sent and each outcome of a batched (v2) message on its own, in
    the per-event (v1) shape, so tests read outcomes one by one in the order decided."""

    def __init__(self, infra: InfraSettings, publisher: str) -> None:
        super().__init__(infra, feedback_topic(publisher))

    async def poll(self) -> list[dict[str, Any]]:
        batches = await self.consumer.getmany(timeout_ms=100)
        for records in batches.values():
            for record in records:
                self.events.extend(per_outcome(json.loads(record.value)))
        return self.events

    def outcomes(self, service: str | None = None) -> dict[str, dict[str, Any]]:
        return {
            e["data"]["event_id"]: e["data"]
            for e in self.events
            if e["type"] == FEEDBACK_TYPE and (service is None or e["data"]["service"] == service)
        }

    def notices(self, kind: str) -> list[dict[str, Any]]:
        """The data of every notice of this kind read so far (certificate issued, ...), a
        cohort's results read as one notice per participant, as the publisher's tools read it."""
        notices = []
        for e in self.events:
            if e["type"] == NOTICE_TYPE:
                notices.append(e["data"])
            elif e["type"] == COHORT_RESULTS_TYPE:
                each = CohortResults.model_validate(e["data"]).each()
                notices += [n.model_dump(mode="json") for n in each]
        return [n for n in notices if n["kind"] == kind]

    async def wait_for_outcomes(
        self,
        event_ids: Sequence[str],
        service: str | None = None,
        timeout: float = 30.0,
        final: bool = True,
    ) -> dict[str, dict[str, Any]]:
        """Wait until each id has an outcome (a final one unless `final=False`)."""

        def done(_: list[dict[str, Any]]) -> bool:
            outcomes = self.outcomes(service)
            return all(
                i in outcomes and (not final or outcomes[i]["outcome"] != "parked")
                for i in event_ids
            )

        await self.wait_for(done, timeout, f"outcomes of {len(event_ids)} events")
        return {i: self.outcomes(service)[i] for i in event_ids}


def per_outcome(message: dict[str, Any]) -> list[dict[str, Any]]:
    """A feedback message as per-event entries: each outcome of a v2 batch in the v1 shape."""
    if message.get("type") != OUTCOMES_TYPE:
        return [message]
    batch = IngestOutcomes.model_validate(message["data"])
    return [
        {**message, "type": FEEDBACK_TYPE, "data": o.model_dump(mode="json")} for o in batch.each()
    ]


def test_settings(service: str, **overrides: Any) -> ServiceSettings:
    defaults: dict[str, Any] = {
        "http_port": 0,
        "session_timeout_ms": 6000,
        "heartbeat_interval_ms": 500,
        "batch_timeout_ms": 20,
        "outbox_poll_interval_s": 0.2,
        "park_sweep_interval_s": 0.2,
        "metadata_max_age_ms": 1000,
    }
    defaults.update(overrides)
    return ServiceSettings.for_service(service, **defaults)


async def prepare_topics(infra: InfraSettings, publishers: Sequence[str]) -> None:
    """Onboard the publishers and create the domain topics before services subscribe."""
    await ensure_topics(infra, DOMAIN_TOPICS)
    for publisher in publishers:
        await onboard_publisher(infra, publisher)


@contextlib.asynccontextmanager
async def running(
    definition: ServiceDefinition, infra: InfraSettings, **overrides: Any
) -> AsyncIterator[ServiceRuntime]:
    """A service started in this process (consumers, relay, sweeper); HTTP via `runtime.http_app()`
    with httpx.ASGITransport."""
    runtime = ServiceRuntime(definition, infra, test_settings(definition.name, **overrides))
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


async def wait_until_assigned(runtime: ServiceRuntime, timeout: float = 30.0) -> None:
    """Wait until every consumer of the service has partitions (group join done)."""

    async def assigned() -> bool:
        subscribers = list(runtime.broker.subscribers)
        return all(
            bool(s.consumer and s.consumer.assignment())  # type: ignore[attr-defined]
            for s in subscribers
        )

    await eventually(assigned, timeout, f"{runtime.name} consumers assigned")


@contextlib.asynccontextmanager
async def core_schema(infra: InfraSettings, schema: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh schema holding only the shared tables (inbox, outbox, parking)."""
    admin = await asyncpg.connect(infra.database_url)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        await db.migrate(admin, schema, db.service_migrations(schema, None))
    finally:
        await admin.close()
    pool = await db.create_pool(infra.database_url, schema, max_size=2)
    try:
        yield pool
    finally:
        await pool.close()
