"""The consumer core's ports: what it records in a batch's transaction, as narrow interfaces.

As eventsourcing's recorders, each port records what the core decided and what it consumed in
the caller's one transaction: the inbox (what was consumed, and its outcome), parking (events
waiting for a prerequisite), cohort locks and the outbox. `postgres.py` holds the adapters the
services run on, `memory.py` the in-memory ones for unit tests; tests/shared/port_contracts.py
holds both to the same assertions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from shared.envelope import CloudEvent
from shared.outbox import OutboxRow
from shared.reasons import ReasonCode

Key = tuple[str, str]  # an event's CloudEvents (source, id): the idempotency key
Position = tuple[str, int, int]  # topic, partition, offset of the record first handled
# A new inbox row (a plain tuple: built per event on the hot path): source, event id, type,
# publisher, outcome, reason, topic, partition, offset.
InboxRow = tuple[str, str, str | None, str | None, str, str | None, str, int, int]
# The final outcome of an event released from parking: source, event id, outcome, reason.
Settled = tuple[str, str, str, str | None]


class AlreadyInInbox(Exception):
    """An inbox insert met an event already recorded; nothing of that insert was recorded."""


class Inbox(Protocol):
    """Every consumed event once, keyed by (source, id), with its outcome."""

    async def seen(self, keys: Sequence[Key]) -> dict[Key, Position]:
        """Which of these keys are recorded, with the position of the record first handled."""
        ...

    async def add(self, rows: Sequence[InboxRow]) -> None:
        """Record new events; raises AlreadyInInbox if any key is recorded already."""
        ...

    async def settle(self, rows: Sequence[Settled]) -> None:
        """Replace the outcome of recorded events (parked, then decided)."""
        ...


class Parking(Protocol):
    """Events waiting for a prerequisite still in flight, by a key naming what they wait for."""

    async def park(
        self,
        event: CloudEvent,
        waiting_for: str,
        reject_code: ReasonCode,
        expires_at: dt.datetime | None,
    ) -> None:
        """Keep the event until released or expired (None: never expires); parking it again
        only changes what it waits for."""
        ...

    async def waiting_on(self, keys: Sequence[str], prefixes: Sequence[str]) -> list[str]:
        """The keys waited for that equal one of `keys` or start with one of `prefixes`."""
        ...

    async def release(self, waiting_for: Sequence[str]) -> list[CloudEvent]:
        """Remove and return the events waiting for these keys, with their positions."""
        ...

    async def expire(self, at_most: int) -> list[tuple[CloudEvent, ReasonCode]]:
        """Remove and return up to `at_most` publishers' events whose wait is over, each with
        its reject code, the longest overdue first."""
        ...

    async def waiting_facts(self) -> tuple[int, float]:
        """How many domain events wait, and the oldest one's wait in seconds (0 if none)."""
        ...


class CohortLocks(Protocol):
    """Per-cohort exclusion for the rest of the transaction."""

    async def lock(self, cohort_codes: Iterable[str]) -> None:
        """Hold these cohorts until the transaction ends; any order of codes, no deadlocks."""
        ...


class Outbox(Protocol):
    """Events to publish once the transaction commits, in the order written."""

    async def write(self, rows: list[OutboxRow]) -> None: ...


@dataclass(frozen=True)
class Stores:
    """The ports of one transaction."""

    inbox: Inbox
    parking: Parking
    locks: CohortLocks
    outbox: Outbox
