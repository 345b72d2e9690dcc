"""Closes arriving together are one set-based run: every cohort closed in one statement and
announced once, a repeated close of the same cohort decided after its first, an unknown
cohort refused. Every valid close that closes nothing (rejected, a second close, a duplicate id)
is announced as CloseRefused, naming the very record, for the services' close barriers."""

from __future__ import annotations

import datetime as dt

import pytest

from builders.ingest import TUBAN, cohort_data, ingest_event, participant_data
from builders.nips import nips
from services.enrolment.entrypoints.app import DEFINITION
from shared.topics import ENROLMENT_EVENTS
from tests.support import Feedback, Publisher, TopicReader, prepare_topics, running

pytestmark = pytest.mark.integration
HELD = dt.date(2024, 3, 4)  # a close must come after the first session (issue 17)


async def test_closes_of_several_cohorts_in_one_batch(infra):
    await prepare_topics(infra, [TUBAN])
    a, b, unknown = "35.23/CLOSE/2024/I", "35.23/CLOSE/2024/II", "35.23/CLOSE/2024/IX"
    setup = [
        ingest_event("cohort.scheduled", cohort_data(a, start=HELD), TUBAN),
        ingest_event("cohort.scheduled", cohort_data(b, start=HELD), TUBAN),
        ingest_event("participant.registered", participant_data(a, next(nips(1))), TUBAN),
    ]
    closes = [
        ingest_event("cohort.closed", {"cohort_code": code}, TUBAN) for code in (a, b, a, unknown)
    ]
    async with Publisher(infra) as pub, Feedback(infra, TUBAN) as feedback:
        # All on the log before the service starts, so they arrive in one batch.
        await pub.send(TUBAN, *setup, *closes)
        async with running(DEFINITION, infra), TopicReader(infra, ENROLMENT_EVENTS) as domain:
            outcomes = await feedback.wait_for_outcomes([e["id"] for e in closes])
            events = await domain.wait_for(
                lambda evs: (
                    {e["subject"] for e in evs if _is_close(e)} == {a, b}
                    and len(_refusals(evs)) == 2
                ),
                what="both cohorts' CohortClosed and two refusals",
            )
    first_a, close_b, again_a, close_unknown = (outcomes[e["id"]] for e in closes)
    assert [o["outcome"] for o in (first_a, close_b, again_a)] == ["applied"] * 3
    assert (close_unknown["outcome"], close_unknown["reason"]) == ("rejected", "UNKNOWN_COHORT")
    closed = {e["subject"]: e["data"] for e in events if _is_close(e)}
    assert [e["subject"] for e in events if _is_close(e)].count(a) == 1  # announced once
    assert (closed[a]["enrolled"], closed[b]["enrolled"]) == (1, 0)
    assert closed[a]["cause"]["event_id"] == closes[0]["id"]  # the first close is the cause
    refused = {r["cause"]["event_id"]: r for r in _refusals(events)}
    assert {i: (r["outcome"], r["reason"]) for i, r in refused.items()} == {
        closes[2]["id"]: ("applied", None),  # a's second close: already closed
        closes[3]["id"]: ("rejected", "UNKNOWN_COHORT"),
    }
    assert refused[closes[2]["id"]]["cause"]["offset"] > closed[a]["cause"]["offset"]


async def test_a_close_that_closes_nothing_is_announced_as_refused(infra):
    await prepare_topics(infra, [TUBAN, "35.24"])
    code = "35.23/CLOSE/2031/III"
    registration = ingest_event(
        "participant.registered", participant_data(code, next(nips(1))), TUBAN
    )
    invalid = ingest_event("cohort.closed", {}, TUBAN)
    invalid["subject"] = code
    reused_id = ingest_event(
        "cohort.closed", {"cohort_code": code}, TUBAN, event_id=registration["id"]
    )
    other = ingest_event("cohort.closed", {"cohort_code": code}, "35.24")
    async with (
        Publisher(infra) as pub,
        Feedback(infra, TUBAN) as feedback,
        running(DEFINITION, infra),
        TopicReader(infra, ENROLMENT_EVENTS) as domain,
    ):
        await pub.send(
            TUBAN,
            ingest_event("cohort.scheduled", cohort_data(code, start=HELD), TUBAN),
            registration,
        )
        await feedback.wait_for_outcomes([registration["id"]])
        await pub.send(TUBAN, invalid, reused_id)
        await pub.send("35.24", other)
        await feedback.wait_for_outcomes([invalid["id"]])
        events = await domain.wait_for(lambda evs: len(_refusals(evs)) == 2, what="two refusals")
    refused = {r["publisher"]: r for r in _refusals(events)}
    # The schema-invalid close names no valid cohort: no barrier was noted, no word is owed.
    assert (refused[TUBAN]["cause"]["event_id"], refused[TUBAN]["outcome"]) == (
        reused_id["id"],
        "duplicate",
    )
    assert (refused["35.24"]["cause"]["event_id"], refused["35.24"]["reason"]) == (
        other["id"],
        "NOT_OWNER",
    )
    assert not [e for e in events if _is_close(e)]


def _refusals(events: list[dict]) -> list[dict]:
    return [e["data"] for e in events if e["type"].endswith("close_refused.v1")]


def _is_close(event: dict) -> bool:
    return event["type"].endswith("cohort_closed.v1")
