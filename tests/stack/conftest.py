"""Fixtures that start real local servers on free loopback ports and always stop them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from diklat.stack.apache_kafka import ApacheKafka
from diklat.stack.postgres import EmbeddedPostgres
from diklat.stack.processes import free_port, pid_alive
from diklat.stack.tansu import TansuBroker

ADMIN_PASSWORD = "admin-secret"


def assert_gone(pid: int | None) -> None:
    assert pid is not None
    assert not pid_alive(pid), f"process {pid} still runs after stop()"


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    pg = EmbeddedPostgres(tmp_path / "pg", free_port(), password="s3cret-pw")
    try:
        pg.start()
        yield pg
    finally:
        pg.stop()


@pytest.fixture
def tansu(tmp_path: Path) -> Iterator[TansuBroker]:
    broker = TansuBroker(tmp_path / "tansu", free_port())
    try:
        broker.start()
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def kafka(tmp_path: Path) -> Iterator[ApacheKafka]:
    broker = ApacheKafka(tmp_path / "kafka", free_port(), free_port())
    try:
        broker.start()
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="module")
def sasl_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApacheKafka]:
    broker = ApacheKafka(
        tmp_path_factory.mktemp("kafka-sasl"),
        free_port(),
        free_port(),
        sasl_users={"admin": ADMIN_PASSWORD},
    )
    try:
        broker.start()
        yield broker
    finally:
        broker.stop()


async def consume_one(
    config: Mapping[str, Any], tp: TopicPartition
) -> tuple[bytes | None, bytes | None]:
    """Read the first record of one partition without a consumer group (20 s deadline)."""
    consumer = AIOKafkaConsumer(**config, auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        record = await asyncio.wait_for(consumer.getone(), 20)
        return record.key, record.value
    finally:
        await consumer.stop()
