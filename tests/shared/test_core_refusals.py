"""What Postgres or the driver refuses never holds up a partition (real Postgres): an event whose
handler passes a value the driver cannot encode is rejected PROCESSING_ERROR in the careful
replay, and one the core's own statements refuse (the cohort lock, the inbox) is decided alone,
by its position if its id is what is refused, while the events around it are applied.

The envelope keeps such text out (a NUL is refused at parse time); these events are built past
it, as a value nobody foresaw would arrive."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.consumer import BatchProcessor, Handled, Route, UnitOfWork
from shared.envelope import CloudEvent, RecordPosition
from tests.support import core_schema

pytestmark = pytest.mark.integration
TOPIC = "diklat.ingest.15"
NOW = dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC)


def _event(offset: int, event_id: str, cohort: str, **data: object) -> CloudEvent:
    return CloudEvent(
        id=event_id,
        source="/publishers/15",
        type="diklat.cohort.closed.v1",
        time=NOW,
        data={"cohort_code": cohort, **data},
        subject=cohort,
        position=RecordPosition(TOPIC, 0, offset),
    )


async def _cast_to_int4(uow: UnitOfWork, event: CloudEvent) -> Handled:
    # An int beyond int4: asyncpg refuses it before sending (a client-side DataError, which
    # derives from InterfaceError like a lost connection).
    await uow.conn.fetchval("SELECT $1::int4", event.data.get("n", 1))
    return Handled.applied()


async def test_what_postgres_or_the_driver_refuses_is_decided_and_the_rest_applied(infra):
    events = [
        _event(0, "before", "15/A/2024/I"),
        _event(1, "huge-int", "15/A/2024/I", n=2**40),
        _event(2, "nul-subject", "15/A/2024/\x00"),
        _event(3, "nul\x00id", "15/B/2024/I"),
        _event(4, "after", "15/A/2024/I"),
    ]
    async with core_schema(infra, "refusals") as pool:
        processor = BatchProcessor(
            "refusals",
            pool,
            {"diklat.cohort.closed.v1": Route(_cast_to_int4)},
            reports_envelope_errors=True,
        )
        counts = await processor.process_items(list(events))
        async with pool.acquire() as conn:
            rows = await conn.fetch(
                'SELECT event_id, outcome, reason FROM processed_events ORDER BY "offset"'
            )
            feedback = await conn.fetchval("SELECT count(*) FROM outbox")
    assert [tuple(r) for r in rows] == [
        ("before", "applied", None),
        ("huge-int", "rejected", "PROCESSING_ERROR"),
        ("nul-subject", "rejected", "PROCESSING_ERROR"),
        (f"{TOPIC}/0/3", "rejected", "PROCESSING_ERROR"),  # its id cannot be stored
        ("after", "applied", None),
    ]
    assert counts == {"applied": 2, "rejected": 3}
    assert feedback >= 1  # every outcome told to the publisher
