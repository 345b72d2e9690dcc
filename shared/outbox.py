"""Transactional outbox: rows written with the state they announce, relayed to Kafka in order."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import NamedTuple, TypeVar

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.producer.message_accumulator import BatchBuilder
from prometheus_client import Gauge
from pydantic import BaseModel

from shared.db import Connection
from shared.envelope import STRUCTURED_HEADERS, CloudEvent, to_structured
from shared.events.domain import type_of
from shared.retry import through_outside_trouble
from shared.topics import physical

_PARTITIONER = DefaultPartitioner()
# A message's most: inside what every reader accepts (shared.envelope.MAX_RECORD_BYTES) and the
# brokers' 1 MB default (500 ordinary feedback outcomes are ~150 KB).
MAX_MESSAGE_BYTES = 500_000
T = TypeVar("T")
OUTBOX_BACKLOG = Gauge("diklat_outbox_backlog", "outbox rows not yet relayed", ["service"])


class OutboxRow(NamedTuple):
    """One event to relay (a tuple: the COPY takes it as it is)."""

    topic: str
    key: str | None
    event_id: str
    payload: bytes


def fitting_rows(items: Sequence[T], row_of: Callable[[Sequence[T]], OutboxRow]) -> list[OutboxRow]:
    """`row_of(items)`, halved until each row is at most MAX_MESSAGE_BYTES (one item alone as it
    is). Publisher text can be hostile: 200 control characters escape to 1,200 bytes of JSON, so
    a message of hundreds could pass what readers and the broker accept, and a message the
    broker refuses stops the relay, and with it all of the outbox."""
    row = row_of(items)
    if len(row.payload) <= MAX_MESSAGE_BYTES or len(items) == 1:
        return [row]
    half = len(items) // 2
    return fitting_rows(items[:half], row_of) + fitting_rows(items[half:], row_of)


def domain_event(
    service: str,
    data: BaseModel,
    subject: str,
    event_id: str | None = None,
    event_type: str | None = None,
    time: dt.datetime | None = None,
) -> CloudEvent:
    """A domain CloudEvent from this service; ids are random unless the caller derives one."""
    return CloudEvent(
        id=event_id or str(uuid.uuid4()),
        source=f"/services/{service}",
        type=event_type or type_of(data),
        time=time or dt.datetime.now(dt.UTC),
        data=data.model_dump(mode="json"),
        subject=subject,
    )


def row_for(topic: str, event: CloudEvent) -> OutboxRow:
    return OutboxRow(topic, event.subject, event.id, to_structured(event))


async def write_rows(conn: Connection, rows: list[OutboxRow]) -> None:
    """One COPY for the lot, in list order (ids follow it): one round trip, one NOTIFY (the
    trigger is per statement), cheaper than an INSERT from arrays (bench/notes.md)."""
    if rows:
        await conn.copy_records_to_table(
            "outbox",
            records=[(r.topic, r.key, r.event_id, r.payload) for r in rows],
            columns=_OUTBOX_COLUMNS,
        )


_OUTBOX_COLUMNS = ("topic", "key", "event_id", "payload")
# A round's rows: the first `$1` in id order, cut where their payloads pass `$2` bytes (the
# first row always goes); `waiting` is how many of the `$1` there were, so the relay knows
# whether rows were left behind. octet_length reads an out-of-line value's size, not the value.
_ROUND = """SELECT id, topic, key, payload, waiting FROM (
        SELECT id, topic, key, payload, count(*) OVER () AS waiting,
               sum(octet_length(payload)) OVER (ORDER BY id) - octet_length(payload) AS before
        FROM (SELECT id, topic, key, payload FROM outbox ORDER BY id LIMIT $1) first_rows
    ) r WHERE before < $2 ORDER BY id"""


def _append(batch: BatchBuilder, key: bytes | None, payload: bytes) -> bool:
    """Add a record; False when the batch is full (the first record always fits)."""
    return (
        batch.append(timestamp=None, key=key, value=payload, headers=STRUCTURED_HEADERS) is not None
    )


class OutboxRelay:
    """Publishes outbox rows in id order, then deletes them; one active relay per schema.

    A session advisory lock elects the relay among a service's instances so per-key order
    holds across them; the others stand by. It wakes on NOTIFY and polls as a fallback.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        producer: AIOKafkaProducer,
        batch_size: int = 1000,
        poll_interval_s: float = 0.5,
        namespace: str = "",
        round_bytes: int = 4_000_000,
    ) -> None:
        self._namespace = namespace
        self._pool = pool
        self._schema = schema
        self._producer = producer
        self._batch_size = batch_size
        self._round_bytes = round_bytes
        self._more = False  # the last round left rows behind: go again without waiting
        self._poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()
        self.published = 0
        self._partitions: dict[tuple[str, bytes, int], int] = {}
        self._spread = 0

    async def run(self) -> None:
        # Postgres or Kafka restarting: rows stay in the outbox until a send succeeds.
        await through_outside_trouble("outbox relay", self._lead_pooled, self._poll_interval_s)

    async def _lead_pooled(self) -> None:
        async with self._pool.acquire() as conn:
            await self._lead(conn)

    async def _lead(self, conn: Connection) -> None:
        while not await conn.fetchval(
            "SELECT pg_try_advisory_lock(hashtext($1))", f"{self._schema}.outbox"
        ):
            await asyncio.sleep(self._poll_interval_s)
        channel = f"{self._schema}_outbox"
        await conn.add_listener(channel, self._on_notify)
        try:
            while True:
                await self.relay_once(conn)
                if not self._more:
                    await self._wait()
        finally:
            with contextlib.suppress(Exception):
                await conn.remove_listener(channel, self._on_notify)
                await conn.execute(
                    "SELECT pg_advisory_unlock(hashtext($1))", f"{self._schema}.outbox"
                )

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _wait(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
        self._wake.clear()

    def _partition_of(self, topic: str, key: bytes | None, partitions: list[int]) -> int:
        """The client's own choice (its default partitioner: murmur2 of the key, as Java
        clients), remembered: a burst repeats a few cohort keys thousands of times and the
        client hashes each in pure Python. Rows without a key are spread."""
        if key is None:
            self._spread += 1
            return partitions[self._spread % len(partitions)]
        found = self._partitions.get((topic, key, len(partitions)))
        if found is None:
            if len(self._partitions) > 100_000:
                self._partitions.clear()
            found = int(_PARTITIONER(key, partitions, partitions))
            self._partitions[(topic, key, len(partitions))] = found
        return found

    async def relay_once(self, conn: Connection) -> int:
        """One round: up to `batch_size` rows and about `round_bytes` of payload (at least one
        row), in id order. The bytes bound memory: a round's payloads are held three or four
        times over (rows, record batches, the produce request)."""
        rows = await conn.fetch(_ROUND, self._batch_size, self._round_bytes)
        if not rows:
            self._more = False
            OUTBOX_BACKLOG.labels(self._schema).set(0)
            return 0
        # Rows were left behind if the bytes cut the round short or it was full.
        self._more = len(rows) < rows[0]["waiting"] or len(rows) == self._batch_size
        # Rows go out as one batch per partition (a BatchBuilder each, filled in id order):
        # the client's per-message send cost more than everything else the relay does.
        deliveries: list[asyncio.Future[object]] = []
        batches: dict[tuple[str, int], BatchBuilder] = {}
        partitions: dict[str, list[int]] = {}  # per topic, read once a round
        for r in rows:
            topic = physical(self._namespace, r["topic"])
            if topic not in partitions:
                partitions[topic] = sorted(await self._producer.partitions_for(topic))
            key = r["key"].encode() if r["key"] else None
            partition = self._partition_of(topic, key, partitions[topic])
            batch = batches.get((topic, partition))
            if batch is not None and _append(batch, key, r["payload"]):
                continue
            if batch is not None:  # full: send it, start the next
                deliveries.append(
                    await self._producer.send_batch(batch, topic, partition=partition)
                )
            batches[(topic, partition)] = batch = self._producer.create_batch()
            if not _append(batch, key, r["payload"]):
                raise ValueError(f"outbox row {r['id']} does not fit an empty batch")
        for (topic, partition), batch in batches.items():
            deliveries.append(await self._producer.send_batch(batch, topic, partition=partition))
        await asyncio.gather(*deliveries)
        # By id list, not `id <= last`: a lower id may still be in an open transaction.
        await conn.execute(
            "DELETE FROM outbox WHERE id = ANY($1::bigint[])", [r["id"] for r in rows]
        )
        self.published += len(rows)
        OUTBOX_BACKLOG.labels(self._schema).set(await self._backlog(conn, rows))
        return len(rows)

    async def _backlog(self, conn: Connection, relayed: list[asyncpg.Record]) -> int:
        """About how many rows wait: none if this round took all there were, else the ids
        above the last one relayed (an index probe, where a count(*) would scan the deleted
        rows awaiting vacuum)."""
        if not self._more:
            return 0
        last: int = relayed[-1]["id"]
        backlog: int = await conn.fetchval("SELECT coalesce(max(id), $1) - $1 FROM outbox", last)
        return backlog
