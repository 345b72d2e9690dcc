"""The attendance service's composition root: enrolment's domain events and attendance ingest in,
finalisations out. Its parts (routes, topics, settings, HTTP routes) are declared here once;
`shared.runtime.ServiceRuntime` runs them."""

from __future__ import annotations

from services.attendance.adapters.postgres import PostgresAttendanceRepository
from services.attendance.entrypoints import api
from services.attendance.handlers import DOMAIN_ROUTES, INGEST_ROUTES
from shared.service import ServiceDefinition
from shared.topics import ENROLMENT_EVENTS

DEFINITION = ServiceDefinition(
    name="attendance",
    migrations_package="services.attendance.adapters.migrations",
    cohorts_commute=True,
    ingest_routes=INGEST_ROUTES,
    domain_routes=DOMAIN_ROUTES,
    domain_topics=[ENROLMENT_EVENTS],
    router=api.router,
    repository=PostgresAttendanceRepository,
    title="diklat attendance",
)
