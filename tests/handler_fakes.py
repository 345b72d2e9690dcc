"""A service's handlers on fakes, as cosmicpython's FakeUnitOfWork: the core's in-memory ports
(shared/consumer/memory.py) and the service's in-memory repository; no Postgres, no Kafka."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

from shared.consumer import (
    BatchHandler,
    Handled,
    Handler,
    RepositoryFactory,
    RouteHook,
    UnitOfWork,
)
from shared.consumer.memory import MemoryStore
from shared.envelope import CloudEvent, RecordPosition


def logged(
    kind: str,
    data: dict[str, Any],
    publisher: str,
    *,
    event_id: str,
    offset: int,
    time: dt.datetime,
) -> CloudEvent:
    """A publisher's `diklat.<kind>.v1` record as a consumer read it from its ingest log."""
    return CloudEvent(
        id=event_id,
        source=f"/publishers/{publisher}",
        type=f"diklat.{kind}.v1",
        time=time,
        data=data,
        subject=data.get("cohort_code"),
        position=RecordPosition(f"diklat.ingest.{publisher}", 0, offset),
    )


class FakeService:
    """Runs handlers one transaction each, keeping what they emitted and released."""

    def __init__(self, service: str, repository: RepositoryFactory, now: dt.datetime) -> None:
        self.service = service
        self.repository = repository
        self.now = now
        self.store = MemoryStore(clock=lambda: self.now)
        self.emitted: list[str] = []  # outbox event ids, in order
        self.unparked: list[CloudEvent] = []  # released for the core to run next, in order

    @contextlib.asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        async with self.store.transaction() as tx:
            conn: Any = None  # the in-memory repository and ports need no connection
            uow = UnitOfWork(
                conn,
                self.service,
                dt.timedelta(minutes=5),
                now=self.now,
                parking=tx.parking,
                repository_factory=self.repository,
            )
            yield uow
            await tx.outbox.write(uow.rows)
        self.emitted += [row.event_id for row in uow.rows]
        self.unparked += uow.unparked

    async def handle(self, handler: Handler, event: CloudEvent) -> Handled:
        async with self.unit_of_work() as uow:
            return await handler(uow, event)

    async def run_hook(self, hook: RouteHook, event: CloudEvent) -> None:
        """A route's `duplicate` or `failed` hook for this event."""
        async with self.unit_of_work() as uow:
            await hook(uow, event)

    async def handle_run(
        self, handler: BatchHandler, events: Sequence[CloudEvent]
    ) -> list[Handled]:
        async with self.unit_of_work() as uow:
            return await handler(uow, events)

    def take_unparked(self) -> list[CloudEvent]:
        """The events released since last asked, for the test to run as the core would."""
        released, self.unparked = self.unparked, []
        return released

    def published(self) -> list[tuple[str, dict[str, Any]]]:
        """Each outbox row's CloudEvent type and data, in order."""
        events = [json.loads(row.payload) for row in self.store.state.outbox]
        return [(event["type"], event["data"]) for event in events]

    def parked_keys(self) -> set[str]:
        """What the parked events wait for."""
        return {parked.waiting_for for parked in self.store.state.parked.values()}
