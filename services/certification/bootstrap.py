"""The certification service's composition root (`diklat run certification`): its parts (routes,
topics, settings, HTTP routes, the PDF worker, the seal check) are declared here once;
`shared.runtime.ServiceRuntime` runs them."""

from __future__ import annotations

from fastapi import APIRouter

from services.certification import sealing
from services.certification.adapters.postgres import PostgresRepository
from services.certification.dependencies import Dependencies
from services.certification.entrypoints import api, verification
from services.certification.entrypoints.pdf_worker import pdf_worker
from services.certification.handlers import DOMAIN_ROUTES, INGEST_ROUTES
from shared.runtime import ServiceRuntime
from shared.service import ServiceDefinition
from shared.topics import ATTENDANCE_EVENTS, ENROLMENT_EVENTS


def build_dependencies(runtime: ServiceRuntime) -> Dependencies:
    """The adapters the entrypoints use, once per runtime."""
    return Dependencies(
        seal_check=sealing.seal_check(lambda: runtime.pool),
        credential_keys=sealing.credential_keys(),
    )


def http_routes() -> APIRouter:
    """The public verification pages and the API."""
    router = APIRouter()
    router.include_router(verification.router)
    router.include_router(api.router)
    return router


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
    # The QR on every certificate points there: a loopback address on paper verifies nothing.
    required_outside_local_stack=["public_base_url"],
    router=http_routes(),
    background=[pdf_worker],
    repository=PostgresRepository,
    dependencies=build_dependencies,
    title="diklat certification: completion decisions, STTP certificates, verification",
)
