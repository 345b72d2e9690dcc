"""The one consumer core: a Kafka batch in one database transaction, every event accounted for.

Per batch: parse and check each record; take a transaction-scoped advisory lock per cohort
(sorted, so two instances never deadlock); drop what the inbox has seen (on the hot path the
inbox insert's unique key finds it, and the batch is redone); run each event's handler; write
inbox rows, outbox rows (domain events and feedback) and commit. The caller
commits Kafka offsets only after this returns, so a crash anywhere replays the batch and the
inbox turns the replay into a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import asyncpg
from prometheus_client import Counter as PromCounter
from prometheus_client import Gauge, Histogram
from pydantic import BaseModel

from shared.db import CONNECTION_LOST, Connection, from_json_rows, json_rows
from shared.envelope import (
    MAX_NAME_LENGTH,
    CloudEvent,
    EnvelopeError,
    RecordPosition,
    check_source,
    parse_record,
    to_structured,
    validate_data,
)
from shared.events.feedback import MAX_OUTCOMES_PER_MESSAGE, NOTICE_TYPE, OUTCOMES_TYPE, Notice
from shared.events.ingest import INGEST_TYPES
from shared.logging import get_logger
from shared.outbox import OutboxRow, domain_event, row_for, write_rows
from shared.reasons import DEFAULT_MESSAGES, Outcome, ReasonCode
from shared.topics import INGEST_PREFIX, feedback_topic, logical, publisher_of_topic

log = get_logger(__name__)
M = TypeVar("M", bound=BaseModel)
EVENTS = PromCounter(
    "diklat_events_total", "consumed events by outcome", ["service", "outcome", "reason"]
)
BATCH_SECONDS = Histogram("diklat_batch_seconds", "time to handle one batch", ["service"])
BATCHES_REDONE = PromCounter(
    "diklat_batches_redone_total",
    "batches redone with the inbox read first: the inbox already held some of their events",
    ["service"],
)
# Domain events never expire in parking (they are facts another service already decided): how
# many wait, and for how long, is the alarm instead. Set by each parking sweep.
PARKED_DOMAIN = Gauge(
    "diklat_parked_domain_events",
    "domain events waiting in parking for a prerequisite",
    ["service"],
)
PARKED_DOMAIN_OLDEST = Gauge(
    "diklat_parked_domain_oldest_seconds",
    "how long the oldest domain event waiting in parking has waited",
    ["service"],
)
# Transient: replaying the batch succeeds (a plan cached before a schema swap is re-prepared).
_RETRYABLE: tuple[type[Exception], ...] = (
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
    asyncpg.InvalidCachedStatementError,
)


_NOT_THE_EVENTS_FAULT = (*CONNECTION_LOST, *_RETRYABLE)
# asyncpg refusing a parameter before sending it (an int beyond int4, text it cannot encode):
# the event's fault, although it derives from InterfaceError, one of CONNECTION_LOST.
_INPUT_REFUSED = asyncpg.exceptions._base.DataError
# Postgres or the server's state, not the batch's content: redelivery waits them out.
_SERVER_TROUBLE = (
    asyncpg.InsufficientResourcesError,
    asyncpg.OperatorInterventionError,
    asyncpg.PostgresSystemError,
)


def _server_trouble(exc: Exception) -> bool:
    """Whether a failure is the server's or the connection's rather than an event's."""
    if isinstance(exc, _INPUT_REFUSED):
        return False
    return isinstance(exc, (*_NOT_THE_EVENTS_FAULT, *_SERVER_TROUBLE))


class Record(Protocol):
    """What the core needs of an aiokafka ConsumerRecord."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


@dataclass(frozen=True)
class Handled:
    outcome: Outcome
    reason: ReasonCode | None = None
    message_id: str | None = None
    message_en: str | None = None

    @classmethod
    def applied(cls) -> Handled:
        return _APPLIED  # frozen, so one instance serves every applied event

    @classmethod
    def parked(cls) -> Handled:
        return cls(Outcome.PARKED)

    @classmethod
    def rejected(
        cls, reason: ReasonCode, message_id: str | None = None, message_en: str | None = None
    ) -> Handled:
        default_id, default_en = DEFAULT_MESSAGES[reason]
        return cls(Outcome.REJECTED, reason, message_id or default_id, message_en or default_en)


_APPLIED = Handled(Outcome.APPLIED)


def validated_run(
    run: Sequence[CloudEvent], model: type[M]
) -> tuple[list[Handled | None], list[tuple[int, CloudEvent, M]]]:
    """Each event's data as `model` with its position in the run; a rejection in the outcome
    slot of each one that does not validate (the others are decided by the caller)."""
    outcomes: list[Handled | None] = [None] * len(run)
    valid: list[tuple[int, CloudEvent, M]] = []
    for index, event in enumerate(run):
        try:
            valid.append((index, event, validate_data(event, model)))
        except EnvelopeError as error:
            outcomes[index] = Handled.rejected(error.code, error.message_id, error.message_en)
    return outcomes, valid


def applied_unless_invalid(
    run: Sequence[CloudEvent], model: type[M]
) -> tuple[list[Handled], list[tuple[CloudEvent, M]]]:
    """For runs whose valid events are all applied: the outcomes, and each valid event with its
    data as `model`."""
    outcomes, valid = validated_run(run, model)
    return [o or Handled.applied() for o in outcomes], [(e, d) for _, e, d in valid]


def _just_past(prefix: str) -> str:
    """The least string above every string that starts with `prefix`, in byte order."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def is_publisher_event(event: CloudEvent) -> bool:
    """An ingest event (a publisher's request), not a domain event of one of our services."""
    return event.source.startswith("/publishers/")


