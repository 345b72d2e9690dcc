"""Parking on real Postgres: a cohort's roster becoming final releases exactly what waits for
that cohort or for one of its enrolments, and nothing of a cohort whose code merely starts
the same way; the sweeper expires publishers' events only (domain events wait, counted)."""

from __future__ import annotations

import datetime as dt

import pytest
from prometheus_client import REGISTRY

from shared.consumer import BatchProcessor, UnitOfWork, waiting_for_cohort, waiting_for_enrolment
from shared.envelope import CloudEvent, RecordPosition
from shared.reasons import ReasonCode
from tests.support import core_schema

pytestmark = pytest.mark.integration
NOW = dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC)


def _event(n: int, cohort: str) -> CloudEvent:
    return CloudEvent(
        id=f"e{n}",
        source="/publishers/35.23",
        type="diklat.attendance.recorded.v1",
        time=NOW,
        data={"cohort_code": cohort, "n": n},
        subject=cohort,
        position=RecordPosition("diklat.ingest.35.23", 0, n),
    )


async def test_a_final_roster_releases_its_cohorts_waiters_and_no_one_elses(infra):
    async with core_schema(infra, "parktest") as pool, pool.acquire() as conn:
        uow = UnitOfWork(conn, "parktest", dt.timedelta(minutes=5))
        for n, key in WAITING.items():
            await uow.park(_event(n, key.split(":")[1]), key, ReasonCode.NOT_ENROLLED)

        assert await uow.unpark_cohorts(["35.23/A/2026/1", "35.23/A/2026/2"]) == 4
        assert sorted(e.id for e in uow.unparked) == ["e0", "e1", "e2", "e5"]
        left = await conn.fetch("SELECT event_id FROM parked_events ORDER BY event_id")
        assert [r["event_id"] for r in left] == ["e3", "e4"]


WAITING = {
    0: waiting_for_enrolment("35.23/A/2026/1", "198001012005011001"),
    1: waiting_for_enrolment("35.23/A/2026/1", "198001012005011002"),
    2: waiting_for_cohort("35.23/A/2026/1"),
    3: waiting_for_enrolment("35.23/A/2026/10", "198001012005011003"),  # a code that starts alike
    4: waiting_for_cohort("35.23/A/2026/10"),
    5: waiting_for_enrolment("35.23/A/2026/2", "198001012005011004"),
}


async def test_the_sweeper_expires_publishers_events_only_and_counts_what_waits(infra):
    domain = CloudEvent(
        id="finalised-1",
        source="/services/attendance",
        type="diklat.attendance.cohort_finalised.v1",
        time=NOW,
        data={"cohort_code": "35.23/A/2026/1"},
        subject="35.23/A/2026/1",
        position=RecordPosition("diklat.domain.attendance", 0, 7),
    )
    async with core_schema(infra, "sweeptest") as pool:
        async with pool.acquire() as conn, conn.transaction():
            uow = UnitOfWork(conn, "sweeptest", dt.timedelta(0))
            await uow.park(_event(1, "35.23/A/2026/1"), "cohort:35.23/A/2026/1", UNKNOWN)
            await uow.park(domain, "cohort:35.23/A/2026/1", UNKNOWN)
        processor = BatchProcessor("sweeptest", pool, {})

        assert await processor.expire_parked() == 1
        async with pool.acquire() as conn:
            left = await conn.fetch("SELECT source, event_id FROM parked_events")
        assert [tuple(r) for r in left] == [("/services/attendance", "finalised-1")]
        assert (
            REGISTRY.get_sample_value("diklat_parked_domain_events", {"service": "sweeptest"}) == 1
        )
        assert await processor.expire_parked() == 0  # it still waits


UNKNOWN = ReasonCode.UNKNOWN_COHORT
