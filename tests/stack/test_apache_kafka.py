"""Reference Apache Kafka: round trip, restart without loss, SASL/SCRAM and prefixed ACLs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.conn import create_conn
from aiokafka.errors import (
    KafkaConnectionError,
    SaslAuthenticationFailed,
    TopicAuthorizationFailedError,
)

from diklat.stack.apache_kafka import ApacheKafka

from .conftest import ADMIN_PASSWORD, assert_gone, consume_one

pytestmark = pytest.mark.integration


async def produce(config: Mapping[str, Any], topic: str, value: bytes) -> TopicPartition:
    producer = AIOKafkaProducer(**config, request_timeout_ms=10000)
    await producer.start()
    try:
        meta = await producer.send_and_wait(topic, value, key=b"k")
    finally:
        await producer.stop()
    return TopicPartition(meta.topic, meta.partition)


async def test_round_trip_and_restart_keeps_the_record(kafka: ApacheKafka) -> None:
    config = kafka.client_config()
    assert config == {"bootstrap_servers": f"127.0.0.1:{kafka.port}"}
    tp = await produce(config, "stack.kafka.restart", b"survives")
    assert await consume_one(config, tp) == (b"k", b"survives")

    old_pid = kafka.pid()
    kafka.restart()
    assert_gone(old_pid)
    assert kafka.pid() not in (None, old_pid)
    assert await consume_one(config, tp) == (b"k", b"survives")

    kafka.start()  # idempotent
    pid = kafka.pid()
    kafka.stop()
    assert_gone(pid)
    assert not kafka.is_running()


async def test_sasl_admin_can_produce(sasl_kafka: ApacheKafka) -> None:
    admin = sasl_kafka.client_config("admin", ADMIN_PASSWORD)
    assert admin["security_protocol"] == "SASL_PLAINTEXT"
    assert admin["sasl_mechanism"] == "SCRAM-SHA-256"
    tp = await produce(admin, "stack.sasl.admin", b"hello")
    assert await consume_one(admin, tp) == (b"k", b"hello")
    sha512 = sasl_kafka.client_config("admin", ADMIN_PASSWORD, mechanism="SCRAM-SHA-512")
    assert await consume_one(sha512, tp) == (b"k", b"hello")


async def test_sasl_wrong_password_is_refused(
    sasl_kafka: ApacheKafka, caplog: pytest.LogCaptureFixture
) -> None:
    # The connection itself reports the broker's verdict ...
    with pytest.raises(SaslAuthenticationFailed, match="invalid credentials"):
        await create_conn(
            "127.0.0.1",
            sasl_kafka.port,
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism="SCRAM-SHA-256",
            sasl_plain_username="admin",
            sasl_plain_password="wrong",
        )
    # ... which a client only logs before giving up on bootstrap.
    producer = AIOKafkaProducer(**sasl_kafka.client_config("admin", "wrong"))
    with caplog.at_level(logging.ERROR, logger="aiokafka"), pytest.raises(KafkaConnectionError):
        await producer.start()
    await producer.stop()
    assert "SaslAuthenticationFailed" in caplog.text


async def test_publisher_acls_by_prefix(sasl_kafka: ApacheKafka) -> None:
    admin_cfg = sasl_kafka.admin_config()
    admin = AIOKafkaAdminClient(**admin_cfg)
    await admin.start()
    try:
        # Onboarding creates the topics: publishers get no CREATE permission.
        await admin.create_topics(
            [
                NewTopic(name, num_partitions=1, replication_factor=1)
                for name in ("diklat.ingest.15.v1", "diklat.ingest.16.v1", "diklat.feedback.15.v1")
            ]
        )
    finally:
        await admin.close()
    sasl_kafka.add_scram_user("publisher-15", "pw-15")
    sasl_kafka.add_prefixed_acls(
        "publisher-15",
        write_topics=["diklat.ingest.15"],
        read_topics=["diklat.feedback.15"],
        read_groups=["diklat.publisher.15"],
    )
    pub = sasl_kafka.client_config("publisher-15", "pw-15", mechanism="SCRAM-SHA-512")

    await produce(pub, "diklat.ingest.15.v1", b"mine")
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(pub, "diklat.ingest.16.v1", b"not mine")

    await produce(admin_cfg, "diklat.feedback.15.v1", b"feedback")
    consumer = AIOKafkaConsumer(
        "diklat.feedback.15.v1",
        **pub,
        group_id="diklat.publisher.15.feedback",
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), 30)
        assert record.value == b"feedback"
        await consumer.commit()
    finally:
        await consumer.stop()

    # Reading the ingest topic is not granted (only writing is).
    with pytest.raises(TopicAuthorizationFailedError):
        await consume_one(pub, TopicPartition("diklat.ingest.15.v1", 0))
