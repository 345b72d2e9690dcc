"""The rebuild's replay: the live consumer core, fed faster.

A rebuild reads our own domain events and feedback through the live core (same reader, same
handlers). It is Python-bound (Postgres has the other core and uses a fraction of it); what
the profile showed, and what this module does about each:

- Short runs. The core hands a run of consecutive events of one type to a set-based handler;
  in log order a cohort's schedule, enrolments and finalisations interleave, so runs are ~30
  events. `read_batch` groups a batch by the table its events write (keeping each table's
  order), which makes runs as long as the batch.
- The cyclic garbage collector. A batch's events, models and rows (~20 objects an event) live
  until its transaction ends, so with the default thresholds they are promoted and the collector
  rescans the whole heap every few batches: a third of the replay's CPU. The rebuild runs under
  `shared.runtime.fewer_collections` (what existed before is frozen out of the scans, the young
  generation collected every 10,000 allocations instead of 700). Almost nothing here is
  cyclic: reference counting frees it.
- Doing everything in turn. `replay` reads and prepares the next batch while the current one's
  transaction runs (its statements wait on Postgres, which has its own core), yielding between
  chunks so the transaction's next statement goes out as soon as the previous one returns.
- Validating inside the transaction. A batch's transaction is the critical path (Postgres and
  this core take turns in it); validating each event's data there (~5 us an event) kept
  Postgres idle. `read_batch` validates it ahead, overlapped with the previous transaction, with
  the model the handler would use (`DATA_MODELS`); the handler's `validate_data` then passes
  the model through, and invalid data is left as it came for the handler to reject as before.

The handlers, their SQL, the inbox and the order of events on each table are those of the live
service: the rebuilt model equals the live one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import OffsetOutOfRangeError
from pydantic import ValidationError

from services.consolidation import domain
from services.consolidation.handlers import DATA_MODELS
from shared.consumer import BatchProcessor
from shared.envelope import CloudEvent, EnvelopeError
from shared.events import domain as ev
from shared.events.feedback import FEEDBACK_TYPE, OUTCOMES_TYPE, REMINDER_TYPE
from shared.log_end import LogEnds
from shared.settings import InfraSettings

Item = CloudEvent | EnvelopeError

# One batch per transaction. Two batches are in memory at once (one in its transaction, the next
# being read), ~5 KB an event: 10,000 gained nothing measurable and took peak RSS past 200 MB.
BATCH_RECORDS = 5_000
# And at most this many bytes of records, also the most one fetch brings: a per-cohort event
# carries up to 250 participants, so 5,000 of them held 30 times the memory of 5,000
# per-participant events (363 MB of peak RSS for a history of today's contract). 2 MiB (~3,000
# per-participant events) peaked 40-50 MB below 4 MiB at the same rate (bench/notes.md, session 15).
BATCH_BYTES = 2 * 2**20
# A broker answers one connection's requests in turn, so a pass's end offsets waited behind the
# fetch parked at the end of the log (500 ms by default).
FETCH_MAX_WAIT_MS = 20
# Records read between two turns of the event loop (~1 ms): the transaction in flight waits at
# most that long to send its next statement.
_CHUNK = 100

# The read-model table(s) each routed type writes. No handler reads or writes any other table,
# so events of different groups commute, and applying a batch group by group (each in log
# order) gives the same rows as applying it in log order. A routed type missing here keeps its
# batch in log order (tests hold the routes to this map).
TABLE_OF: dict[str, str] = {
    ev.ENROLMENT_COHORT_SCHEDULED: "cohorts",
    ev.ENROLMENT_COHORT_AMENDED: "cohorts",
    ev.ENROLMENT_COHORT_CANCELLED: "cohorts",
    ev.ENROLMENT_COHORT_CLOSED: "cohorts",
    ev.ENROLMENT_PARTICIPANT_ENROLLED: "enrolments, asn",
    ev.ENROLMENT_PARTICIPANTS_ENROLLED: "enrolments, asn",
    ev.ENROLMENT_PARTICIPANT_WITHDRAWN: "enrolments, asn",
    ev.ENROLMENT_ASN_RECORDED: "roster",
    ev.ATTENDANCE_PARTICIPANT_FINALISED: "attendance",
    ev.ATTENDANCE_COHORT_FINALISED_V2: "attendance",
    ev.CERTIFICATION_COMPLETION_DECIDED: "completions",
    ev.CERTIFICATION_CERTIFICATE_ISSUED: "certificates",
    ev.CERTIFICATION_CERTIFICATE_REVOKED: "certificates",
    ev.CERTIFICATION_CERTIFICATE_SUPERSEDED: "certificates",
    # Also writes completions, but a completion's latest decision wins whatever the order, so
    # only its certificates must stay in order with revocations and supersessions.
    ev.CERTIFICATION_COHORT_DECIDED: "certificates",
    FEEDBACK_TYPE: "ingest_outcomes",
    OUTCOMES_TYPE: "ingest_outcomes",
    REMINDER_TYPE: "reminders_sent",
}


def replay_consumer(infra: InfraSettings) -> AIOKafkaConsumer:
    """A consumer for `replay`: no group, nothing committed, partitions assigned by the caller."""
    return AIOKafkaConsumer(
        **infra.kafka_client_config(),
        enable_auto_commit=False,
        group_id=None,
        # A fetch answered "offset out of range" fails the pass (`replay`) rather than jumping
        # to the log's end, aiokafka's default, which leaves a model short of records unseen.
        auto_offset_reset="none",
        max_poll_records=BATCH_RECORDS,
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
        # aiokafka's default (50 MB) held up to that much fetched ahead of the batch being read.
        fetch_max_bytes=BATCH_BYTES,
    )


async def read_batch(
    consumer: AIOKafkaConsumer, processor: BatchProcessor
) -> tuple[int, list[Item]]:
    """Up to BATCH_RECORDS records or BATCH_BYTES of them, waiting only for the first ones, and
    what the core's own reader makes of them, grouped by table. Read a chunk at a time: aiokafka
    unpacks records as they are taken, so a batch taken at once held the event loop for ~10 ms,
    a delay added to the transaction in flight whenever one of its statements returned
    meanwhile."""
    read = size = 0
    items: list[Item] = []
    # Short: a pass that has caught up waits here only for the fetch answer that tells it so.
    timeout_ms = 100
    while read < BATCH_RECORDS and size < BATCH_BYTES:
        batches = await consumer.getmany(
            timeout_ms=timeout_ms, max_records=min(_CHUNK, BATCH_RECORDS - read)
        )
        records = [r for rs in batches.values() for r in rs]
        if not records:
            break
        read += len(records)
        size += sum(len(r.value) for r in records if r.value is not None)
        items.extend(with_model(i) for r in records if (i := processor.read(r)) is not None)
        timeout_ms = 0  # the rest of the batch is what has been fetched already
        await asyncio.sleep(0)  # a turn for the transaction in flight, not a wait
    return read, by_table(items)


def with_model(item: Item) -> Item:
    """The event with its data validated as its handler's model, where only the handler reads
    that data; as it came if it does not validate (the handler rejects it as before)."""
    if not isinstance(item, CloudEvent) or (model := DATA_MODELS.get(item.type)) is None:
        return item
    data = item.data
    # Without a subject the core takes the cohort to lock from the data dict's cohort_code.
    if item.subject is None and isinstance(data, dict) and "cohort_code" in data:
        return item
    try:
        validated = model.model_validate(data)
    except ValidationError:  # the handler meets it again and rejects it as before
        return item
    # The event was made by `read` for this batch alone and no one has seen it yet: the swap
    # costs nothing, where a copy (dataclasses.replace) would cost ~4 us an event.
    item.data = validated
    return item


def by_table(items: list[Item]) -> list[Item]:
    """The batch grouped by table, each group in log order; as it came if that is not safe."""
    groups: dict[str, list[Item]] = {}
    owner: dict[tuple[str, str], str] = {}
    for item in items:
        if not isinstance(item, CloudEvent) or (table := TABLE_OF.get(item.type)) is None:
            return items
        # The inbox lets the first of two events with one id win: keep them in log order.
        if owner.setdefault((item.source, item.id), table) != table:
            return items
        groups.setdefault(table, []).append(item)
    return [item for group in groups.values() for item in group]


async def replay(
    consumer: AIOKafkaConsumer,
    processor: BatchProcessor,
    partitions: list[TopicPartition],
    on_read: Callable[[int], Awaitable[None]] | None = None,
) -> int:
    """Everything up to where each log ends now (`shared.log_end.LogEnds`); returns the records
    read. Records deleted before the pass read them refuse it
    (`domain.records_deleted_while_read`). `on_read` hears the records read so far after each
    batch is handed to its transaction, and runs beside it."""
    ends = await LogEnds.now(consumer, partitions)
    replayed = 0
    in_flight: asyncio.Task[Counter[str]] | None = None
    try:
        while await ends.unread(consumer, partitions):
            # Records past the end are processed too: the position has moved past them, so a
            # later pass would not see them again.
            try:
                read, items = await read_batch(consumer, processor)
            except OffsetOutOfRangeError as gone:
                lost = [(tp.topic, tp.partition, offset) for tp, offset in gone.args[0].items()]
                raise domain.records_deleted_while_read(lost) from None
            if not read:
                continue
            if in_flight is not None:
                await in_flight  # batches commit in order, one transaction at a time
            in_flight = asyncio.create_task(processor.process_items(items))
            replayed += read
            if on_read is not None:
                await on_read(replayed)
        if in_flight is not None:
            await in_flight
    finally:
        if in_flight is not None and not in_flight.done():
            in_flight.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await in_flight
    return replayed