def waiting_for_cohort(cohort_code: str) -> str:
    """Parking key: the cohort's schedule has not reached this service yet."""
    return f"cohort:{cohort_code}"


def waiting_for_enrolment(cohort_code: str, nip: str) -> str:
    """Parking key: this participant's enrolment has not reached this service yet."""
    return f"enrolment:{cohort_code}:{nip}"


Handler = Callable[["UnitOfWork", CloudEvent], Awaitable[Handled]]
DuplicateHook = Callable[["UnitOfWork", CloudEvent], Awaitable[None]]
BatchHandler = Callable[["UnitOfWork", Sequence[CloudEvent]], Awaitable[list[Handled]]]


@dataclass(frozen=True)
class Route:
    handler: Handler
    reports: bool = True  # False: this service watches the type but another one owns it
    # Optional set-based handler for a run of consecutive events of this type: one query for
    # many events on the hot path. It must decide exactly as `handler` would, event by event.
    batch: BatchHandler | None = None
    # Called for an event of this type whose id was used before by another record (not a
    # replay of this one): the core answers `duplicate` without the handler, but the service
    # may owe the others a word about it (enrolment: a close that closed nothing).
    duplicate: DuplicateHook | None = None
    # Called, after the handler's savepoint is rolled back, for an event of this type rejected
    # PROCESSING_ERROR: the same word may be owed (a close that failed closed nothing).
    failed: DuplicateHook | None = None


@dataclass
class UnitOfWork:
    """What a handler may touch: the transaction's connection, the outbox, parking."""

    conn: Connection
    service: str
    park_timeout: dt.timedelta
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    rows: list[OutboxRow] = field(default_factory=list)
    unparked: list[CloudEvent] = field(default_factory=list)

    def emit(
        self, topic: str, data: BaseModel, subject: str, event_id: str | None = None
    ) -> CloudEvent:
        event = domain_event(self.service, data, subject, event_id, time=self.now)
        self.rows.append(row_for(topic, event))
        return event

    def notify(self, publisher: str, notice: Notice, event_id: str) -> None:
        """A notice to the publisher (certificate issued, completion failed)."""
        event = CloudEvent(
            id=event_id,
            source=f"/services/{self.service}",
            type=NOTICE_TYPE,
            time=self.now,
            data=notice.model_dump(mode="json"),
            subject=notice.cohort_code,
        )
        self.rows.append(row_for(feedback_topic(publisher), event))

    async def park(
        self,
        event: CloudEvent,
        waiting_for: str,
        reject_code: ReasonCode,
        timeout: dt.timedelta | None = None,
    ) -> Handled:
        position = event.position or RecordPosition("", 0, 0)
        await self.conn.execute(
            """INSERT INTO parked_events (source, event_id, waiting_for, reject_code, topic,
                   partition, "offset", event, expires_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9::timestamptz, 'infinity'))
               ON CONFLICT (source, event_id) DO UPDATE SET waiting_for = EXCLUDED.waiting_for""",
            event.source,
            event.id,
            waiting_for,
            reject_code.value,
            position.topic,
            position.partition,
            position.offset,
            _to_json(event),
            # A publisher's request expires; another service's fact waits as long as it needs.
            self.now + (timeout or self.park_timeout) if is_publisher_event(event) else None,
        )
        return Handled.parked()

    async def unpark_cohort(self, cohort_code: str) -> int:
        """Queue everything of this cohort that waits (its schedule or any enrolment): e.g. at
        close, when the roster is final and waiting longer cannot help."""
        return await self.unpark_cohorts([cohort_code])

    async def unpark_cohorts(self, cohort_codes: Sequence[str]) -> int:
        """`unpark_cohort` for many cohorts: one look for what waits, one unpark."""
        if not cohort_codes:
            return 0
        prefixes = [waiting_for_enrolment(code, "") for code in cohort_codes]
        keys = await self.conn.fetch(
            """SELECT waiting_for FROM parked_events WHERE waiting_for = ANY($1::text[])
               UNION
               SELECT p.waiting_for FROM unnest($2::text[], $3::text[]) AS b(low, high)
               CROSS JOIN LATERAL (
                   SELECT waiting_for FROM parked_events
                   WHERE (waiting_for COLLATE "C") >= b.low AND (waiting_for COLLATE "C") < b.high
               ) p""",
            [waiting_for_cohort(code) for code in cohort_codes],
            prefixes,
            [_just_past(prefix) for prefix in prefixes],
        )
        return await self.unpark_many([r["waiting_for"] for r in keys])

    async def unpark(self, waiting_for: str) -> int:
        """Queue the events waiting for this prerequisite; the core re-runs them next."""
        return await self.unpark_many([waiting_for])

    async def unpark_many(self, waiting_for: Sequence[str]) -> int:
        """`unpark` for many prerequisites in one statement."""
        if not waiting_for:
            return 0
        rows = await self.conn.fetch(
            """DELETE FROM parked_events WHERE waiting_for = ANY($1::text[])
               RETURNING event, topic, partition, "offset" """,
            list(waiting_for),
        )
        for row in sorted(rows, key=lambda r: (r["partition"], r["offset"])):
            self.unparked.append(_from_json(row))
        return len(rows)


