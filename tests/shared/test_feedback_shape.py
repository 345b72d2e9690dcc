"""The feedback the core writes by hand on the hot path is exactly the published model (v2:
a batch's outcomes per publisher, in order, chunked, with an id derived from what was decided
about which records)."""

from __future__ import annotations

import datetime as dt
import json

from shared.consumer import Handled, Ledger, Origin
from shared.envelope import CloudEvent, RecordPosition
from shared.events.feedback import (
    MAX_OUTCOMES_PER_MESSAGE,
    OUTCOMES_TYPE,
    EventOutcome,
    IngestOutcomes,
)
from shared.reasons import ReasonCode

NOW = dt.datetime(2022, 5, 24, 9, tzinfo=dt.UTC)


def closed(event_id: str, publisher: str = "15") -> CloudEvent:
    return CloudEvent(
        id=event_id,
        source=f"/publishers/{publisher}",
        type="diklat.cohort.closed.v1",
        time=dt.datetime(2022, 5, 24, tzinfo=dt.UTC),
        data={"cohort_code": f"{publisher}/A"},
        subject=f"{publisher}/A",
        position=RecordPosition(f"diklat.ingest.{publisher}", 0, 1),
    )


def ledger_with(*events: tuple[CloudEvent, Handled]) -> Ledger:
    ledger = Ledger("enrolment", NOW)
    for event, handled in events:
        ledger.record(event, handled, Origin.LOG, reports=True)
    return ledger


def test_feedback_rows_validate_against_the_ingest_outcomes_model():
    ledger = ledger_with(
        (closed("e-1"), Handled.rejected(ReasonCode.NOT_OWNER)),
        (closed("e-2"), Handled.applied()),
    )
    (row,) = ledger.feedback_rows()
    body = json.loads(row.payload)
    message = IngestOutcomes.model_validate(body["data"])
    assert body["type"] == OUTCOMES_TYPE
    assert all(set(o) == set(EventOutcome.model_fields) for o in body["data"]["outcomes"])
    assert (row.topic, row.key, message.service, message.decided_at) == (
        "diklat.feedback.15",
        "enrolment",
        "enrolment",
        NOW,
    )
    assert [(o.event_id, o.outcome, o.reason, o.cohort_code) for o in message.each()] == [
        ("e-1", "rejected", ReasonCode.NOT_OWNER, "15/A"),
        ("e-2", "applied", None, "15/A"),
    ]


def test_each_publisher_gets_its_own_messages_chunked_in_order():
    many = [(closed(f"e-{i}"), Handled.applied()) for i in range(MAX_OUTCOMES_PER_MESSAGE + 3)]
    ledger = ledger_with(*many, (closed("n-1", "nasional"), Handled.applied()))
    rows = ledger.feedback_rows()
    assert [(r.topic, len(json.loads(r.payload)["data"]["outcomes"])) for r in rows] == [
        ("diklat.feedback.15", MAX_OUTCOMES_PER_MESSAGE),
        ("diklat.feedback.15", 3),
        ("diklat.feedback.nasional", 1),
    ]
    ids = [o["event_id"] for r in rows[:2] for o in json.loads(r.payload)["data"]["outcomes"]]
    assert ids == [event.id for event, _ in many]


def test_a_replayed_batch_gets_the_same_feedback_ids_and_other_outcomes_do_not():
    def ids(handled: Handled) -> list[str]:
        return [r.event_id for r in ledger_with((closed("e-1"), handled)).feedback_rows()]

    assert ids(Handled.applied()) == ids(Handled.applied())
    assert ids(Handled.applied()) != ids(Handled.rejected(ReasonCode.NOT_OWNER))


def _duplicates(*offsets: int, at: dt.datetime = NOW) -> list[str]:
    """Feedback ids of a batch answering `duplicate` to records re-using the id `e-1`."""
    ledger = Ledger("enrolment", at)
    for offset in offsets:
        event = closed("e-1")
        event.position = RecordPosition("diklat.ingest.15", 0, offset)
        ledger.duplicate(event, reports=True, first=("diklat.ingest.15", 0, 0))
    return [row.event_id for row in ledger.feedback_rows()]


def test_a_duplicate_replayed_later_keeps_its_id_and_another_records_does_not():
    # A crash before the offset commit replays the batch later: the same answer, the same id,
    # so consolidation counts it once; a second record re-using the id is a second answer.
    later = NOW + dt.timedelta(minutes=5)
    assert _duplicates(7, at=later) == _duplicates(7)
    assert _duplicates(8) != _duplicates(7)


def test_chunks_of_one_batch_answering_one_re_used_id_get_distinct_ids():
    ids = _duplicates(*range(1, 2 * MAX_OUTCOMES_PER_MESSAGE + 1))
    assert len(ids) == 2 and len(set(ids)) == 2
