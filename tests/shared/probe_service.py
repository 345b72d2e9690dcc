"""A minimal service for testing the core across processes: each closed-cohort event adds one
row to `effects` in the same transaction as its inbox row. `python -m tests.shared.probe_service`
runs it with the usual environment variables."""

from __future__ import annotations

import asyncio

from shared.consumer import Handled, Route, UnitOfWork
from shared.envelope import CloudEvent
from shared.runtime import ServiceDefinition, ServiceRuntime


async def record_effect(uow: UnitOfWork, event: CloudEvent) -> Handled:
    await uow.conn.execute("CREATE TABLE IF NOT EXISTS effects (event_id text NOT NULL)")
    await uow.conn.execute("INSERT INTO effects VALUES ($1)", event.id)
    return Handled.applied()


DEFINITION = ServiceDefinition(
    name="probe",
    ingest_routes={"diklat.cohort.closed.v1": Route(record_effect)},
    reports_envelope_errors=True,
    # Effects are per event, so cohorts commute: a batch splits into lanes by cohort.
    cohorts_commute=True,
)

if __name__ == "__main__":
    asyncio.run(ServiceRuntime(DEFINITION).serve())