@dataclass
class Activity:
    """When a service's consumers last handled events: background work that can wait (PDF
    rendering) waits for a quiet moment instead of taking CPU from them."""

    clock: Callable[[], float] = time.monotonic
    in_flight: int = 0
    last_done: float = float("-inf")

    @contextlib.contextmanager
    def working(self) -> Iterator[None]:
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1
            self.last_done = self.clock()

    def quiet_for(self) -> float:
        """Seconds since the last batch ended; 0 while one is being handled."""
        return 0.0 if self.in_flight else self.clock() - self.last_done

    async def until_quiet(
        self,
        quiet_s: float,
        at_most_s: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        poll_s: float = 0.05,
    ) -> None:
        """Return once nothing was handled for `quiet_s`, or after `at_most_s` in any case (so
        the background work still advances under sustained load)."""
        deadline = self.clock() + at_most_s
        while self.quiet_for() < quiet_s and self.clock() < deadline:
            await sleep(poll_s)


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
    ) -> None:
        self.namespace = namespace
        self.activity = activity or Activity()
        # Parked ingest events may be released by a domain event: they run on these routes.
        self.parked_routes = {**routes, **(parked_routes or {})}
        self.service = service
        self.pool = pool
        self.routes = routes
        self.reports_envelope_errors = reports_envelope_errors
        # The service keeps all its state per cohort: events of different cohorts commute, so
        # a batch may be regrouped into longer set-based runs (see `in_phases`).
        self.cohorts_commute = cohorts_commute
        self.park_timeout = dt.timedelta(seconds=park_timeout_s)
        self.lanes = lanes
        self.lane_min_records = lane_min_records
        # Whether the next batch reads the inbox before handling (see `_transaction`). Redelivery
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

    async def _process_lanes(self, items: list[CloudEvent | EnvelopeError]) -> Counter[str]:
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

    async def process_items(self, items: list[CloudEvent | EnvelopeError]) -> Counter[str]:
        """Handle what `read` made of a batch, in one transaction (retried as below)."""
        started = time.perf_counter()
        if self.cohorts_commute:
            items = in_phases(items)
        attempts, look_up = 0, self.expect_seen
        while True:
            try:
                counts = await self._transaction(items, careful=attempts > 0, look_up=look_up)
                break
            except _AlreadyInInbox:
                # Rolled back: handled again, this time knowing what the inbox holds.
                BATCHES_REDONE.labels(self.service).inc()
                look_up = True
            except _RETRYABLE:
                attempts += 1
                if attempts > 5:
                    raise
            except Exception as exc:
                if _server_trouble(exc):
                    raise
                if attempts > 0:
                    # Event by event it still failed outside the handlers' savepoints: one of
                    # the core's own statements refused something. Each record alone then, so
                    # one that fails is rejected instead of holding up its partition forever.
                    log.exception("batch failed event by event; each alone", records=len(items))
                    counts = await self._each_alone(items)
                    break
                log.exception("batch failed; replaying it event by event", records=len(items))
                attempts += 1
        BATCH_SECONDS.labels(self.service).observe(time.perf_counter() - started)
        if counts:
            log.info("batch handled", records=len(items), **{str(k): v for k, v in counts.items()})
        return counts

    async def _each_alone(self, items: list[CloudEvent | EnvelopeError]) -> Counter[str]:
        counts: Counter[str] = Counter()
        for item in items:
            try:
                counts += await self._transaction([item], careful=True, look_up=True)
            except Exception as exc:
                if _server_trouble(exc):
                    raise
                log.exception(
                    "event failed outside its handler; rejected PROCESSING_ERROR",
                    record=(item.position or RecordPosition("", 0, 0)).reference(),
                )
                counts += await self._refuse(item)
        return counts

    async def _refuse(self, item: CloudEvent | EnvelopeError) -> Counter[str]:
        """Record an item the core cannot handle as rejected PROCESSING_ERROR, in a transaction
        of its own; should even that fail, under its position (its id or type may be what is
        refused). A domain event that cannot be recorded is skipped, as an unreadable one is."""
        position = item.position or RecordPosition("", 0, 0)
        is_ingest = position.topic.startswith(INGEST_PREFIX)
        for by_position in (False, True):
            if by_position and not is_ingest:
                log.error("domain record cannot be recorded; skipped", record=position.reference())
                return Counter()
            ledger = _Ledger(self.service, dt.datetime.now(dt.UTC))
            if by_position:
                error = EnvelopeError(
                    ReasonCode.PROCESSING_ERROR, DEFAULT_MESSAGES[ReasonCode.PROCESSING_ERROR][1]
                )
                error.position = position
                ledger.envelope_error(error, {})
            elif isinstance(item, CloudEvent):
                handled = Handled.rejected(ReasonCode.PROCESSING_ERROR)
                ledger.record(item, handled, self._reports(item), is_retry=False)
            else:
                ledger.envelope_error(item, {})
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    await ledger.write(conn)
                    await write_rows(conn, ledger.feedback_rows())
            except asyncpg.UniqueViolationError:
                return Counter()  # decided meanwhile (another instance): nothing to add
            except Exception as exc:
                if _server_trouble(exc) or by_position:
                    raise
                continue
            for (outcome, reason), n in ledger.metric_keys.items():
                EVENTS.labels(self.service, outcome, reason).inc(n)
            return ledger.counts
        raise AssertionError("unreachable")

    def read(self, record: Record) -> CloudEvent | EnvelopeError | None:
        """The record as an event for the routes, an envelope error to report, or None."""
        topic = logical(self.namespace, record.topic)
        position = RecordPosition(topic, record.partition, record.offset)
        is_ingest = topic.startswith(INGEST_PREFIX)
        try:
            event = parse_record(position, record.value, record.headers)
            if is_ingest:
                check_source(event, topic)
        except EnvelopeError as error:
            error.position = position
            if not is_ingest:
                # Our own services wrote it: a bug to see, not a publisher's error to report.
                log.error(
                    "domain record unreadable; skipped",
                    record=position.reference(),
                    reason=error.code.value,
                    error=str(error),
                )
            return error if self.reports_envelope_errors and is_ingest else None
        if event.type in self.routes:
            return event
        if self.reports_envelope_errors and is_ingest and event.type not in INGEST_TYPES:
            unknown = EnvelopeError(
                ReasonCode.UNKNOWN_TYPE,
                f"unknown event type {event.type!r}",
                f"jenis event {event.type!r} tidak dikenal",
                event_id=event.id,
                event_type=event.type,
            )
            unknown.position = position
            return unknown
        return None

    async def _transaction(
        self, items: list[CloudEvent | EnvelopeError], careful: bool, look_up: bool
    ) -> Counter[str]:
        async with self.pool.acquire() as conn, conn.transaction():
            await _lock_cohorts(conn, items)
            # Optimistic: on the hot path nothing of a batch is in the inbox yet, so the lookup
            # (a join of every key, ~10% of Postgres' statement time) is skipped while lookups
            # keep finding nothing. Should an event be there after all, the inbox insert's
            # unique key refuses the batch and it is redone with the lookup.
            look_up = look_up or careful
            seen = await _seen(conn, items) if look_up else {}
            if look_up:
                self.expect_seen = bool(seen)
            uow = UnitOfWork(conn, self.service, self.park_timeout)
            ledger = _Ledger(self.service, uow.now)
            run = _Run()
            for item in items:
                if not careful and self._joins_run(item, run, seen, ledger):
                    assert isinstance(item, CloudEvent)
                    run.add(item)
                    continue
                await self._flush(uow, ledger, run)
                await self._one(uow, ledger, item, seen, careful)
            await self._flush(uow, ledger, run)
            try:
                await ledger.write(conn)
            except asyncpg.UniqueViolationError:
                if look_up:
                    raise  # claimed meanwhile by another instance: handled as any failure
                raise _AlreadyInInbox from None
            await write_rows(conn, uow.rows + ledger.feedback_rows())
        for (outcome, reason), n in ledger.metric_keys.items():
            EVENTS.labels(self.service, outcome, reason).inc(n)
        return ledger.counts

    def _joins_run(
        self,
        item: CloudEvent | EnvelopeError,
        run: _Run,
        seen: dict[tuple[str, str], tuple[Any, ...]],
        ledger: _Ledger,
    ) -> bool:
        """A new event of a batch-routed type extends the current run of that type."""
        if isinstance(item, EnvelopeError) or self.routes[item.type].batch is None:
            return False
        if run.events and run.events[0].type != item.type:
            return False
        key = (item.source, item.id)
        return key not in seen and key not in ledger.keys and key not in run.keys

    async def _flush(self, uow: UnitOfWork, ledger: _Ledger, run: _Run) -> None:
        if not run.events:
            return
        route = self.routes[run.events[0].type]
        assert route.batch is not None
        outcomes = await route.batch(uow, run.events)
        for event, handled in zip(run.events, outcomes, strict=True):
            ledger.record(event, handled, route.reports, is_retry=False)
        run.clear()
        while uow.unparked:
            await self._run(uow, ledger, uow.unparked.pop(0), careful=False, is_retry=True)

    async def _one(
        self,
        uow: UnitOfWork,
        ledger: _Ledger,
        item: CloudEvent | EnvelopeError,
        seen: dict[tuple[str, str], tuple[Any, ...]],
        careful: bool,
    ) -> None:
        if isinstance(item, EnvelopeError):
            ledger.envelope_error(item, seen)
            return
        key = (item.source, item.id)
        if key in seen or key in ledger.keys:
            ledger.duplicate(item, self._reports(item), seen.get(key))
            await self._after_duplicate(uow, ledger, item, seen.get(key), careful)
            return
        await self._run(uow, ledger, item, careful, is_retry=False)
        while uow.unparked:
            await self._run(uow, ledger, uow.unparked.pop(0), careful, is_retry=True)

    async def _run(
        self, uow: UnitOfWork, ledger: _Ledger, event: CloudEvent, careful: bool, is_retry: bool
    ) -> None:
        route = (self.parked_routes if is_retry else self.routes)[event.type]
        if careful:
            rows, unparked = len(uow.rows), len(uow.unparked)
            try:
                async with uow.conn.transaction():
                    handled = await _guarded(route.handler, uow, event)
            except Exception as exc:
                if _server_trouble(exc):
                    raise
                log.exception("handler failed", event_id=event.id, event_type=event.type)
                handled = Handled.rejected(ReasonCode.PROCESSING_ERROR)
                # What it emitted and unparked is rolled back with its savepoint: none of it
                # may reach the outbox or run (a refused registration announces no enrolment).
                del uow.rows[rows:], uow.unparked[unparked:]
                if route.failed is not None:
                    await self._hook(uow, route.failed, event, "failure hook")
        else:
            handled = await _guarded(route.handler, uow, event)
        ledger.record(event, handled, route.reports, is_retry)

    async def _after_duplicate(
        self,
        uow: UnitOfWork,
        ledger: _Ledger,
        event: CloudEvent,
        first: tuple[Any, ...] | None,
        careful: bool,
    ) -> None:
        """The route's duplicate hook, for a re-used id (a replay of the same record was done
        the first time). In the careful replay a failing hook is logged and left out, with
        what it emitted: the duplicate outcome stands."""
        hook = self.routes[event.type].duplicate
        if hook is None or _same_record(event, first):
            return
        if not careful:
            await hook(uow, event)
        else:
            await self._hook(uow, hook, event, "duplicate hook")
        while uow.unparked:
            await self._run(uow, ledger, uow.unparked.pop(0), careful, is_retry=True)

    async def _hook(
        self, uow: UnitOfWork, hook: DuplicateHook, event: CloudEvent, what: str
    ) -> None:
        """A route's hook in a savepoint of its own: should it fail too, it is logged and left
        out with what it emitted and released, and the event's outcome stands."""
        rows, unparked = len(uow.rows), len(uow.unparked)
        try:
            async with uow.conn.transaction():
                await hook(uow, event)
        except Exception as exc:
            if _server_trouble(exc):
                raise
            log.exception(f"{what} failed", event_id=event.id, event_type=event.type)
            del uow.rows[rows:], uow.unparked[unparked:]

    async def expire_parked(self) -> int:
        """Reject parked publisher events whose wait is over, with the code they were parked
        with. Domain events are not expired (parked with no end; the source test also covers
        rows parked before that): the gauges show them instead."""
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                """DELETE FROM parked_events WHERE (source, event_id) IN (
                       SELECT source, event_id FROM parked_events
                       WHERE expires_at <= now() AND source LIKE '/publishers/%'
                       ORDER BY expires_at LIMIT 1000 FOR UPDATE SKIP LOCKED)
                   RETURNING event, topic, partition, "offset", reject_code"""
            )
            waiting = await conn.fetchrow(
                """SELECT count(*), extract(epoch FROM now() - min(parked_at))
                   FROM parked_events WHERE source NOT LIKE '/publishers/%'"""
            )
            if waiting is not None:  # an aggregate's one row
                PARKED_DOMAIN.labels(self.service).set(waiting[0])
                PARKED_DOMAIN_OLDEST.labels(self.service).set(float(waiting[1] or 0))
            ledger = _Ledger(self.service, dt.datetime.now(dt.UTC))
            for row in rows:
                event = _from_json(row)
                code = ReasonCode(row["reject_code"])
                handled = Handled.rejected(code, *_waited_too_long(code))
                ledger.record(event, handled, self._reports(event, parked=True), is_retry=True)
            await ledger.write(conn)
            await write_rows(conn, ledger.feedback_rows())
        return len(rows)

    def _reports(self, event: CloudEvent, parked: bool = False) -> bool:
        route = (self.parked_routes if parked else self.routes).get(event.type)
        return route is not None and route.reports


