"""The consumer core on real Kafka and Postgres: applied once, duplicates, source check."""

from __future__ import annotations

import pytest

from shared.consumer import Handled, Route, UnitOfWork
from shared.envelope import CloudEvent
from shared.runtime import ServiceDefinition
from tests.support import Feedback, Publisher, eventually, ingest_event, prepare_topics, running

pytestmark = pytest.mark.integration


async def _count_effect(uow: UnitOfWork, event: CloudEvent) -> Handled:
    await uow.conn.execute("CREATE TABLE IF NOT EXISTS effects (event_id text, n int)")
    await uow.conn.execute("INSERT INTO effects VALUES ($1, 1)", event.id)
    return Handled.applied()


PROBE = ServiceDefinition(
    name="probe",
    ingest_routes={"diklat.cohort.closed.v1": Route(_count_effect)},
    reports_envelope_errors=True,
)


async def _effects(runtime) -> int:
    async with runtime.pool.acquire() as conn:
        return int(
            await conn.fetchval("SELECT count(*) FROM pg_tables WHERE tablename = 'effects'")
            and await conn.fetchval("SELECT count(*) FROM effects")
        )


async def test_event_applied_once_and_its_duplicate_changes_nothing(infra):
    await prepare_topics(infra, ["15"])
    event = ingest_event("cohort.closed", {"cohort_code": "15/PKA/2022/IV"}, "15")
    async with (
        running(PROBE, infra) as runtime,
        Publisher(infra) as pub,
        Feedback(infra, "15") as feedback,
    ):
        await pub.send("15", event, event)
        await feedback.wait_for(
            lambda _: (
                [o["outcome"] for o in feedback.outcomes().values()] == ["duplicate"]
                or len([e for e in feedback.events]) >= 2
            ),
            what="two outcomes",
        )
        outcomes = [e["data"]["outcome"] for e in feedback.events]
        assert outcomes == ["applied", "duplicate"]
        assert await eventually(lambda: _effects(runtime)) == 1


async def test_source_not_matching_topic_is_rejected_source_mismatch(infra):
    await prepare_topics(infra, ["15", "16"])
    event = ingest_event("cohort.closed", {"cohort_code": "16/X/2022/I"}, "16")
    async with running(PROBE, infra), Publisher(infra) as pub, Feedback(infra, "15") as feedback:
        await pub.send("15", event)
        outcome = (await feedback.wait_for_outcomes([event["id"]]))[event["id"]]
        assert outcome["outcome"] == "rejected"
        assert outcome["reason"] == "SOURCE_MISMATCH"
