"""The orchestrator: a Kafka batch in one database transaction, every event accounted for.

Per batch: read each record; take the cohorts' locks; on the looked-up path drop what the
inbox has seen (on the optimistic path the inbox insert finds it, and the batch is redone
looked up); run the handlers (`handling.py`); write inbox rows and outbox rows (domain events
and feedback) and commit. The caller commits Kafka offsets only after this returns, so a crash
anywhere replays the batch and the inbox turns the replay into a no-op. A batch that fails is
replayed carefully, then record by record (see `Attempt`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Sequence

import asyncpg

from shared.consumer import postgres
from shared.consumer.activity import Activity
from shared.consumer.failures import RETRYABLE, server_trouble
from shared.consumer.handling import Handling, inbox_keys, save
from shared.consumer.ledger import Ledger
from shared.consumer.metrics import BATCH_SECONDS, BATCHES_REDONE, count_events
from shared.consumer.phases import Item, cohort_of, in_phases, share_out
from shared.consumer.ports import AlreadyInInbox
from shared.consumer.reading import Record, read
from shared.consumer.refusals import expire_parked, refuse
from shared.consumer.routes import Route
from shared.consumer.strategy import Attempt, Escalation
from shared.consumer.unit_of_work import RepositoryFactory, UnitOfWork
from shared.envelope import CloudEvent, RecordPosition
from shared.logging import get_logger
from shared.retry import escalating

log = get_logger("shared.consumer")


class _Redo(Exception):
    """An optimistic attempt met an event the inbox holds: redo the batch looked up."""


class BatchProcessor:
    """Runs batches of one subscription through the routes of one service."""

    def __init__(
        self,
        service: str,
        pool: asyncpg.Pool,
        routes: dict[str, Route],
        *,
        reports_envelope_errors: bool = False,
        park_timeout_s: float = 300.0,
        namespace: str = "",
        parked_routes: dict[str, Route] | None = None,
        cohorts_commute: bool = False,
        lanes: int = 1,
        lane_min_records: int = 500,
        activity: Activity | None = None,
        repository: RepositoryFactory | None = None,
    ) -> None:
        self.repository = repository  # the service's repository, built per transaction
        self.namespace = namespace
        self.activity = activity or Activity()
        # Parked ingest events may be released by a domain event: they run on these routes.
        self.parked_routes = {**routes, **(parked_routes or {})}
        self.service = service
        self.pool = pool
        self.store = postgres.PostgresStore(pool)  # the core's own transactions (no handlers)
        self.routes = routes
        self.reports_envelope_errors = reports_envelope_errors
        # The service keeps all its state per cohort: events of different cohorts commute, so
        # a batch may be regrouped into longer set-based runs (see `in_phases`).
        self.cohorts_commute = cohorts_commute
        self.park_timeout = dt.timedelta(seconds=park_timeout_s)
        self.lanes = lanes
        self.lane_min_records = lane_min_records
        # Whether the next batch reads the inbox before handling (see `Attempt`). Redelivery
        # comes after a restart or a rebalance, so a new consumer starts by reading it.
        self.expect_seen = True

    async def process(self, records: Sequence[Record]) -> Counter[str]:
        """Read a Kafka batch and handle it; returns once all of it is committed.

        A backlog's batch is shared out over up to `lanes` concurrent transactions of at least
        `lane_min_records` each, whole partitions (or whole cohorts where cohorts commute) in
        order in one lane: while one lane waits for Postgres another decides, so the process
        uses its core instead of idling through each round trip. Small batches stay whole: there
        the per-transaction costs outweigh the overlap (a burst of closes certified measurably
        later with two lanes). Lanes are independent as instances are (a cohort's events share
        a partition and the core locks cohorts); if one fails the caller redelivers the whole
        batch and the inbox makes the lanes already committed a no-op."""
        items = [i for r in records if (i := self.read(r)) is not None]
        if not items:
            return Counter()  # only types this service does not follow: no transaction at all
        with self.activity.working():
            return await self._process_lanes(items)

    def read(self, record: Record) -> Item | None:
        """The record as an event for the routes, an envelope error to report, or None."""
        return read(record, self.namespace, self.routes, self.reports_envelope_errors)

    async def _process_lanes(self, items: list[Item]) -> Counter[str]:
        lanes = share_out(
            items, min(self.lanes, len(items) // self.lane_min_records), self.cohorts_commute
        )
        if len(lanes) == 1:
            return await self.process_items(items)
        results = await asyncio.gather(*map(self.process_items, lanes), return_exceptions=True)
        counts: Counter[str] = Counter()
        for result in results:
            if isinstance(result, BaseException):
                raise result
            counts += result
        return counts

    async def process_items(self, items: list[Item]) -> Counter[str]:
        """Handle what `read` made of a batch in one transaction; `Escalation` says how."""
        started = time.perf_counter()
        if self.cohorts_commute:
            items = in_phases(items)
        tries = Escalation(Attempt.first(self.expect_seen))
        retrying = escalating(self._goes_again(tries, len(items)))
        counts: Counter[str] = await retrying(self._try, items, tries)
        BATCH_SECONDS.labels(self.service).observe(time.perf_counter() - started)
        if counts:
            log.info("batch handled", records=len(items), **{str(k): v for k, v in counts.items()})
        return counts

    async def _try(self, items: list[Item], tries: Escalation) -> Counter[str]:
        if tries.each_alone:
            return await self._each_alone(items)
        return await self._transaction(items, tries.attempt)

    def _goes_again(self, tries: Escalation, records: int) -> Callable[[BaseException], bool]:
        """Whether a batch goes again after a failure, and how (`Attempt`)."""

        def goes_again(failure: BaseException) -> bool:
            if isinstance(failure, _Redo):
                # Rolled back: handled again, this time knowing what the inbox holds.
                BATCHES_REDONE.labels(self.service).inc()
                return tries.redo_looked_up()
            if tries.each_alone or not isinstance(failure, Exception):
                return False
            if isinstance(failure, RETRYABLE):
                return tries.after_transient()
            if server_trouble(failure):
                return False
            if tries.failures > 0:
                # Carefully it still failed outside the handlers' savepoints: one of the
                # core's own statements refused something. Each record alone then, so one
                # that fails is rejected instead of holding up its partition forever.
                log.exception(
                    "batch failed event by event; each alone", records=records, exc_info=failure
                )
            else:
                log.exception(
                    "batch failed; replaying it event by event", records=records, exc_info=failure
                )
            return tries.after_failure()

        return goes_again

    async def _transaction(self, items: list[Item], attempt: Attempt) -> Counter[str]:
        async with self.pool.acquire() as conn, conn.transaction():
            stores = postgres.stores(conn)
            await stores.locks.lock([k for k in map(cohort_of, items) if k])
            # Optimistic: on the hot path nothing of a batch is in the inbox yet, so the lookup
            # (a join of every key, ~10% of Postgres' statement time) is skipped while lookups
            # keep finding nothing.
            seen = await stores.inbox.seen(inbox_keys(items)) if attempt.looks_up else {}
            if attempt.looks_up:
                self.expect_seen = bool(seen)
            uow = UnitOfWork(
                conn,
                self.service,
                self.park_timeout,
                parking=stores.parking,
                repository_factory=self.repository,
            )
            ledger = Ledger(self.service, uow.now)
            await Handling(self.routes, self.parked_routes, uow, ledger, seen, attempt).handle(
                items
            )
            try:
                await save(stores, ledger, uow.rows)
            except AlreadyInInbox:
                if attempt.looks_up:
                    raise  # claimed meanwhile by another instance: handled as any failure
                raise _Redo from None
        count_events(self.service, ledger.metric_keys)
        return ledger.counts

    async def _each_alone(self, items: list[Item]) -> Counter[str]:
        counts: Counter[str] = Counter()
        for item in items:
            try:
                counts += await self._transaction([item], Attempt.CAREFUL)
            except Exception as exc:
                if server_trouble(exc):
                    raise
                log.exception(
                    "event failed outside its handler; rejected PROCESSING_ERROR",
                    record=(item.position or RecordPosition("", 0, 0)).reference(),
                )
                counts += await self._refuse(item)
        return counts

    async def _refuse(self, item: Item) -> Counter[str]:
        reports = isinstance(item, CloudEvent) and _reports(self.routes, item)
        return await refuse(self.store, self.service, item, reports)

    async def expire_parked(self) -> int:
        """Reject parked publisher events whose wait is over, with the code they were parked
        with. Domain events are not expired: the gauges show them instead."""
        return await expire_parked(
            self.store, self.service, lambda event: _reports(self.parked_routes, event)
        )


def _reports(routes: dict[str, Route], event: CloudEvent) -> bool:
    """Whether the route of the event owes its publisher the outcome."""
    route = routes.get(event.type)
    return route is not None and route.reports
