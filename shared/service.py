"""What one service is, as its composition root (`services/<name>/bootstrap.py`) declares it:
its route tables, the topics it reads, its HTTP routes and background workers. The runtime
(`shared/runtime.py`) only runs what is declared here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import APIRouter

from shared.consumer import RepositoryFactory, RouteTable
from shared.topics import INGEST_PATTERN

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime

BackgroundTask = Callable[["ServiceRuntime"], Awaitable[None]]
# Builds what a service's entrypoints need beyond the pool and settings, once per runtime; the
# service's own module names its type (certification: `dependencies.of(runtime)`).
DependenciesFactory = Callable[["ServiceRuntime"], object]


@dataclass(frozen=True)
class ServiceDefinition:
    """What makes one service different from another; everything else is shared."""

    name: str
    migrations_package: str | None = None  # e.g. "services.attendance.adapters.migrations"
    ingest_routes: RouteTable = field(default_factory=dict)
    domain_routes: RouteTable = field(default_factory=dict)
    domain_topics: Sequence[str] = ()
    extra_patterns: Sequence[tuple[str, RouteTable]] = ()
    reports_envelope_errors: bool = False
    # All state is per cohort, so events of different cohorts commute (consumer.in_phases).
    cohorts_commute: bool = False
    # Upper bound on DIKLAT_<SERVICE>_LANES: 1 where every transaction takes one shared row
    # lock early (lanes would only queue behind each other).
    max_lanes: int = 8
    # The service's own defaults for its settings (DIKLAT_<SERVICE>_* variables still win).
    settings: Mapping[str, object] = field(default_factory=dict)
    # Settings whose default serves only the local stack (a loopback address printed on paper):
    # a deployment must give them, or the service does not start (shared.settings.MissingSetting).
    required_outside_local_stack: Sequence[str] = ()
    router: APIRouter | None = None
    background: Sequence[BackgroundTask] = ()
    # The handlers' repository on a transaction's connection (`UnitOfWork.repository`).
    repository: RepositoryFactory | None = None
    dependencies: DependenciesFactory | None = None
    title: str = ""


@dataclass(frozen=True)
class Subscription:
    """One consumer of a service: the topics (or pattern) it reads and the routes its events
    run on. `name` ends its consumer group (`<group>.<name>`), so it never changes."""

    name: str
    routes: RouteTable
    topics: Sequence[str] = ()
    pattern: str | None = None
    reports_envelope_errors: bool = False


def subscriptions_of(definition: ServiceDefinition) -> list[Subscription]:
    """The consumers a service runs: ingest (every publisher's topic), the domain streams it
    reads, and any further topic patterns (consolidation: the feedback topics)."""
    d = definition
    subscriptions: list[Subscription] = []
    if d.ingest_routes or d.reports_envelope_errors:
        subscriptions.append(
            Subscription(
                "ingest",
                d.ingest_routes,
                pattern=INGEST_PATTERN,
                reports_envelope_errors=d.reports_envelope_errors,
            )
        )
    if d.domain_routes:
        subscriptions.append(Subscription("domain", d.domain_routes, topics=d.domain_topics))
    subscriptions.extend(
        Subscription(f"extra{index}", routes, pattern=pattern)
        for index, (pattern, routes) in enumerate(d.extra_patterns)
    )
    return subscriptions
