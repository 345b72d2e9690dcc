"""The feedback the core writes by hand on the hot path is exactly the published model."""

from __future__ import annotations

import datetime as dt
import json

from shared.consumer import Handled, _Ledger
from shared.envelope import CloudEvent, RecordPosition
from shared.events.feedback import IngestOutcome
from shared.reasons import ReasonCode


def test_feedback_rows_validate_against_the_ingest_outcome_model():
    ledger = _Ledger("enrolment", dt.datetime(2022, 5, 24, 9, tzinfo=dt.UTC))
    event = CloudEvent(
        id="e-1",
        source="/publishers/15",
        type="diklat.cohort.closed.v1",
        time=dt.datetime(2022, 5, 24, tzinfo=dt.UTC),
        data={"cohort_code": "15/A"},
        subject="15/A",
        position=RecordPosition("diklat.ingest.15", 0, 1),
    )
    ledger.record(event, Handled.rejected(ReasonCode.NOT_OWNER), reports=True, is_retry=False)
    (row,) = ledger.feedback
    body = json.loads(row.payload)
    outcome = IngestOutcome.model_validate(body["data"])
    assert set(body["data"]) == set(IngestOutcome.model_fields)
    assert outcome.decided_at == ledger.now
    assert (outcome.outcome, outcome.reason, row.topic) == (
        "rejected",
        ReasonCode.NOT_OWNER,
        "diklat.feedback.15",
    )
