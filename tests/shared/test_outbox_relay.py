"""The outbox relay on real Postgres and Kafka: every row once, each key on the partition the
client's default partitioner picks (as any other producer of that key), in order per key."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.partitioner import DefaultPartitioner
from prometheus_client import REGISTRY

from shared.kafka import build_producer, ensure_topics
from shared.outbox import OutboxRelay, OutboxRow, write_rows
from shared.topics import physical
from tests.support import core_schema, eventually

pytestmark = pytest.mark.integration
TOPIC = "diklat.domain.relaytest"


@contextlib.asynccontextmanager
async def _outbox(infra) -> AsyncIterator[tuple[asyncpg.Pool, AIOKafkaProducer]]:
    """A fresh `relaytest` schema's pool and a producer."""
    await ensure_topics(infra, [TOPIC])
    async with core_schema(infra, "relaytest") as pool:
        producer = build_producer(infra)
        await producer.start()
        try:
            yield pool, producer
        finally:
            await producer.stop()


@contextlib.asynccontextmanager
async def _relayed(infra, rows: list[OutboxRow]) -> AsyncIterator[AIOKafkaProducer]:
    """The rows written to a fresh outbox and relayed in one round, which must empty it."""
    async with _outbox(infra) as (pool, producer), pool.acquire() as conn:
        await write_rows(conn, rows)
        relay = OutboxRelay(pool, "relaytest", producer, namespace=infra.kafka_topic_namespace)
        assert await relay.relay_once(conn) == len(rows)
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0
        yield producer


async def test_rows_go_once_in_order_to_the_clients_partition_for_their_key(infra):
    keys = [f"35/PKA/2026/{n}" for n in range(12)]
    rows = [OutboxRow(TOPIC, keys[i % 12], f"e{i}", f'{{"n": {i}}}'.encode()) for i in range(600)]
    name = physical(infra.kafka_topic_namespace, TOPIC)
    reader = AIOKafkaConsumer(
        name, **infra.kafka_client_config(), auto_offset_reset="earliest", enable_auto_commit=False
    )
    seen: list[tuple[str, int, int]] = []

    async def all_read() -> bool:
        for records in (await reader.getmany(timeout_ms=100)).values():
            seen.extend((r.key.decode(), r.partition, int(r.value[6:-1])) for r in records)
        return len(seen) >= 600

    async with _relayed(infra, rows) as producer:
        partitions = sorted(await producer.partitions_for(name))
        await reader.start()
        try:
            await eventually(all_read, 30, "600 relayed records")
        finally:
            await reader.stop()
    assert len(seen) == 600
    for key in keys:
        mine = [(p, n) for k, p, n in seen if k == key]
        expected = DefaultPartitioner()(key.encode(), partitions, partitions)
        assert {p for p, _ in mine} == {expected}
        assert [n for _, n in mine] == sorted(n for _, n in mine)


async def test_rows_larger_than_a_batch_still_go_each_once(infra):
    # A schedule of 500 sessions is ~250 KB: more than the producer's 256 KiB batches hold
    # together with its neighbours, but never refused.
    bigs = [b'{"x": "%d' % i + b"a" * 200_000 + b'"}' for i in range(3)]
    rows = [OutboxRow(TOPIC, "15/PKA/2026/1", f"big{i}", big) for i, big in enumerate(bigs)]
    async with _relayed(infra, rows) as producer:
        landed = await read_whole_topic(infra, producer, TOPIC)
    assert sorted(r.value for r in landed) == bigs  # each row once, none twice


async def test_the_backlog_gauge_shows_what_a_round_left_and_zero_once_drained(infra):
    async with _outbox(infra) as (pool, producer), pool.acquire() as conn:
        await write_rows(conn, [OutboxRow(TOPIC, "k", f"e{i}", b"{}") for i in range(5)])
        relay = OutboxRelay(
            pool, "relaytest", producer, batch_size=2, namespace=infra.kafka_topic_namespace
        )
        assert [await relay.relay_once(conn) for _ in range(3)] == [2, 2, 1]
        assert _backlog_gauge() == 0
        await write_rows(conn, [OutboxRow(TOPIC, "k", f"f{i}", b"{}") for i in range(3)])
        assert await relay.relay_once(conn) == 2
        assert _backlog_gauge() == 1


async def test_a_round_stops_after_about_its_byte_budget_and_a_large_row_goes_alone(infra):
    huge = OutboxRow(TOPIC, "k", "huge", b'"' + b"x" * 9_998 + b'"')
    kilobyte = b'"' + b"x" * 998 + b'"'
    rows = [OutboxRow(TOPIC, "k", f"e{i}", kilobyte) for i in range(5)]
    async with _outbox(infra) as (pool, producer), pool.acquire() as conn:
        await write_rows(conn, [huge, *rows])
        relay = OutboxRelay(
            pool, "relaytest", producer, round_bytes=2_500, namespace=infra.kafka_topic_namespace
        )
        assert await relay.relay_once(conn) == 1  # over the budget alone: still sent
        assert _backlog_gauge() == 5
        # A row goes while less than the budget went before it in the round.
        assert [await relay.relay_once(conn) for _ in range(2)] == [3, 2]
        assert _backlog_gauge() == 0
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0


async def read_whole_topic(infra, producer: AIOKafkaProducer, topic: str) -> list[ConsumerRecord]:
    """Every record the broker holds for `topic` now: read up to the end offsets taken first,
    so a record relayed twice would be read twice."""
    reader = AIOKafkaConsumer(
        **infra.kafka_client_config(), auto_offset_reset="earliest", enable_auto_commit=False
    )
    await reader.start()
    try:
        name = physical(infra.kafka_topic_namespace, topic)
        partitions = [TopicPartition(name, p) for p in await producer.partitions_for(name)]
        reader.assign(partitions)
        ends = await reader.end_offsets(partitions)
        records: list[ConsumerRecord] = []

        async def all_read() -> bool:
            for batch in (await reader.getmany(timeout_ms=100)).values():
                records.extend(batch)
            return all([await reader.position(tp) >= end for tp, end in ends.items()])

        await eventually(all_read, 30, f"{sum(ends.values())} records of {topic}")
        return records
    finally:
        await reader.stop()


def _backlog_gauge() -> float | None:
    return REGISTRY.get_sample_value("diklat_outbox_backlog", {"service": "relaytest"})
