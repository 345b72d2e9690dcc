"""Kafka plumbing: the FastStream broker, batch subscriptions wired to the consumer core,
the outbox producer, and topic administration (publisher onboarding)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.middlewares import AckPolicy

from shared.consumer import Record
from shared.logging import get_logger
from shared.retry import REDELIVERY_PAUSE_S
from shared.settings import InfraSettings, ServiceSettings
from shared.topics import (
    DOMAIN_TOPICS,
    UNLIMITED_RETENTION,
    feedback_topic,
    ingest_topic,
    kept_forever,
    physical,
    physical_pattern,
)

log = get_logger(__name__)


def build_broker(infra: InfraSettings, settings: ServiceSettings) -> KafkaBroker:
    client = infra.kafka_client_config()
    return KafkaBroker(
        client.pop("bootstrap_servers"),  # type: ignore[arg-type]
        # Pattern subscriptions see a new publisher's topic at the next metadata refresh.
        metadata_max_age_ms=settings.metadata_max_age_ms,
        **_security_kwargs(client),
        logger=None,
    )


def _security_kwargs(client: dict[str, object]) -> dict[str, Any]:
    from faststream.security import SASLPlaintext, SASLScram256, SASLScram512

    mechanism = client.get("sasl_mechanism")
    if mechanism is None:
        return {}
    user, password = str(client["sasl_plain_username"]), str(client["sasl_plain_password"])
    classes = {"PLAIN": SASLPlaintext, "SCRAM-SHA-256": SASLScram256, "SCRAM-SHA-512": SASLScram512}
    return {"security": classes[str(mechanism)](user, password)}


async def _tolerant_parser(message: Any, original: Any) -> Any:
    """FastStream's message for a batch, built from its first record only: the core reads the
    raw records itself, while FastStream would decode every record's headers into a dict (a
    batch's worth of garbage). FastStream decodes headers as strict UTF-8, and a hostile header
    would crash the consumer before our code could reject it: then a cleaned copy is parsed.
    The raw records are handed on either way (acknowledging and seeking back use them)."""
    batch = isinstance(message, tuple)
    head = message[:1] if batch else message
    try:
        parsed = await original(head)
    except UnicodeDecodeError:
        first = head[0] if batch else head
        cleaned = dataclasses.replace(
            first,
            headers=[
                (k, v.decode(errors="replace").encode() if v is not None else b"")
                for k, v in first.headers
            ],
        )
        parsed = await original((cleaned,) if batch else cleaned)
    parsed.raw_message = message
    return parsed


async def _no_decode(message: Any, original: Any) -> None:
    return None  # the consumer core parses raw records itself


BatchRun = Callable[[Sequence[Record]], Awaitable[object]]


def subscribe_batches(
    broker: KafkaBroker,
    process: BatchRun,
    settings: ServiceSettings,
    *,
    group_id: str,
    namespace: str = "",
    topics: Sequence[str] = (),
    pattern: str | None = None,
    title: str | None = None,
    description: str | None = None,
) -> None:
    """Subscribe a batch consumer whose offsets are committed only after the DB commit;
    `process` (the consumer core) runs each batch."""
    subscriber = broker.subscriber(
        *(physical(namespace, t) for t in topics),
        pattern=physical_pattern(namespace, pattern) if pattern else None,
        batch=True,
        group_id=group_id,
        max_records=settings.batch_max_records,
        batch_timeout_ms=settings.batch_timeout_ms,
        fetch_max_wait_ms=settings.fetch_max_wait_ms,
        fetch_max_bytes=settings.fetch_max_bytes,
        auto_offset_reset=settings.auto_offset_reset,
        session_timeout_ms=settings.session_timeout_ms,
        heartbeat_interval_ms=settings.heartbeat_interval_ms,
        # ACK after the handler returned (DB committed); on error NACK seeks back, so the
        # batch is redelivered and the inbox makes the replay harmless.
        ack_policy=AckPolicy.NACK_ON_ERROR,
        parser=_tolerant_parser,
        decoder=_no_decode,
        title=title,
        description=description,
    )

    @subscriber
    async def handle_batch(message: KafkaMessage) -> None:
        records: tuple[ConsumerRecord[bytes, bytes], ...] = message.raw_message
        try:
            await process(records)
        except Exception:
            await asyncio.sleep(REDELIVERY_PAUSE_S)  # then NACK: sought back, redelivered
            raise


def build_producer(infra: InfraSettings) -> AIOKafkaProducer:
    # The relay sends outbox rows in bursts: large batches mean few produce requests.
    return AIOKafkaProducer(
        **infra.kafka_client_config(),
        acks="all",
        linger_ms=5,
        max_batch_size=262_144,
        max_request_size=2_097_152,
    )


TOPIC_ALREADY_EXISTS = 36  # Kafka protocol error code
ADMIN_STEP_TIMEOUT_S = 10.0
_UNCHECKED_BROKERS: set[str] = set()  # brokers that cannot describe configs (Tansu): warned once


async def ensure_topics(
    infra: InfraSettings, topics: Sequence[str], partitions: int = 6
) -> list[str]:
    """Create what does not exist yet (logical names); returns the topics created. The topics
    the read model is rebuilt from are created keeping every record (`UNLIMITED_RETENTION`);
    where they exist already their retention is checked, and a warning names any that does
    not keep everything (the rebuild would refuse once its first records are deleted)."""
    forever = {physical(infra.kafka_topic_namespace, t): kept_forever(t) for t in topics}
    admin = AIOKafkaAdminClient(**infra.kafka_client_config())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in forever if t not in existing]
        if missing:
            response = await admin.create_topics(
                [
                    NewTopic(
                        t, partitions, 1, topic_configs=UNLIMITED_RETENTION if forever[t] else {}
                    )
                    for t in missing
                ]
            )
            for error in response.to_object()["topic_errors"]:
                if error["error_code"] not in (0, TOPIC_ALREADY_EXISTS):  # a concurrent creator won
                    log.warning(
                        "topik tidak dapat dibuat / topic could not be created",
                        topic=error["topic"],
                        error_code=error["error_code"],
                        error=error.get("error_message"),
                    )
        await _check_retention(
            admin,
            infra.kafka_bootstrap_servers,
            [t for t in forever if forever[t] and t in existing],
        )
        return missing
    finally:
        await admin.close()


async def _check_retention(admin: AIOKafkaAdminClient, broker: str, topics: list[str]) -> None:
    if not topics or broker in _UNCHECKED_BROKERS:
        return
    wanted = dict.fromkeys(UNLIMITED_RETENTION)
    try:
        responses = await asyncio.wait_for(
            admin.describe_configs(
                [ConfigResource(ConfigResourceType.TOPIC, t, wanted) for t in topics]
            ),
            ADMIN_STEP_TIMEOUT_S,
        )
    except (KafkaError, OSError, TimeoutError) as exc:
        # Tansu closes the connection on DescribeConfigs: go on without the check there.
        _UNCHECKED_BROKERS.add(broker)
        log.warning(
            "retensi topik tidak dapat diperiksa di broker ini / topic retention cannot be "
            "checked on this broker",
            topics=topics,
            error=type(exc).__name__,
        )
        return
    for response in responses:
        for resource in response.to_object()["resources"]:
            topic = resource["resource_name"]
            if resource["error_code"]:  # e.g. not authorised to describe it
                log.warning(
                    "retensi topik tidak dapat diperiksa / topic retention could not be checked",
                    topic=topic,
                    error_code=resource["error_code"],
                )
                continue
            values = {e["config_names"]: e["config_value"] for e in resource["config_entries"]}
            if all(values.get(k) == v for k, v in UNLIMITED_RETENTION.items()):
                continue
            log.warning(
                "topik tidak menyimpan semua rekamannya: `diklat rebuild` akan menolak setelah "
                "rekaman pertamanya dihapus; atur retention.ms=-1 dan retention.bytes=-1 / topic "
                "does not keep all its records: `diklat rebuild` will refuse once its first "
                "records are deleted; set retention.ms=-1 and retention.bytes=-1",
                topic=topic,
                retention_ms=values.get("retention.ms"),
                retention_bytes=values.get("retention.bytes"),
                fix=f"kafka-configs.sh --bootstrap-server {broker} --alter --entity-type topics "
                f"--entity-name {topic} --add-config retention.ms=-1,retention.bytes=-1",
            )


async def onboard_publisher(infra: InfraSettings, publisher: str, partitions: int = 6) -> list[str]:
    """One admin step per publisher: its ingest and feedback topics (and the domain topics, so
    that a new cluster is complete after its first onboarding)."""
    return await ensure_topics(
        infra, [*DOMAIN_TOPICS, ingest_topic(publisher), feedback_topic(publisher)], partitions
    )
