"""The certification service's composition root (`diklat run certification`): its parts (routes,
topics, settings, HTTP routes, the PDF worker) are declared here once;
`shared.runtime.ServiceRuntime` runs them. The publishers' seals (sealing the PDFs, and the
`SealCheck` port over the stored ones: `sealing.seal_check(pool)`) are built once per process
in services/certification/sealing.py, which the entrypoints can import."""

from __future__ import annotations

from services.certification.adapters.postgres import PostgresRepository
from services.certification.entrypoints import api
from services.certification.entrypoints.pdf_worker import pdf_worker
from services.certification.handlers import DOMAIN_ROUTES, INGEST_ROUTES
from shared.service import ServiceDefinition
from shared.topics import ATTENDANCE_EVENTS, ENROLMENT_EVENTS

DEFINITION = ServiceDefinition(
    name="certification",
    migrations_package="services.certification.adapters.migrations",
    cohorts_commute=True,
    # Certificate numbers are drawn from one counter row per organiser and year, locked until
    # commit: a second lane would wait for the first.
    max_lanes=1,
    ingest_routes=INGEST_ROUTES,
    domain_routes=DOMAIN_ROUTES,
    domain_topics=[ENROLMENT_EVENTS, ATTENDANCE_EVENTS],
    router=api.router,
    background=[pdf_worker],
    repository=PostgresRepository,
    title="diklat certification: completion decisions, STTP certificates, verification",
)