def _same_record(event: CloudEvent, first: tuple[Any, ...] | None) -> bool:
    position = event.position
    return (
        first is not None
        and position is not None
        and first == (position.topic, position.partition, position.offset)
    )


async def _guarded(handler: Handler, uow: UnitOfWork, event: CloudEvent) -> Handled:
    try:
        return await handler(uow, event)
    except EnvelopeError as error:
        return Handled.rejected(error.code, error.message_id, error.message_en)


@dataclass
class _Run:
    """Consecutive new events of one batch-routed type, handled together."""

    events: list[CloudEvent] = field(default_factory=list)
    keys: set[tuple[str, str]] = field(default_factory=set)

    def add(self, event: CloudEvent) -> None:
        self.events.append(event)
        self.keys.add((event.source, event.id))

    def clear(self) -> None:
        self.events = []
        self.keys = set()


class _Ledger:
    """Inbox rows, feedback and counts of one batch, written in bulk at the end."""

    def __init__(self, service: str, now: dt.datetime) -> None:
        self.service = service
        self.now = now
        self.now_text = now.isoformat()
        self.inserts: list[tuple[Any, ...]] = []
        self.updates: list[tuple[Any, ...]] = []
        # Per publisher: each outcome with the reference of the record it answers.
        self.outcomes: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.keys: set[tuple[str, str]] = set()
        self.counts: Counter[str] = Counter()
        self.metric_keys: Counter[tuple[str, str]] = Counter()  # (outcome, reason): events

    def record(self, event: CloudEvent, handled: Handled, reports: bool, is_retry: bool) -> None:
        position = event.position or RecordPosition("", 0, 0)
        reason = handled.reason.value if handled.reason else None
        if is_retry:
            self.updates.append((event.source, event.id, handled.outcome.value, reason))
        else:
            self.inserts.append(
                (
                    event.source,
                    event.id,
                    event.type,
                    event.publisher,
                    handled.outcome.value,
                    reason,
                    position.topic,
                    position.partition,
                    position.offset,
                )
            )
        self.keys.add((event.source, event.id))
        self._count(event, handled, reports, event.type)

    def duplicate(self, event: CloudEvent, reports: bool, first: tuple[Any, ...] | None) -> None:
        position = event.position
        # A replay of the very record already handled (crash before the offset commit) is
        # not news for the publisher; a second record with a used id is.
        if (
            first is not None
            and position is not None
            and first == (position.topic, position.partition, position.offset)
        ):
            self.counts["replayed"] += 1
            return
        self._count(event, Handled(Outcome.DUPLICATE), reports, event.type)

    def envelope_error(
        self, error: EnvelopeError, seen: dict[tuple[str, str], tuple[Any, ...]]
    ) -> None:
        position = error.position or RecordPosition("", 0, 0)
        source = publisher_of_topic(position.topic) or position.topic
        key = (f"/publishers/{source}", error.event_id or position.reference())
        if key in seen or key in self.keys:
            # As for events: a replay of the same record is silent, a re-sent id is a duplicate.
            if seen.get(key) != (position.topic, position.partition, position.offset):
                handled = Handled(Outcome.DUPLICATE)
                self._feedback(source, key[1], error.event_type, None, handled, position)
                self.counts[handled.outcome] += 1
                self.metric_keys[(handled.outcome.value, "")] += 1
            return
        self.keys.add(key)
        handled = Handled(Outcome.REJECTED, error.code, error.message_id, error.message_en)
        self.inserts.append(
            (
                *key,
                error.event_type,
                source,
                Outcome.REJECTED.value,
                error.code.value,
                position.topic,
                position.partition,
                position.offset,
            )
        )
        self._feedback(source, key[1], error.event_type, None, handled, position)
        self.counts[handled.outcome] += 1
        self.metric_keys[(handled.outcome.value, error.code.value)] += 1

    def _count(self, event: CloudEvent, handled: Handled, reports: bool, event_type: str) -> None:
        self.counts[handled.outcome] += 1
        self.metric_keys[
            (handled.outcome.value, handled.reason.value if handled.reason else "")
        ] += 1
        if handled.outcome is Outcome.REJECTED:
            log.info(
                "event rejected",
                event_id=event.id,
                publisher=event.publisher,
                event_type=event_type,
                outcome=handled.outcome.value,
                reason=handled.reason.value if handled.reason else None,
            )
        if reports and event.publisher is not None:
            self._feedback(
                event.publisher,
                event.id,
                event_type,
                event.subject or _cohort_code(event),
                handled,
                event.position,
            )

    def _feedback(
        self,
        publisher: str,
        event_id: str,
        event_type: str | None,
        cohort_code: str | None,
        handled: Handled,
        record: RecordPosition | None,
    ) -> None:
        # An EventOutcome's fields as a plain dict: built once per ingest event on the hot
        # path (tests/shared/test_feedback_shape.py holds it to the model).
        self.outcomes.setdefault(publisher, []).append(
            (
                f"{record[0]}/{record[1]}/{record[2]}" if record else "",
                {
                    "event_id": event_id,
                    "event_type": event_type,
                    "outcome": handled.outcome.value,
                    "reason": handled.reason.value if handled.reason else None,
                    "message_id": handled.message_id,
                    "message_en": handled.message_en,
                    "cohort_code": cohort_code,
                },
            )
        )

    def feedback_rows(self) -> list[OutboxRow]:
        """The batch's outcomes as v2 feedback: per publisher, in chunks, in event order."""
        return [
            row
            for publisher, outcomes in self.outcomes.items()
            for start in range(0, len(outcomes), MAX_OUTCOMES_PER_MESSAGE)
            for row in self._feedback_rows(
                publisher, outcomes[start : start + MAX_OUTCOMES_PER_MESSAGE]
            )
        ]

    def _feedback_rows(
        self, publisher: str, outcomes: list[tuple[str, dict[str, Any]]]
    ) -> list[OutboxRow]:
        # Halved until each message fits: 500 outcomes of hostile records (200-character ids
        # of control characters, each escaped to 6 bytes) would pass the broker's 1 MB limit,
        # and a message the broker refuses stops the relay, and with it all of the outbox.
        row = self._feedback_row(publisher, outcomes)
        if len(row.payload) <= MAX_FEEDBACK_BYTES or len(outcomes) == 1:
            return [row]
        half = len(outcomes) // 2
        return self._feedback_rows(publisher, outcomes[:half]) + self._feedback_rows(
            publisher, outcomes[half:]
        )

    def _feedback_row(
        self, publisher: str, outcomes: list[tuple[str, dict[str, Any]]]
    ) -> OutboxRow:
        feedback = CloudEvent(
            id=_outcomes_id(self.service, outcomes),
            source=f"/services/{self.service}",
            type=OUTCOMES_TYPE,
            time=self.now,
            data={
                "service": self.service,
                "decided_at": self.now_text,
                "outcomes": [outcome for _, outcome in outcomes],
            },
        )
        # Keyed by service: one service's outcomes for a publisher stay in order (parked, then
        # applied) on one partition.
        return OutboxRow(
            feedback_topic(publisher), self.service, feedback.id, to_structured(feedback)
        )

    async def write(self, conn: Connection) -> None:
        if self.inserts:
            # One statement for the batch. An event already in the inbox (a redelivery the
            # batch did not look up, or another instance's concurrent claim) aborts it.
            await conn.execute(
                f"""INSERT INTO processed_events (source, event_id, event_type, publisher,
                       outcome, reason, topic, partition, "offset") {_INBOX_ROWS}""",
                json_rows(self.inserts),
            )
        if self.updates:
            await conn.executemany(
                """UPDATE processed_events SET outcome = $3, reason = $4, processed_at = now()
                   WHERE source = $1 AND event_id = $2""",
                self.updates,
            )


