"""Schedules arriving together are handled as one set-based run: new cohorts in bulk, then
a same-batch amendment of one of them, and a registration that waited for its cohort."""

from __future__ import annotations

import datetime as dt

import pytest

from builders.ingest import TUBAN, cohort_data, ingest_event, participant_data
from builders.nips import nips
from services.enrolment.entrypoints.app import DEFINITION
from shared.topics import ENROLMENT_EVENTS
from tests.support import Feedback, Publisher, TopicReader, prepare_topics, running

pytestmark = pytest.mark.integration
FUTURE = dt.date(2031, 3, 3)  # amendments are allowed until the first session starts


async def test_new_cohorts_an_amendment_and_a_waiting_registration_in_one_batch(infra):
    await prepare_topics(infra, [TUBAN])
    a, b = "35.23/RUN/2031/I", "35.23/RUN/2031/II"
    early = ingest_event("participant.registered", participant_data(b, next(nips(1))), TUBAN)
    schedule_a = ingest_event("cohort.scheduled", cohort_data(a, start=FUTURE), TUBAN)
    schedule_b = ingest_event("cohort.scheduled", cohort_data(b, start=FUTURE), TUBAN)
    amend_a = ingest_event("cohort.scheduled", cohort_data(a, start=FUTURE, quota=40), TUBAN)
    async with Publisher(infra) as pub, Feedback(infra, TUBAN) as feedback:
        # All on the log before the service starts, so they arrive in one batch.
        await pub.send(TUBAN, early, schedule_a, schedule_b, amend_a)
        async with running(DEFINITION, infra), TopicReader(infra, ENROLMENT_EVENTS) as domain:
            ids = [e["id"] for e in (early, schedule_a, schedule_b, amend_a)]
            outcomes = await feedback.wait_for_outcomes(ids)
            assert {i: o["outcome"] for i, o in outcomes.items()} == dict.fromkeys(ids, "applied")
            events = await domain.wait_for(lambda evs: len(evs) >= 4, what="domain events")
    kinds = [(e["type"].split(".")[2], e["subject"]) for e in events]
    assert kinds.index(("cohort_scheduled", a)) < kinds.index(("cohort_amended", a))
    assert kinds.index(("cohort_scheduled", b)) < kinds.index(("participants_enrolled", b))
    amended = next(e["data"] for e in events if e["type"].endswith("cohort_amended.v1"))
    assert (amended["quota"], amended["policy_version"]) == (40, 2)
