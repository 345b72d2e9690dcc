"""Tenant isolation on the broker: Apache Kafka with SASL/SCRAM and the StandardAuthorizer,
publishers onboarded by `diklat publishers add` (SCRAM user + literal ACLs).

Publisher 15 writes `diklat.ingest.15` and reads `diklat.feedback.15` with its group, and
nothing else: not 16's topics, not the nested kota 15.71's (a prefix ACL would leak those).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.conn import create_conn
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    SaslAuthenticationFailed,
    TopicAuthorizationFailedError,
)
from typer.testing import CliRunner

from diklat import acl
from diklat.cli import app
from diklat.stack.apache_kafka import ApacheKafka
from diklat.stack.processes import free_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "admin-acl-secret"
PASSWORDS = {"15": "pw-jambi-15", "16": "pw-sumsel-16", "15.71": "pw-kota-jambi"}


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApacheKafka]:
    kafka = ApacheKafka(
        tmp_path_factory.mktemp("kafka-acl"),
        free_port(),
        free_port(),
        sasl_users={"admin": ADMIN_PASSWORD},
    )
    kafka.start()
    try:
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
            "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
            "KAFKA_SASL_USERNAME": "admin",
            "KAFKA_SASL_PASSWORD": ADMIN_PASSWORD,
            "KAFKA_TOPIC_NAMESPACE": "",
        }
        for publisher, password in PASSWORDS.items():
            result = CliRunner().invoke(
                app,
                ["publishers", "add", publisher, "--partitions", "1"],
                env={**env, "DIKLAT_PUBLISHER_PASSWORD": password},
            )
            assert result.exit_code == 0, result.output
            assert f"SCRAM user publisher-{publisher}" in result.output
            assert password not in result.output  # given, so not echoed
        yield kafka
    finally:
        kafka.stop()


def _as(broker: ApacheKafka, publisher: str, password: str | None = None) -> dict[str, Any]:
    return broker.client_config(
        acl.publisher_user(publisher), password or PASSWORDS[publisher], mechanism="SCRAM-SHA-512"
    )


async def _produce(config: dict[str, Any], topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(**config, acks="all", request_timeout_ms=10_000)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"15/LATSAR/2024/I")
    finally:
        await producer.stop()


async def _read_with_own_group(config: dict[str, Any], topic: str) -> bytes | None:
    consumer = AIOKafkaConsumer(
        topic,
        **config,
        group_id=acl.publisher_group("15"),
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
    )
    await consumer.start()
    try:
        return (await asyncio.wait_for(consumer.getone(), 20)).value
    finally:
        await consumer.stop()


async def test_publisher_writes_its_ingest_topic_and_reads_its_feedback_with_its_group(broker):
    await _produce(_as(broker, "15"), "diklat.ingest.15", b"mine")
    await _produce(broker.admin_config(), "diklat.feedback.15", b"outcome for 15")
    consumer = AIOKafkaConsumer(
        "diklat.feedback.15",
        **_as(broker, "15"),
        group_id=acl.publisher_group("15"),
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), 30)
        assert record.value == b"outcome for 15"
        await consumer.commit()
    finally:
        await consumer.stop()


@pytest.mark.parametrize("topic", ["diklat.ingest.16", "diklat.ingest.15.71", "diklat.feedback.15"])
async def test_publisher_cannot_write_another_publishers_ingest_topic(broker, topic):
    # 15.71 (Kota Jambi) nests under 15: literal ACLs keep the province out of it.
    with pytest.raises(TopicAuthorizationFailedError):
        await _produce(_as(broker, "15"), topic, b"not mine")


@pytest.mark.parametrize(
    "topic", ["diklat.feedback.16", "diklat.feedback.15.71", "diklat.ingest.15"]
)
async def test_publisher_cannot_read_another_publishers_feedback(broker, topic):
    await _produce(broker.admin_config(), topic, b"someone else's")
    with pytest.raises(TopicAuthorizationFailedError):
        await _read_with_own_group(_as(broker, "15"), topic)


async def test_publisher_cannot_use_another_publishers_consumer_group(broker):
    consumer = AIOKafkaConsumer(
        "diklat.feedback.15",
        **_as(broker, "15"),
        group_id=acl.publisher_group("16"),
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
    )
    try:
        # Refused at the group coordinator already, before any fetch.
        with pytest.raises(GroupAuthorizationFailedError):
            await consumer.start()
    finally:
        await consumer.stop()


async def test_wrong_password_is_refused(broker, caplog):
    with pytest.raises(SaslAuthenticationFailed, match="invalid credentials"):
        await create_conn(
            "127.0.0.1",
            broker.port,
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism="SCRAM-SHA-512",
            sasl_plain_username=acl.publisher_user("15"),
            sasl_plain_password="tebakan-salah",
        )
    # Another publisher's valid password is just as wrong for this user.
    producer = AIOKafkaProducer(**_as(broker, "15", PASSWORDS["16"]))
    with caplog.at_level(logging.ERROR, logger="aiokafka"), pytest.raises(KafkaConnectionError):
        await producer.start()
    await producer.stop()
    assert "SaslAuthenticationFailed" in caplog.text


def test_compose_broker_has_the_same_security_settings():
    env = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["kafka"][
        "environment"
    ]
    test_broker = (ROOT / "deploy" / "kafka" / "server-sasl.properties").read_text()
    assert "EXTERNAL:SASL_PLAINTEXT" in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]
    assert env["KAFKA_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-256,SCRAM-SHA-512"
    assert "sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512" in test_broker
    authorizer = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert env["KAFKA_AUTHORIZER_CLASS_NAME"] == authorizer
    assert f"authorizer.class.name={authorizer}" in test_broker
    assert env["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    assert "allow.everyone.if.no.acl.found=false" in test_broker
    assert "User:admin" in env["KAFKA_SUPER_USERS"].split(";")
    # Publishers never create topics: onboarding does.
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    script = (ROOT / "deploy" / "kafka" / "publisher-acls.sh").read_text()
    assert "--resource-pattern-type literal" in script
