"""`python -m bench.core_process [registrations] [repeats]`: the consumer core alone on real
Postgres, no Kafka: enrolment's ingest (schedules, then registrations) and attendance's marks
through `BatchProcessor.process` in batches of 2000: events a second (wall time), and this
process's CPU per event in microseconds (the core's own cost, less sensitive to a busy
machine than wall time)."""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from bench import workload as wl
from diklat.stack.postgres import EmbeddedPostgres
from diklat.stack.processes import free_port
from services.attendance.entrypoints.app import DEFINITION as ATTENDANCE
from services.enrolment.entrypoints.app import DEFINITION as ENROLMENT
from shared import db
from shared.consumer import BatchProcessor
from shared.runtime import ServiceDefinition

BATCH = 2000


@dataclass
class _Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]] = ()


def _records(messages: list[wl.Message]) -> list[_Record]:
    return [_Record(t, 0, n, k.encode(), v) for n, (t, k, v) in enumerate(messages)]


async def _processor(
    url: str, definition: ServiceDefinition
) -> tuple[asyncpg.Pool, BatchProcessor, BatchProcessor]:
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f"CREATE SCHEMA {definition.name}")
        await db.migrate(
            admin,
            definition.name,
            db.service_migrations(definition.name, definition.migrations_package),
        )
    finally:
        await admin.close()
    pool = await db.create_pool(url, definition.name, max_size=4)
    ingest, domain = (
        BatchProcessor(
            definition.name,
            pool,
            routes,
            reports_envelope_errors=reports,
            cohorts_commute=definition.cohorts_commute,
            lanes=min(2, definition.max_lanes),
            parked_routes=definition.ingest_routes,
            repository=definition.repository,
        )
        for routes, reports in (
            (definition.ingest_routes, definition.reports_envelope_errors),
            (definition.domain_routes, False),
        )
    )
    return pool, ingest, domain


async def _timed(processor: BatchProcessor, records: list[_Record]) -> tuple[float, float]:
    """Events a second, and CPU microseconds an event."""
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(records), BATCH):
        await processor.process(records[start : start + BATCH])
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return len(records) / wall, cpu / len(records) * 1e6


async def _run(server: EmbeddedPostgres, registrations: int) -> tuple[float, ...]:
    name = f"b_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server.url())
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = server.url(name)
    run = name[2:]
    enrolment_pool, enrolment, _ = await _processor(url, ENROLMENT)
    attendance_pool, attendance, roster = await _processor(url, ATTENDANCE)
    try:
        enrolled = await _timed(enrolment, _records(wl.enrolment_ingest(run, registrations)))
        # The roster attendance needs, then the timed marks of the first session.
        await roster.process(_records(wl.enrolment_domain(run, registrations // wl.SIZE)))
        codes = range(wl.cohorts_for(registrations, wl.SIZE))
        marks = [
            (f"diklat.ingest.{wl.PUBLISHER}", wl.cohort_code(run, c), m)
            for c in codes
            for m in wl.marks(wl.cohort_code(run, c), c * wl.SIZE, range(1, 2))
        ]
        marked = await _timed(attendance, _records(marks))
        return (*enrolled, *marked)
    finally:
        await enrolment_pool.close()
        await attendance_pool.close()


async def main(registrations: int, repeats: int) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        server = EmbeddedPostgres(Path(workdir), free_port())
        server.start()
        try:
            runs = [await _run(server, registrations) for _ in range(repeats)]
        finally:
            server.stop()
    labels = ("registrations/s", "CPU µs/registration", "marks/s", "CPU µs/mark")
    for label, values in zip(labels, zip(*runs, strict=True), strict=True):
        print(f"{label}: median {statistics.median(values):.0f}", [round(v) for v in values])


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(*(args + [6000, 5][len(args) :])))
