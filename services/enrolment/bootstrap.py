"""The enrolment service's composition root: the ingest gate for cohorts and participants
(`diklat run enrolment`). Its parts (routes, settings, HTTP routes) are declared here once;
`shared.runtime.ServiceRuntime` runs them."""

from __future__ import annotations

from services.enrolment.adapters.postgres import PostgresEnrolmentRepository
from services.enrolment.entrypoints import api
from services.enrolment.handlers import DOMAIN_ROUTES, INGEST_ROUTES
from shared.service import ServiceDefinition

DEFINITION = ServiceDefinition(
    name="enrolment",
    migrations_package="services.enrolment.adapters.migrations",
    cohorts_commute=True,
    ingest_routes=INGEST_ROUTES,
    domain_routes=DOMAIN_ROUTES,
    domain_topics=[],
    # Enrolment alone answers for records that are not usable events (MALFORMED,
    # UNKNOWN_TYPE, SOURCE_MISMATCH, SCHEMA_INVALID envelopes); other services stay silent.
    reports_envelope_errors=True,
    router=api.router,
    repository=PostgresEnrolmentRepository,
    title="diklat enrolment",
)