# A feedback message's most: well inside the brokers' default 1 MB (a message of 500 ordinary
# outcomes is ~150 KB).
MAX_FEEDBACK_BYTES = 500_000


class _AlreadyInInbox(Exception):
    """The batch's inbox insert met an event already recorded: redo the batch with a lookup."""


_INBOX_ROWS = from_json_rows(
    "source text, event_id text, event_type text, publisher text, outcome text, reason text,"
    ' topic text, partition int, "offset" bigint'
)


def _outcomes_id(service: str, outcomes: list[tuple[str, dict[str, Any]]]) -> str:
    """Derived from what was decided about which records: a batch replayed after a crash
    answers the same records alike under the same id (readers dedupe it), while two records
    that re-used one event id are two answers, never merged (consolidation counts each)."""
    digest = hashlib.blake2b(digest_size=16)
    for record, o in outcomes:
        digest.update(f"{record}\x1d{o['event_id']}\x1f{o['outcome']}\x1e".encode())
    return f"{service}:outcomes:{digest.hexdigest()}"


def _waited_too_long(code: ReasonCode) -> tuple[str, str]:
    message_id, message_en = DEFAULT_MESSAGES[code]
    return (f"{message_id} (menunggu terlalu lama)", f"{message_en} (waited too long)")


def _cohort_code(event: CloudEvent) -> str | None:
    if isinstance(event.data, dict):
        code = event.data.get("cohort_code")
        # Not a 400 KB string echoed in feedback: such a code is refused by every model anyway.
        return code if isinstance(code, str) and len(code) <= MAX_NAME_LENGTH else None
    return None


