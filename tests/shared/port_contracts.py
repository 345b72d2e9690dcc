"""Contract suites for the consumer core's ports (`shared/consumer/ports.py`): one class of
assertions per port about what it does, not how it stores it, subclassed for each adapter
(test_port_contracts_postgres.py, test_port_contracts_memory.py), as eventsourcing's
`ApplicationRecorderTestCase` is for its Postgres and POPO recorders.

A subclass provides a `store` fixture (an object whose `transaction()` yields the `Stores` of
one transaction, rolled back on an exception) and the probes below: what a test must see that
the ports themselves do not answer."""

from __future__ import annotations

import asyncio
import datetime as dt
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import pytest

from shared.consumer.ports import AlreadyInInbox, InboxRow, Stores
from shared.envelope import CloudEvent, RecordPosition
from shared.outbox import OutboxRow
from shared.reasons import ReasonCode
from tests.support import eventually

NOW = dt.datetime.now(dt.UTC)
TOPIC = "diklat.ingest.15"


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Stores]: ...


def inbox_row(event_id: str, offset: int, outcome: str = "applied") -> InboxRow:
    return (
        "/publishers/15",
        event_id,
        "diklat.cohort.closed.v1",
        "15",
        outcome,
        None,
        TOPIC,
        0,
        offset,
    )


def event(event_id: str, offset: int, source: str = "/publishers/15", **data: Any) -> CloudEvent:
    return CloudEvent(
        id=event_id,
        source=source,
        type="diklat.attendance.recorded.v1",
        time=dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC),
        data={"cohort_code": "15/A/2026/1", **data},
        subject="15/A/2026/1",
        position=RecordPosition(TOPIC, 0, offset),
    )


class _Rollback(Exception):
    pass


class InboxContract:
    """Every consumed event once, keyed by (source, id), with its outcome."""

    async def recorded_outcome(self, store: Any, key: tuple[str, str]) -> tuple[str, Any] | None:
        raise NotImplementedError

    async def test_an_empty_inbox_has_seen_nothing(self, store: Store) -> None:
        async with store.transaction() as tx:
            assert await tx.inbox.seen([("/publishers/15", "a")]) == {}

    async def test_seen_answers_the_recorded_keys_with_their_first_records_position(
        self, store: Store
    ) -> None:
        async with store.transaction() as tx:
            await tx.inbox.add([inbox_row("a", 7), inbox_row("b", 8)])
        async with store.transaction() as tx:
            seen = await tx.inbox.seen([("/publishers/15", "a"), ("/publishers/15", "c")])
        assert seen == {("/publishers/15", "a"): (TOPIC, 0, 7)}

    async def test_adding_a_recorded_key_raises_and_records_nothing_of_that_insert(
        self, store: Store
    ) -> None:
        async with store.transaction() as tx:
            await tx.inbox.add([inbox_row("a", 1)])
        with pytest.raises(AlreadyInInbox):
            async with store.transaction() as tx:
                await tx.inbox.add([inbox_row("b", 2), inbox_row("a", 3)])
        async with store.transaction() as tx:
            seen = await tx.inbox.seen([("/publishers/15", "a"), ("/publishers/15", "b")])
        assert seen == {("/publishers/15", "a"): (TOPIC, 0, 1)}

    async def test_one_key_twice_in_one_insert_raises(self, store: Store) -> None:
        with pytest.raises(AlreadyInInbox):
            async with store.transaction() as tx:
                await tx.inbox.add([inbox_row("a", 1), inbox_row("a", 2)])

    async def test_a_rolled_back_transaction_records_nothing(self, store: Store) -> None:
        with pytest.raises(_Rollback):
            async with store.transaction() as tx:
                await tx.inbox.add([inbox_row("a", 1)])
                raise _Rollback
        async with store.transaction() as tx:
            assert await tx.inbox.seen([("/publishers/15", "a")]) == {}

    async def test_settling_replaces_the_outcome_and_keeps_the_position(self, store: Store) -> None:
        async with store.transaction() as tx:
            await tx.inbox.add([inbox_row("a", 4, outcome="parked")])
        async with store.transaction() as tx:
            await tx.inbox.settle([("/publishers/15", "a", "rejected", "NOT_ENROLLED")])
            assert await tx.inbox.seen([("/publishers/15", "a")]) == {
                ("/publishers/15", "a"): (TOPIC, 0, 4)
            }
        assert await self.recorded_outcome(store, ("/publishers/15", "a")) == (
            "rejected",
            "NOT_ENROLLED",
        )


