"""The rebuild's replay: grouping a batch by table keeps each table's order (and the log order
whenever grouping could change an outcome); the collector settings are restored; an unreadable
domain record is skipped, never fatal."""

from __future__ import annotations

import datetime as dt
import gc

import pytest

from services.consolidation.entrypoints.replay import (
    BATCH_BYTES,
    BATCH_RECORDS,
    TABLE_OF,
    Item,
    by_table,
    read_batch,
)
from services.consolidation.handlers import DOMAIN_ROUTES, FEEDBACK_ROUTES
from shared.consumer import BatchProcessor
from shared.envelope import STRUCTURED_HEADERS, CloudEvent, EnvelopeError
from shared.reasons import ReasonCode
from shared.runtime import fewer_collections

pytestmark = pytest.mark.unit
ROUTES = {**DOMAIN_ROUTES, **FEEDBACK_ROUTES}
ENROLLED = "diklat.enrolment.participant_enrolled.v1"
SCHEDULED = "diklat.enrolment.cohort_scheduled.v1"
FINALISED = "diklat.attendance.participant_finalised.v1"
WITHDRAWN = "diklat.enrolment.participant_withdrawn.v1"


def event(event_type: str, event_id: str) -> CloudEvent:
    return CloudEvent(
        id=event_id,
        source="/services/x",
        type=event_type,
        time=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
        data={},
    )


def test_every_route_names_the_tables_it_writes():
    # A new type without an entry would silently keep its batches in log order (correct, but
    # slow); a stale entry would group a type the handlers no longer treat that way.
    assert set(TABLE_OF) == set(ROUTES)


def test_a_batch_is_grouped_by_table_keeping_each_tables_order():
    batch: list[Item] = [
        event(SCHEDULED, "s1"),
        event(ENROLLED, "e1"),
        event(FINALISED, "f1"),
        event(SCHEDULED, "s2"),
        event(ENROLLED, "e2"),
        event(WITHDRAWN, "w1"),
        event(ENROLLED, "e3"),
    ]
    ids = [e.id for e in by_table(batch) if isinstance(e, CloudEvent)]
    assert ids == ["s1", "s2", "e1", "e2", "w1", "e3", "f1"]


def test_an_id_used_on_two_tables_keeps_the_batch_in_log_order():
    # The inbox lets the first of them win, so which one is first must not change.
    batch: list[Item] = [event(ENROLLED, "same"), event(SCHEDULED, "s1"), event(SCHEDULED, "same")]
    assert by_table(batch) == batch


def test_anything_but_a_mapped_event_keeps_the_batch_in_log_order():
    error = EnvelopeError(ReasonCode.MALFORMED, "value is not valid JSON")
    batch: list[Item] = [event(FINALISED, "f1"), error, event(SCHEDULED, "s1")]
    assert by_table(batch) == batch
    unmapped: list[Item] = [event(FINALISED, "f1"), event("x.unmapped.v1", "u1")]
    assert by_table(unmapped) == unmapped


def test_collector_settings_are_restored():
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() != before
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


class _Record:
    topic = "diklat.domain.enrolment"
    partition = 2
    offset = 7
    key = None
    headers = STRUCTURED_HEADERS

    def __init__(self, value: bytes | None) -> None:
        self.value = value


@pytest.mark.parametrize("value", [None, b"not json", b"[1, 2]", b'{"id": "x"}'])
def test_an_unreadable_domain_record_is_skipped_not_fatal(value: bytes | None):
    reader = BatchProcessor("consolidation", None, ROUTES)  # type: ignore[arg-type]
    assert reader.read(_Record(value)) is None


class _Sized:
    def __init__(self, offset: int, size: int) -> None:
        self.topic, self.partition, self.offset = "t", 0, offset
        self.key, self.value, self.headers = None, b"x" * size, STRUCTURED_HEADERS


class _Consumer:
    """Hands out records of `size` bytes, as many as asked, without end."""

    def __init__(self, size: int) -> None:
        self.size, self.given = size, 0

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[str, list[_Sized]]:
        records = [_Sized(self.given + i, self.size) for i in range(max_records)]
        self.given += max_records
        return {"tp": records}


class _Reader:
    def read(self, record: _Sized) -> Item:
        return event(SCHEDULED, str(record.offset))


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (300, BATCH_RECORDS),  # small events: the record bound
        (10_000, 300),  # per-cohort events of ~40 participants: the byte bound, a chunk over
    ],
)
async def test_a_batch_ends_at_its_records_or_its_bytes_whichever_comes_first(size, expected):
    read, items = await read_batch(_Consumer(size), _Reader())  # type: ignore[arg-type]
    assert (read, len(items)) == (expected, expected)
    assert read * size < BATCH_BYTES + 100 * size  # never more than one chunk past the bound
