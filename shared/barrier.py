"""Close barriers: where the owner's `cohort.closed` sits on the ingest log, as this service saw
it. An ingest event of the same cohort after that offset was sent after the close.

A barrier counts only once enrolment has accepted that very close: its CohortClosed names the
record (cohort, source, event id). A close enrolment did not apply (rejected, a duplicate id, a
second close) gets a CloseRefused instead, and its barrier is dropped. Until the verdict is in,
an event positioned after the barrier cannot be judged and waits for it (`waiting_for_close`).
Barriers are keyed by source as well: another publisher's record with the same id is its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared import judgement
from shared.consumer import Handled, applied_unless_invalid
from shared.consumer.routes import waiting_for_cohort, waiting_for_enrolment
from shared.db import Connection, from_json_rows, json_rows
from shared.envelope import CloudEvent, RecordPosition
from shared.events.domain import CloseRefused, CohortClosed, IngestRef
from shared.events.ingest import CohortClosed as IngestClose
from shared.topics import publisher_source

# A barrier as stored: cohort, source, event id, topic, partition, offset, passed (this service
# saw the record on its ingest log), verdict (None, "closed" or "refused").
BarrierRow = tuple[str, str, str, str, int, int, bool, str | None]


def waiting_for_close(cohort_code: str) -> str:
    """Parking key: enrolment's verdict on a close of this cohort has not reached us yet."""
    return f"close:{cohort_code}"


def waiting_key(waiting: judgement.Waiting, cohort_code: str, nip: str) -> str:
    """The parking key an ingest record of (cohort, NIP) waits under, as the core unparks it."""
    if waiting is judgement.Waiting.COHORT:
        return waiting_for_cohort(cohort_code)
    if waiting is judgement.Waiting.ENROLMENT:
        return waiting_for_enrolment(cohort_code, nip)
    return waiting_for_close(cohort_code)


def noted_barriers(events: Sequence[CloudEvent]) -> tuple[list[Handled], list[BarrierRow]]:
    """Where each close sits, one row per (cohort, source, id), first record first. Its data is
    checked as enrolment checks it: a close enrolment answers SCHEMA_INVALID makes no barrier
    (and gets no verdict)."""
    outcomes, valid = applied_unless_invalid(events, IngestClose)
    rows: dict[tuple[str, str, str], BarrierRow] = {}
    for event, data in valid:
        position = event.position or RecordPosition("", 0, 0)
        key = (data.cohort_code, event.source, event.id)
        rows.setdefault(
            key, (*key, position.topic, position.partition, position.offset, True, None)
        )
    return outcomes, list(rows.values())


def confirmed_barriers(closes: Sequence[CohortClosed]) -> list[BarrierRow]:
    """Enrolment applied these closes: their barriers count (noted now if not seen yet)."""
    return _verdicts(
        [(d.cohort_code, publisher_source(d.publisher), d.cause) for d in closes], "closed"
    )


def refused_barriers(refusals: Sequence[CloseRefused]) -> list[BarrierRow]:
    """Enrolment did not apply these closes: their barriers do not count."""
    return _verdicts(
        [(d.cohort_code, publisher_source(d.publisher), d.cause) for d in refusals], "refused"
    )


def _verdicts(verdicts: Sequence[tuple[str, str, IngestRef]], verdict: str) -> list[BarrierRow]:
    rows: dict[tuple[str, str, str], BarrierRow] = {}
    for code, source, cause in verdicts:
        key = (code, source, cause.event_id)
        rows.setdefault(key, (*key, cause.topic, cause.partition, cause.offset, False, verdict))
    return list(rows.values())


async def note_closes(
    conn: Connection, events: Sequence[CloudEvent]
) -> tuple[list[Handled], list[str]]:
    """Remember where each close sits, in one statement (`noted_barriers`). Returns each
    event's outcome and the cohort codes of the barriers noted, in order."""
    outcomes, rows = noted_barriers(events)
    await save_noted(conn, rows)
    return outcomes, [row[0] for row in rows]


async def save_noted(conn: Connection, rows: Sequence[BarrierRow]) -> None:
    """Store barriers this service passed on its ingest log."""
    if not rows:
        return
    # A row a verdict made first takes the position this service saw; a record seen
    # before (a replay, a re-sent close) keeps the first.
    await conn.execute(
        f"""INSERT INTO close_barriers (cohort_code, source, event_id, topic, partition,
               "offset", passed, verdict) {_BARRIERS}
           ON CONFLICT (cohort_code, source, event_id) DO UPDATE SET passed = true,
               topic = EXCLUDED.topic, partition = EXCLUDED.partition,
               "offset" = EXCLUDED."offset"
           WHERE NOT close_barriers.passed""",
        json_rows(rows),
    )


async def confirm_closes(conn: Connection, closes: Sequence[CohortClosed]) -> None:
    """Enrolment applied these closes: their barriers count (noted now if not seen yet)."""
    await save_verdicts(conn, confirmed_barriers(closes))


async def refuse_closes(conn: Connection, refusals: Sequence[CloseRefused]) -> None:
    """Enrolment did not apply these closes: their barriers do not count."""
    await save_verdicts(conn, refused_barriers(refusals))


async def save_verdicts(conn: Connection, rows: Sequence[BarrierRow]) -> None:
    """Store enrolment's verdicts. Never undoes a confirmation (a re-sent copy of an accepted
    close is refused as a duplicate)."""
    if not rows:
        return
    await conn.execute(
        f"""INSERT INTO close_barriers (cohort_code, source, event_id, topic, partition,
               "offset", passed, verdict) {_BARRIERS}
           ON CONFLICT (cohort_code, source, event_id) DO UPDATE SET verdict = EXCLUDED.verdict
           WHERE close_barriers.verdict IS DISTINCT FROM 'closed'""",
        json_rows(rows),
    )


_BARRIERS = from_json_rows("text, text, text, text, integer, bigint, boolean, text")