def share_out(
    items: list[CloudEvent | EnvelopeError], lanes: int, by_cohort: bool = False
) -> list[list[CloudEvent | EnvelopeError]]:
    """The items in up to `lanes` lists of whole partitions (or, where cohorts commute, whole
    cohorts), each one's items in order; the largest go first to the lane with fewest items."""
    groups: dict[object, list[CloudEvent | EnvelopeError]] = {}
    for item in items:
        position = item.position or RecordPosition("", 0, 0)
        key = (by_cohort and _lock_key(item)) or (position.topic, position.partition)
        groups.setdefault(key, []).append(item)
    if lanes <= 1 or len(groups) <= 1:
        return [items]
    shared: list[list[CloudEvent | EnvelopeError]] = [[] for _ in range(min(lanes, len(groups)))]
    for group in sorted(groups.values(), key=len, reverse=True):
        min(shared, key=len).extend(group)
    return shared


def in_phases(items: list[CloudEvent | EnvelopeError]) -> list[CloudEvent | EnvelopeError]:
    """The batch reordered so that set-based runs are long, each cohort's events in order.

    An organiser's log interleaves types per cohort (a schedule, its 30 registrations, the
    next schedule, ...), which cut runs to ~30 events. A cohort's k-th phase is its k-th
    stretch of one type; the batch is ordered by (phase, type, position), so all cohorts'
    first stretches come first, grouped by type. Only for services whose events of different
    cohorts commute. An item without a cohort is a fence nothing moves across, and a segment in
    which an id occurs twice keeps its order (the first of them wins in the inbox)."""
    out: list[CloudEvent | EnvelopeError] = []
    segment: list[CloudEvent] = []
    for item in items:
        if isinstance(item, CloudEvent) and _lock_key(item) is not None:
            segment.append(item)
            continue
        out += _phased(segment)
        out.append(item)
        segment = []
    return out + _phased(segment)


