"""The consolidation service's composition root: all domain events and feedback outcomes into the
national view. Its parts (routes, topics, HTTP routes) are declared here once;
`shared.runtime.ServiceRuntime` runs them."""

from __future__ import annotations

import functools

from services.consolidation.adapters.upkeep import LiveUpkeep
from services.consolidation.entrypoints import api
from services.consolidation.entrypoints.dashboard.uploads import build_uploads, upload_worker
from services.consolidation.entrypoints.reminder_worker import reminder_worker
from services.consolidation.handlers import DOMAIN_ROUTES, FEEDBACK_ROUTES
from services.consolidation.settings import compliance_settings, dashboard_settings
from shared.service import ServiceDefinition
from shared.topics import (
    ATTENDANCE_EVENTS,
    CERTIFICATION_EVENTS,
    ENROLMENT_EVENTS,
    FEEDBACK_PATTERN,
)

DOMAIN_TOPICS = [ENROLMENT_EVENTS, ATTENDANCE_EVENTS, CERTIFICATION_EVENTS]
# Read at start, as the policy is: a wrong certification_url stops the service naming it.
dashboard_settings()

DEFINITION = ServiceDefinition(
    name="consolidation",
    migrations_package="services.consolidation.adapters.migrations",
    domain_routes=DOMAIN_ROUTES,
    domain_topics=DOMAIN_TOPICS,
    extra_patterns=[(FEEDBACK_PATTERN, FEEDBACK_ROUTES)],
    router=api.router,
    background=[reminder_worker, upload_worker],
    # The upload page's uploads and runs (dashboard/uploads.py).
    dependencies=build_uploads,
    repository=functools.partial(LiveUpkeep, policy=compliance_settings().policy()),
    title="diklat consolidation — national BPSDM view",
    # The dashboard's sign-in sessions: a deployment gives its own key.
    required_outside_local_stack=["session_secret"],
)
