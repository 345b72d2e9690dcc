"""The close barrier's pure parts: the parking key a record waits under, and the rows noted
for closes passed on the ingest log and for enrolment's verdicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shared.barrier import (
    confirmed_barriers,
    noted_barriers,
    waiting_for_close,
    waiting_key,
)
from shared.consumer import waiting_for_cohort, waiting_for_enrolment
from shared.envelope import CloudEvent
from shared.events import domain as ev
from shared.judgement import Waiting
from tests.handler_fakes import logged

pytestmark = pytest.mark.unit

CODE = "73/TEKNIS/2024/I"
NIP = "198609262015051001"
T0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)


def close_record(event_id: str, offset: int, data: dict[str, Any]) -> CloudEvent:
    return logged("cohort.closed", data, "73", event_id=event_id, offset=offset, time=T0)


def test_each_wait_has_the_key_the_core_unparks_it_by():
    assert waiting_key(Waiting.COHORT, CODE, NIP) == waiting_for_cohort(CODE)
    assert waiting_key(Waiting.ENROLMENT, CODE, NIP) == waiting_for_enrolment(CODE, NIP)
    assert waiting_key(Waiting.CLOSE_VERDICT, CODE, NIP) == waiting_for_close(CODE)


def test_a_close_is_noted_once_where_first_seen_and_invalid_data_notes_nothing():
    outcomes, rows = noted_barriers(
        [
            close_record("c1", 5, {"cohort_code": CODE}),
            close_record("c1", 9, {"cohort_code": CODE}),
            close_record("c2", 11, {"cohort": CODE}),
        ]
    )
    assert [(o.outcome, o.reason) for o in outcomes] == [
        ("applied", None),
        ("applied", None),
        ("rejected", "SCHEMA_INVALID"),
    ]
    assert rows == [(CODE, "/publishers/73", "c1", "diklat.ingest.73", 0, 5, True, None)]


def test_a_confirmation_names_the_owners_record_as_enrolment_saw_it():
    cause = ev.IngestRef(event_id="c1", topic="diklat.ingest.73", partition=2, offset=40)
    close = ev.CohortClosed(
        cohort_code=CODE, publisher="73", closed_at=T0, enrolled=3, withdrawn=0, cause=cause
    )
    assert confirmed_barriers([close, close]) == [
        (CODE, "/publishers/73", "c1", "diklat.ingest.73", 2, 40, False, "closed")
    ]
