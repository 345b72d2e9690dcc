"""The core's port contracts (port_contracts.py) on the in-memory adapters, and a unit of work
parking and releasing on them, as a handler's unit test would."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shared.consumer import UnitOfWork, waiting_for_cohort, waiting_for_enrolment
from shared.consumer.memory import MemoryStore
from shared.reasons import ReasonCode
from tests.shared.port_contracts import (
    CohortLocksContract,
    InboxContract,
    OutboxContract,
    ParkingContract,
    event,
)

pytestmark = pytest.mark.unit


class MemoryAdapters:
    @pytest.fixture
    def store(self) -> MemoryStore:
        return MemoryStore()

    async def recorded_outcome(self, store: Any, key: tuple[str, str]) -> tuple[str, Any] | None:
        row = store.state.inbox.get(key)
        return None if row is None else (row[4], row[5])

    async def published(self, store: Any) -> list[str]:
        return [row.event_id for row in store.state.outbox]

    async def lock_waiters(self, store: Any) -> int:
        return int(store.cohort_locks.waiting)


class TestMemoryInbox(MemoryAdapters, InboxContract):
    pass


class TestMemoryParking(MemoryAdapters, ParkingContract):
    pass


class TestMemoryCohortLocks(MemoryAdapters, CohortLocksContract):
    pass


class TestMemoryOutbox(MemoryAdapters, OutboxContract):
    pass


async def test_a_unit_of_work_on_memory_parking_releases_a_cohorts_waiters_in_log_order():
    store = MemoryStore()
    waiting = {
        3: waiting_for_enrolment("15/A/2026/1", "198001012005011001"),
        1: waiting_for_cohort("15/A/2026/1"),
        2: waiting_for_cohort("15/A/2026/10"),  # a code that starts alike
    }
    async with store.transaction() as tx:
        uow: Any = UnitOfWork(None, "unit", dt.timedelta(minutes=5), parking=tx.parking)  # type: ignore[arg-type]
        for offset, key in waiting.items():
            assert (
                await uow.park(event(f"e{offset}", offset), key, ReasonCode.NOT_ENROLLED)
            ).outcome == "parked"
        assert await uow.unpark_cohort("15/A/2026/1") == 2
    assert [e.id for e in uow.unparked] == ["e1", "e3"]
