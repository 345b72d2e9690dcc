"""The core on the ports every service shares (inbox, outbox, parking, migrations), through
`BatchProcessor` on Postgres. The ports' own contract suites, run on every adapter, are in
port_contracts.py."""

from __future__ import annotations

import datetime as dt
import json

import asyncpg
import pytest
from prometheus_client import REGISTRY

from builders.ingest import ingest_event
from shared import db
from shared.consumer import BatchProcessor, Handled, Route, UnitOfWork
from shared.envelope import CloudEvent
from shared.outbox import OutboxRow, write_rows

pytestmark = pytest.mark.integration


class FakeRecord:
    def __init__(self, topic: str, offset: int, value: bytes) -> None:
        self.topic, self.partition, self.offset = topic, 0, offset
        self.key, self.value = b"15/A/2022/I", value
        self.headers = [("content-type", b"application/cloudevents+json")]


def _closed(event_id: str) -> bytes:
    sent = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    data = {"cohort_code": "15/A/2022/I"}
    return json.dumps(
        ingest_event("cohort.closed", data, "15", event_id=event_id, time_=sent)
    ).encode()


class InboxOutboxContract:
    """Assertions every inbox/outbox/migration implementation must satisfy."""

    schema = "contract"

    @pytest.fixture
    async def pool(self, database_url):
        password = db.local_password(self.schema)
        await db.provision(database_url, self.schema, password)
        pool = await db.create_pool(
            db.service_url(database_url, self.schema, password), self.schema
        )
        async with pool.acquire() as conn:
            await db.migrate(conn, self.schema, db.service_migrations(self.schema, None))
        yield pool
        await pool.close()

    async def test_migrations_apply_once_and_refuse_an_edited_file(self, pool):
        async with pool.acquire() as conn:
            migrations = db.service_migrations(self.schema, None)
            assert await db.migrate(conn, self.schema, migrations) == []
            edited = [db.Migration(migrations[0].name, migrations[0].sql + "\n-- edit")]
            with pytest.raises(db.MigrationError, match="forward-only"):
                await db.migrate(conn, self.schema, edited)

    async def test_an_event_seen_by_the_inbox_is_not_applied_again(self, pool):
        processor = await _recording_effects(pool, self.schema)
        record = FakeRecord("diklat.ingest.15", 1, _closed("a"))
        await processor.process([record, FakeRecord("diklat.ingest.15", 2, _closed("a"))])
        replayed = await processor.process([record])
        assert replayed == {"replayed": 1}
        assert await _effects(pool) == ["a"]

    async def test_a_redelivery_in_a_batch_not_looked_up_first_is_still_not_applied_again(
        self, pool
    ):
        # A handler may run and be rolled back; what counts is what the database keeps.
        processor = await _recording_effects(pool, self.schema)
        topic = "diklat.ingest.15"
        first = FakeRecord(topic, 1, _closed("a"))
        assert await processor.process([first]) == {"applied": 1}  # looked up: nothing there
        assert not processor.expect_seen
        assert await processor.process([FakeRecord(topic, 2, _closed("b"))]) == {"applied": 1}

        redone = _redone(self.schema)
        mixed = [first, FakeRecord(topic, 3, _closed("c")), FakeRecord(topic, 4, _closed("a"))]
        assert await processor.process(mixed) == {"replayed": 1, "applied": 1, "duplicate": 1}
        assert _redone(self.schema) == redone + 1
        assert processor.expect_seen  # the next batch looks the inbox up first
        assert await _effects(pool) == ["a", "b", "c"]

    async def test_a_failing_batch_leaves_no_inbox_row_and_no_outbox_row(self, pool):
        async def boom(uow: UnitOfWork, event: CloudEvent) -> Handled:
            uow.rows.append(OutboxRow("t", "k", "id", b"x"))
            raise asyncpg.DeadlockDetectedError("simulated")

        processor = BatchProcessor(self.schema, pool, {"diklat.cohort.closed.v1": Route(boom)})
        with pytest.raises(asyncpg.DeadlockDetectedError):
            await processor.process([FakeRecord("diklat.ingest.15", 1, _closed("b"))])
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM processed_events") == 0
            assert await conn.fetchval("SELECT count(*) FROM outbox") == 0

    async def test_a_handler_bug_rejects_that_event_only(self, pool):
        async def picky(uow: UnitOfWork, event: CloudEvent) -> Handled:
            if event.id == "bad":
                raise ValueError("bug")
            return Handled.applied()

        processor = BatchProcessor(self.schema, pool, {"diklat.cohort.closed.v1": Route(picky)})
        counts = await processor.process(
            [
                FakeRecord("diklat.ingest.15", 1, _closed("ok")),
                FakeRecord("diklat.ingest.15", 2, _closed("bad")),
            ]
        )
        assert counts == {"applied": 1, "rejected": 1}
        async with pool.acquire() as conn:
            reasons = dict(await conn.fetch("SELECT event_id, reason FROM processed_events"))
        assert reasons == {"ok": None, "bad": "PROCESSING_ERROR"}

    async def test_outbox_rows_keep_insertion_order(self, pool):
        async with pool.acquire() as conn, conn.transaction():
            await write_rows(conn, [OutboxRow("t", "k", f"e{i}", b"x") for i in range(5)])
        async with pool.acquire() as conn:
            ids = [
                r["event_id"] for r in await conn.fetch("SELECT event_id FROM outbox ORDER BY id")
            ]
        assert ids == [f"e{i}" for i in range(5)]

    async def test_parked_event_is_rejected_with_its_code_when_its_wait_is_over(self, pool):
        async def park(uow: UnitOfWork, event: CloudEvent) -> Handled:
            from shared.reasons import ReasonCode

            return await uow.park(
                event, "cohort:x", ReasonCode.UNKNOWN_COHORT, timeout=dt.timedelta(seconds=-1)
            )

        processor = BatchProcessor(self.schema, pool, {"diklat.cohort.closed.v1": Route(park)})
        assert await processor.process([FakeRecord("diklat.ingest.15", 1, _closed("p"))]) == {
            "parked": 1
        }
        assert await processor.expire_parked() == 1
        async with pool.acquire() as conn:
            row = await conn.fetchrow("SELECT outcome, reason FROM processed_events")
            feedback = await conn.fetchval("SELECT count(*) FROM outbox")
        assert (row["outcome"], row["reason"]) == ("rejected", "UNKNOWN_COHORT")
        assert feedback == 2  # parked, then rejected


async def _recording_effects(pool: asyncpg.Pool, service: str) -> BatchProcessor:
    """A processor whose handler adds a row to `effects` per event, in the batch's transaction."""

    async def effect(uow: UnitOfWork, event: CloudEvent) -> Handled:
        await uow.conn.execute("INSERT INTO effects VALUES ($1)", event.id)
        return Handled.applied()

    async with pool.acquire() as conn:
        await conn.execute("CREATE TABLE effects (event_id text NOT NULL)")
    return BatchProcessor(service, pool, {"diklat.cohort.closed.v1": Route(effect)})


async def _effects(pool: asyncpg.Pool) -> list[str]:
    async with pool.acquire() as conn:
        return [r[0] for r in await conn.fetch("SELECT event_id FROM effects ORDER BY 1")]


def _redone(service: str) -> float:
    return REGISTRY.get_sample_value("diklat_batches_redone_total", {"service": service}) or 0.0


class TestPostgresInboxOutbox(InboxOutboxContract):
    pass
