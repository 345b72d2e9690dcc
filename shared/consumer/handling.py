"""One attempt at a batch inside its transaction: each event to its handler, or a run of them
to the set-based one; events released from parking run next; every outcome to the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from shared.consumer.failures import server_trouble
from shared.consumer.ledger import Ledger, same_record
from shared.consumer.phases import Item
from shared.consumer.ports import Key, Position, Stores
from shared.consumer.routes import Handled, Handler, Route, RouteHook
from shared.consumer.strategy import Attempt, Origin
from shared.consumer.unit_of_work import UnitOfWork
from shared.envelope import CloudEvent, EnvelopeError, RecordPosition
from shared.logging import get_logger
from shared.outbox import OutboxRow
from shared.reasons import ReasonCode
from shared.topics import publisher_of_topic

log = get_logger("shared.consumer")


class Handling:
    """The batch's events through the routes, by the attempt's rules (see `Attempt`)."""

    def __init__(
        self,
        routes: dict[str, Route],
        parked_routes: dict[str, Route],
        uow: UnitOfWork,
        ledger: Ledger,
        seen: dict[Key, Position],
        attempt: Attempt,
    ) -> None:
        self.routes = routes
        self.parked_routes = parked_routes
        self.uow = uow
        self.ledger = ledger
        self.seen = seen
        self.careful = attempt.careful

    async def handle(self, items: Sequence[Item]) -> None:
        run = _Run()
        for item in items:
            if not self.careful and self._joins_run(item, run):
                assert isinstance(item, CloudEvent)
                run.add(item)
                continue
            await self._flush(run)
            await self._one(item)
        await self._flush(run)

    def _joins_run(self, item: Item, run: _Run) -> bool:
        """A new event of a batch-routed type extends the current run of that type."""
        if isinstance(item, EnvelopeError) or self.routes[item.type].batch is None:
            return False
        if run.events and run.events[0].type != item.type:
            return False
        key = (item.source, item.id)
        return key not in self.seen and key not in self.ledger.keys and key not in run.keys

    async def _flush(self, run: _Run) -> None:
        if not run.events:
            return
        route = self.routes[run.events[0].type]
        assert route.batch is not None
        outcomes = await route.batch(self.uow, run.events)
        for event, handled in zip(run.events, outcomes, strict=True):
            self.ledger.record(event, handled, Origin.LOG, route.reports)
        run.clear()
        await self._released()

    async def _one(self, item: Item) -> None:
        if isinstance(item, EnvelopeError):
            self.ledger.envelope_error(item, self.seen)
            return
        key = (item.source, item.id)
        if key in self.seen or key in self.ledger.keys:
            first = self.seen.get(key)
            self.ledger.duplicate(item, self.routes[item.type].reports, first)
            await self._after_duplicate(item, first)
            return
        await self._run(item, Origin.LOG)
        await self._released()

    async def _released(self) -> None:
        """Run what handlers released from parking, in turn (a release may release more)."""
        while self.uow.unparked:
            await self._run(self.uow.unparked.pop(0), Origin.PARKING)

    async def _run(self, event: CloudEvent, origin: Origin) -> None:
        route = (self.parked_routes if origin is Origin.PARKING else self.routes)[event.type]
        uow = self.uow
        if self.careful:
            rows, unparked = len(uow.rows), len(uow.unparked)
            try:
                async with uow.conn.transaction():
                    handled = await _guarded(route.handler, uow, event)
            except Exception as exc:
                if server_trouble(exc):
                    raise
                log.exception("handler failed", event_id=event.id, event_type=event.type)
                handled = Handled.rejected(ReasonCode.PROCESSING_ERROR)
                # What it emitted and unparked is rolled back with its savepoint: none of it
                # may reach the outbox or run (a refused registration announces no enrolment).
                del uow.rows[rows:], uow.unparked[unparked:]
                if route.failed is not None:
                    await self._hook(route.failed, event, "failure hook")
        else:
            handled = await _guarded(route.handler, uow, event)
        self.ledger.record(event, handled, origin, route.reports)

    async def _after_duplicate(self, event: CloudEvent, first: Position | None) -> None:
        """The route's duplicate hook, for a re-used id (a replay of the same record was done
        the first time). In the careful replay a failing hook is logged and left out, with
        what it emitted: the duplicate outcome stands."""
        hook = self.routes[event.type].duplicate
        if hook is None or same_record(event, first):
            return
        if not self.careful:
            await hook(self.uow, event)
        else:
            await self._hook(hook, event, "duplicate hook")
        await self._released()

    async def _hook(self, hook: RouteHook, event: CloudEvent, what: str) -> None:
        """A route's hook in a savepoint of its own: should it fail too, it is logged and left
        out with what it emitted and released, and the event's outcome stands."""
        uow = self.uow
        rows, unparked = len(uow.rows), len(uow.unparked)
        try:
            async with uow.conn.transaction():
                await hook(uow, event)
        except Exception as exc:
            if server_trouble(exc):
                raise
            log.exception(f"{what} failed", event_id=event.id, event_type=event.type)
            del uow.rows[rows:], uow.unparked[unparked:]


async def _guarded(handler: Handler, uow: UnitOfWork, event: CloudEvent) -> Handled:
    try:
        return await handler(uow, event)
    except EnvelopeError as error:
        return Handled.rejected(error.code, error.message_id, error.message_en)


@dataclass
class _Run:
    """Consecutive new events of one batch-routed type, handled together."""

    events: list[CloudEvent] = field(default_factory=list)
    keys: set[Key] = field(default_factory=set)

    def add(self, event: CloudEvent) -> None:
        self.events.append(event)
        self.keys.add((event.source, event.id))

    def clear(self) -> None:
        self.events = []
        self.keys = set()


def inbox_keys(items: Sequence[Item]) -> list[Key]:
    """The inbox key of each item: an envelope error's is its id, or its record's position."""
    keys: list[Key] = []
    for item in items:
        if isinstance(item, CloudEvent):
            keys.append((item.source, item.id))
        else:
            position = item.position or RecordPosition("", 0, 0)
            source = f"/publishers/{publisher_of_topic(position.topic)}"
            keys.append((source, item.event_id or position.reference()))
    return keys


async def save(stores: Stores, ledger: Ledger, emitted: list[OutboxRow]) -> None:
    """The ledger's inbox rows, then what handlers emitted and the feedback, to the outbox.
    Raises AlreadyInInbox (nothing saved) if the inbox held one of its new events."""
    await stores.inbox.add(ledger.inserts)
    await stores.inbox.settle(ledger.updates)
    await stores.outbox.write(emitted + ledger.feedback_rows())
