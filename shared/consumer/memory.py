"""In-memory adapters of the core's ports, for unit tests: they pass the same contract suites as
the Postgres ones (tests/shared/port_contracts.py). A `MemoryStore` is one database: its
transactions roll back on an exception and hold their cohort locks until they end."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.consumer.parked import as_json, from_json
from shared.consumer.ports import AlreadyInInbox, InboxRow, Key, Position, Settled, Stores
from shared.envelope import CloudEvent, RecordPosition
from shared.outbox import OutboxRow
from shared.reasons import ReasonCode


@dataclass
class _Parked:
    body: dict[str, Any]
    position: RecordPosition
    waiting_for: str
    reject_code: ReasonCode
    parked_at: dt.datetime
    expires_at: dt.datetime | None


@dataclass
class MemoryState:
    """What the tables hold: inbox rows by key, parked events by key, outbox rows in order."""

    inbox: dict[Key, InboxRow] = field(default_factory=dict)
    parked: dict[Key, _Parked] = field(default_factory=dict)
    outbox: list[OutboxRow] = field(default_factory=list)


class MemoryStore:
    def __init__(self, clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.state = MemoryState()
        self.clock = clock
        self.cohort_locks = CohortLockTable()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Stores]:
        before = copy.deepcopy(self.state)
        locks = MemoryLocks(self.cohort_locks)
        try:
            yield Stores(
                MemoryInbox(self.state),
                MemoryParking(self.state, self.clock),
                locks,
                MemoryOutbox(self.state),
            )
        except BaseException:
            self.state.inbox, self.state.parked = before.inbox, before.parked
            self.state.outbox = before.outbox
            raise
        finally:
            locks.release()


class MemoryInbox:
    def __init__(self, state: MemoryState) -> None:
        self.state = state

    async def seen(self, keys: Sequence[Key]) -> dict[Key, Position]:
        rows = self.state.inbox
        return {key: (row[6], row[7], row[8]) for key in keys if (row := rows.get(key))}

    async def add(self, rows: Sequence[InboxRow]) -> None:
        keys = [(row[0], row[1]) for row in rows]
        if len(set(keys)) != len(keys) or any(key in self.state.inbox for key in keys):
            raise AlreadyInInbox
        self.state.inbox.update(zip(keys, rows, strict=True))

    async def settle(self, rows: Sequence[Settled]) -> None:
        for source, event_id, outcome, reason in rows:
            row = self.state.inbox.get((source, event_id))
            if row is not None:
                self.state.inbox[(source, event_id)] = (*row[:4], outcome, reason, *row[6:])


class MemoryParking:
    def __init__(self, state: MemoryState, clock: Callable[[], dt.datetime]) -> None:
        self.state = state
        self.clock = clock

    async def park(
        self,
        event: CloudEvent,
        waiting_for: str,
        reject_code: ReasonCode,
        expires_at: dt.datetime | None,
    ) -> None:
        key = (event.source, event.id)
        if key in self.state.parked:
            self.state.parked[key].waiting_for = waiting_for
            return
        position = event.position or RecordPosition("", 0, 0)
        self.state.parked[key] = _Parked(
            as_json(event), position, waiting_for, reject_code, self.clock(), expires_at
        )

    async def waiting_on(self, keys: Sequence[str], prefixes: Sequence[str]) -> list[str]:
        waited = {p.waiting_for for p in self.state.parked.values()}
        return [w for w in waited if w in keys or w.startswith(tuple(prefixes))]

    async def release(self, waiting_for: Sequence[str]) -> list[CloudEvent]:
        keys = [k for k, p in self.state.parked.items() if p.waiting_for in waiting_for]
        return [self._event(self.state.parked.pop(k)) for k in keys]

    async def expire(self, at_most: int) -> list[tuple[CloudEvent, ReasonCode]]:
        now = self.clock()
        due = sorted(
            (p.expires_at, k)
            for k, p in self.state.parked.items()
            if p.expires_at is not None and p.expires_at <= now and k[0].startswith("/publishers/")
        )[:at_most]
        expired = [self.state.parked.pop(k) for _, k in due]
        return [(self._event(p), p.reject_code) for p in expired]

    async def waiting_facts(self) -> tuple[int, float]:
        facts = [p for k, p in self.state.parked.items() if not k[0].startswith("/publishers/")]
        oldest = min((p.parked_at for p in facts), default=None)
        return len(facts), (self.clock() - oldest).total_seconds() if oldest else 0.0

    @staticmethod
    def _event(parked: _Parked) -> CloudEvent:
        return from_json(copy.deepcopy(parked.body), parked.position)


@dataclass
class CohortLockTable:
    """The store's cohort locks, and how many transactions wait for one (as pg_locks shows)."""

    locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    waiting: int = 0


class MemoryLocks:
    """Cohort locks held by one transaction, released when it ends."""

    def __init__(self, table: CohortLockTable) -> None:
        self.table = table
        self.held: list[asyncio.Lock] = []

    async def lock(self, cohort_codes: Iterable[str]) -> None:
        for code in sorted(set(cohort_codes)):
            lock = self.table.locks.setdefault(code, asyncio.Lock())
            if lock in self.held:
                continue
            self.table.waiting += 1
            try:
                await lock.acquire()
            finally:
                self.table.waiting -= 1
            self.held.append(lock)

    def release(self) -> None:
        for lock in self.held:
            lock.release()
        self.held.clear()


class MemoryOutbox:
    def __init__(self, state: MemoryState) -> None:
        self.state = state

    async def write(self, rows: list[OutboxRow]) -> None:
        self.state.outbox += rows
