"""A domain event parked in certification (attendance's finalisation of a cohort the enrolment
topic has not brought yet) waits as long as it needs, on the real broker and Postgres: the
parking sweeper expires only publishers' events, and /metrics shows what waits and for how long.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from builders.ingest import ingest_event
from services.certification.entrypoints.app import DEFINITION
from shared.runtime import ServiceRuntime
from tests.certification import builders as b
from tests.support import Feedback, Publisher, eventually, prepare_topics, running

pytestmark = pytest.mark.integration
CODE = "15/PKA/2022/VI"
PARK_TIMEOUT_S = 0.5


async def _outcome(runtime: ServiceRuntime, event_id: str) -> str | None:
    async with runtime.pool.acquire() as conn:
        outcome: str | None = await conn.fetchval(
            "SELECT outcome FROM processed_events WHERE event_id = $1", event_id
        )
        return outcome


async def _waiting(runtime: ServiceRuntime) -> dict[str, float]:
    """The parked-domain-event gauges of certification, as /metrics shows them."""
    transport = httpx.ASGITransport(app=runtime.http_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        text = (await client.get("/metrics")).text
    values: dict[str, Any] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.startswith("diklat_parked_domain") and (
                sample.labels.get("service") == "certification"
            ):
                values[sample.name] = sample.value
    return values


async def test_a_parked_domain_event_outwaits_the_park_timeout_and_is_shown(infra):
    await prepare_topics(infra, ["15"])
    async with (
        running(DEFINITION, infra, park_timeout_s=PARK_TIMEOUT_S) as svc,
        Publisher(infra) as pub,
        Feedback(infra, "15") as feedback,
    ):
        # Attendance finalised a cohort whose schedule has not reached certification yet.
        finalised = await b.send_domain(pub, b.cohort_finalised(CODE, "15", 0))
        # A publisher's event parked alongside it still expires (an evaluation, same cause).
        score = ingest_event(
            "evaluation.recorded",
            {"cohort_code": "15/PKA/2022/IX", "nip": "198609262015051001", "score": 80},
            "15",
        )
        await pub.send("15", score)
        expired = await feedback.wait_for_outcomes([score["id"]], "certification")
        assert expired[score["id"]]["reason"] == "UNKNOWN_COHORT"
        # Parked earlier, so past its timeout in that sweep too, yet not rejected.
        assert await _outcome(svc, finalised) == "parked"

        async def shown_long_after_the_timeout() -> dict[str, float] | None:
            gauges = await _waiting(svc)
            oldest = gauges.get("diklat_parked_domain_oldest_seconds", 0)
            return gauges if oldest > 4 * PARK_TIMEOUT_S else None

        gauges = await eventually(shown_long_after_the_timeout, what="the wait on /metrics")
        assert gauges["diklat_parked_domain_events"] == 1
        assert await _outcome(svc, finalised) == "parked"  # not rejected by the sweeper

        # The enrolment topic catches up: the finalisation is applied.
        await b.send_domain(pub, b.cohort(CODE, "15"))

        async def applied() -> bool:
            return await _outcome(svc, finalised) == "applied"

        await eventually(applied, what="the parked finalisation applied")
        async with svc.pool.acquire() as conn:
            assert await conn.fetchval("SELECT finalised FROM cohorts WHERE cohort_code = $1", CODE)

        async def nothing_waits() -> bool:
            return (await _waiting(svc)).get("diklat_parked_domain_events") == 0

        await eventually(nothing_waits, what="the gauge back to 0")