class ParkingContract:
    """Events waiting for a prerequisite, released by what they wait for or expired."""

    async def test_a_released_event_comes_back_whole_and_only_once(self, store: Store) -> None:
        parked = event("e1", 5, nip="198001012005011001")
        async with store.transaction() as tx:
            await tx.parking.park(parked, "cohort:15/A/2026/1", ReasonCode.UNKNOWN_COHORT, None)
        async with store.transaction() as tx:
            assert await tx.parking.release(["cohort:15/B/2026/1"]) == []
            (released,) = await tx.parking.release(["cohort:15/A/2026/1"])
            assert await tx.parking.release(["cohort:15/A/2026/1"]) == []
        assert released == parked

    async def test_parking_again_changes_only_what_it_waits_for(self, store: Store) -> None:
        async with store.transaction() as tx:
            await tx.parking.park(event("e1", 5), "cohort:x", ReasonCode.UNKNOWN_COHORT, None)
            await tx.parking.park(event("e1", 9), "cohort:y", ReasonCode.NOT_ENROLLED, None)
            assert await tx.parking.release(["cohort:x"]) == []
            (released,) = await tx.parking.release(["cohort:y"])
        assert released.position == RecordPosition(TOPIC, 0, 5)

    async def test_waiting_on_finds_keys_and_prefixes_not_codes_that_merely_start_alike(
        self, store: Store
    ) -> None:
        waiting = ["cohort:15/A/1", "enrolment:15/A/1:n1", "cohort:15/A/10", "enrolment:15/A/10:n2"]
        async with store.transaction() as tx:
            for n, key in enumerate(waiting):
                await tx.parking.park(event(f"e{n}", n), key, ReasonCode.NOT_ENROLLED, None)
            found = await tx.parking.waiting_on(["cohort:15/A/1"], ["enrolment:15/A/1:"])
        assert sorted(found) == ["cohort:15/A/1", "enrolment:15/A/1:n1"]

    async def test_only_publishers_events_whose_wait_is_over_expire_with_their_code(
        self, store: Store
    ) -> None:
        past, future = NOW - dt.timedelta(minutes=1), NOW + dt.timedelta(hours=1)
        fact = event("f1", 3, source="/services/enrolment")
        async with store.transaction() as tx:
            await tx.parking.park(event("due", 1), "k", ReasonCode.UNKNOWN_COHORT, past)
            await tx.parking.park(event("later", 2), "k", ReasonCode.UNKNOWN_COHORT, future)
            await tx.parking.park(fact, "k", ReasonCode.UNKNOWN_COHORT, None)
        async with store.transaction() as tx:
            expired = await tx.parking.expire(at_most=10)
            assert await tx.parking.expire(at_most=10) == []
        assert [(e.id, code) for e, code in expired] == [("due", ReasonCode.UNKNOWN_COHORT)]

    async def test_expiry_takes_at_most_so_many_the_longest_overdue_first(
        self, store: Store
    ) -> None:
        async with store.transaction() as tx:
            for n in range(3):
                due = NOW - dt.timedelta(minutes=10 - n)
                await tx.parking.park(event(f"e{n}", n), "k", ReasonCode.NOT_ENROLLED, due)
        async with store.transaction() as tx:
            first = await tx.parking.expire(at_most=2)
            rest = await tx.parking.expire(at_most=2)
        assert [e.id for e, _ in first] == ["e0", "e1"]
        assert [e.id for e, _ in rest] == ["e2"]

    async def test_waiting_facts_counts_domain_events_only(self, store: Store) -> None:
        async with store.transaction() as tx:
            assert await tx.parking.waiting_facts() == (0, 0.0)
            await tx.parking.park(event("p", 1), "k", ReasonCode.NOT_ENROLLED, NOW)
            fact = event("f", 2, source="/services/enrolment")
            await tx.parking.park(fact, "k", ReasonCode.NOT_ENROLLED, None)
        async with store.transaction() as tx:
            count, oldest = await tx.parking.waiting_facts()
        assert count == 1
        assert oldest >= 0

    async def test_a_rolled_back_park_keeps_nothing(self, store: Store) -> None:
        with pytest.raises(_Rollback):
            async with store.transaction() as tx:
                await tx.parking.park(event("e1", 1), "k", ReasonCode.NOT_ENROLLED, None)
                raise _Rollback
        async with store.transaction() as tx:
            assert await tx.parking.release(["k"]) == []


class CohortLocksContract:
    """A cohort held by one transaction waits another that wants it until the first ends."""

    async def lock_waiters(self, store: Any) -> int:
        raise NotImplementedError

    async def test_a_held_cohort_waits_the_next_transaction_and_others_go_through(
        self, store: Store
    ) -> None:
        order: list[str] = []

        async def second() -> None:
            async with store.transaction() as tx:
                await tx.locks.lock(["15/B/2026/1", "15/A/2026/1"])
                order.append("second")

        async with store.transaction() as first:
            await first.locks.lock(["15/A/2026/1", "15/A/2026/1"])  # twice: no self-deadlock
            waiting = asyncio.create_task(second())
            await eventually(lambda: self._waits(store, waiting), 30, "the second waiting")
            async with store.transaction() as other:
                await other.locks.lock(["15/C/2026/1"])
            order.append("first")
        await asyncio.wait_for(waiting, 30)
        assert order == ["first", "second"]

    async def _waits(self, store: Any, task: asyncio.Task[None]) -> bool:
        assert not task.done(), "the second transaction went through a held cohort"
        return await self.lock_waiters(store) > 0


class OutboxContract:
    """Rows to publish, in the order written, only if their transaction commits."""

    async def published(self, store: Any) -> list[str]:
        raise NotImplementedError

    async def test_rows_keep_the_order_they_were_written_in(self, store: Store) -> None:
        async with store.transaction() as tx:
            await tx.outbox.write([OutboxRow("t", "k", f"e{i}", b"x") for i in range(3)])
            await tx.outbox.write([OutboxRow("t", "k", "e3", b"x")])
        assert await self.published(store) == ["e0", "e1", "e2", "e3"]

    async def test_rows_of_a_rolled_back_transaction_are_not_kept(self, store: Store) -> None:
        with pytest.raises(_Rollback):
            async with store.transaction() as tx:
                await tx.outbox.write([OutboxRow("t", "k", "gone", b"x")])
                raise _Rollback
        assert await self.published(store) == []