def _phased(segment: list[CloudEvent]) -> list[CloudEvent]:
    if len({(e.source, e.id) for e in segment}) != len(segment):
        return segment
    phase: dict[str | None, int] = {}
    last_type: dict[str | None, str] = {}
    rank: dict[tuple[int, str], int] = {}
    keyed: list[tuple[tuple[int, int, int], CloudEvent]] = []
    for index, event in enumerate(segment):
        cohort = _lock_key(event)
        stretch = phase.get(cohort, 0) + (last_type.get(cohort, event.type) != event.type)
        phase[cohort], last_type[cohort] = stretch, event.type
        kind = rank.setdefault((stretch, event.type), len(rank))
        keyed.append(((stretch, kind, index), event))
    return [event for _, event in sorted(keyed, key=lambda pair: pair[0])]


def _lock_key(item: CloudEvent | EnvelopeError) -> str | None:
    if isinstance(item, EnvelopeError):
        return None
    return item.subject or _cohort_code(item)


async def _lock_cohorts(conn: Connection, items: Iterable[CloudEvent | EnvelopeError]) -> None:
    await lock_cohorts(conn, [k for k in map(_lock_key, items) if k])


async def lock_cohorts(conn: Connection, codes: Iterable[str]) -> None:
    """The cohort lock: transaction-scoped, per schema and cohort code, taken in hash order (no
    deadlocks). Everything that changes a cohort's state (the consumers, the admin API) takes
    it through here, so they exclude each other."""
    keys = sorted(set(codes))
    if keys:
        await conn.execute(
            """SELECT pg_advisory_xact_lock(h) FROM (
                   SELECT DISTINCT hashtext(current_schema() || '/' || k) AS h
                   FROM unnest($1::text[]) AS k ORDER BY h) s""",
            keys,
        )


