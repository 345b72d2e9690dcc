"""A minimal service for testing the core across processes: each closed-cohort event adds one
row to `effects` in the same transaction as its inbox row. `python -m tests.shared.probe_service`
runs it with the usual environment variables.

Registrations and cancellations probe the careful replay: a registration waits (parked) until
its cohort is opened; a cancellation opens the cohort, releases what waits for it, announces
itself on the enrolment topic and then, when its reason is "fail", raises; its failure hook
then announces the failure instead."""

from __future__ import annotations

import asyncio

from shared.consumer import Handled, Route, UnitOfWork, waiting_for_cohort
from shared.envelope import CloudEvent, validate_data
from shared.events import domain, ingest
from shared.reasons import ReasonCode
from shared.runtime import ServiceDefinition, ServiceRuntime
from shared.topics import ENROLMENT_EVENTS


async def record_effect(uow: UnitOfWork, event: CloudEvent) -> Handled:
    await uow.conn.execute("CREATE TABLE IF NOT EXISTS effects (event_id text NOT NULL)")
    await uow.conn.execute("INSERT INTO effects VALUES ($1)", event.id)
    return Handled.applied()


async def _opened(uow: UnitOfWork, cohort_code: str) -> bool:
    await uow.conn.execute("CREATE TABLE IF NOT EXISTS opened (cohort_code text PRIMARY KEY)")
    found = await uow.conn.fetchval("SELECT 1 FROM opened WHERE cohort_code = $1", cohort_code)
    return found is not None


async def register_when_opened(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ingest.ParticipantRegistered)
    if not await _opened(uow, data.cohort_code):
        return await uow.park(
            event, waiting_for_cohort(data.cohort_code), ReasonCode.UNKNOWN_COHORT
        )
    return await record_effect(uow, event)


async def open_announce_then_maybe_fail(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ingest.CohortCancelled)
    await _opened(uow, data.cohort_code)
    await uow.conn.execute(
        "INSERT INTO opened VALUES ($1) ON CONFLICT DO NOTHING", data.cohort_code
    )
    await uow.unpark(waiting_for_cohort(data.cohort_code))
    announced = domain.CohortCancelled(
        cohort_code=data.cohort_code,
        publisher=event.publisher or "",
        reason=data.reason,
        cancelled_at=event.time,
    )
    uow.emit(ENROLMENT_EVENTS, announced, data.cohort_code, event_id=f"probe:{event.id}")
    if data.reason == "fail":
        raise RuntimeError("the probe fails after emitting, as a handler refused by Postgres")
    return Handled.applied()


async def announce_failure(uow: UnitOfWork, event: CloudEvent) -> None:
    data = validate_data(event, ingest.CohortCancelled)
    failed = domain.CohortCancelled(
        cohort_code=data.cohort_code,
        publisher=event.publisher or "",
        reason="failed",
        cancelled_at=event.time,
    )
    uow.emit(ENROLMENT_EVENTS, failed, data.cohort_code, event_id=f"probe-failed:{event.id}")


DEFINITION = ServiceDefinition(
    name="probe",
    ingest_routes={
        ingest.COHORT_CLOSED: Route(record_effect),
        ingest.PARTICIPANT_REGISTERED: Route(register_when_opened),
        ingest.COHORT_CANCELLED: Route(open_announce_then_maybe_fail, failed=announce_failure),
    },
    reports_envelope_errors=True,
    # Effects are per event, so cohorts commute: a batch splits into lanes by cohort.
    cohorts_commute=True,
)

if __name__ == "__main__":
    asyncio.run(ServiceRuntime(DEFINITION).serve())