async def _seen(
    conn: Connection, items: Sequence[CloudEvent | EnvelopeError]
) -> dict[tuple[str, str], tuple[Any, ...]]:
    keys: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, CloudEvent):
            keys.append((item.source, item.id))
        else:
            position = item.position or RecordPosition("", 0, 0)
            source = f"/publishers/{publisher_of_topic(position.topic)}"
            keys.append((source, item.event_id or position.reference()))
    rows = await conn.fetch(_SEEN, json_rows(keys))
    return {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}


_SEEN = f"""SELECT p.source, p.event_id, p.topic, p.partition, p."offset"
    FROM processed_events p
    JOIN ({from_json_rows("source text, event_id text")}) AS b
      ON p.source = b.source AND p.event_id = b.event_id"""


def _to_json(event: CloudEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "source": event.source,
        "type": event.type,
        "time": event.time.isoformat(),
        "subject": event.subject,
        "data": event.data,
    }


def _from_json(row: asyncpg.Record) -> CloudEvent:
    body = row["event"]
    return CloudEvent(
        id=body["id"],
        source=body["source"],
        type=body["type"],
        time=dt.datetime.fromisoformat(body["time"]),
        data=body["data"],
        subject=body["subject"],
        position=RecordPosition(row["topic"], row["partition"], row["offset"]),
    )
