"""The core's Prometheus metrics."""

from __future__ import annotations

from collections import Counter

from prometheus_client import Counter as PromCounter
from prometheus_client import Gauge, Histogram

EVENTS = PromCounter(
    "diklat_events_total", "consumed events by outcome", ["service", "outcome", "reason"]
)
BATCH_SECONDS = Histogram("diklat_batch_seconds", "time to handle one batch", ["service"])
BATCHES_REDONE = PromCounter(
    "diklat_batches_redone_total",
    "batches redone with the inbox read first: the inbox already held some of their events",
    ["service"],
)
# Domain events never expire in parking (they are facts another service already decided): how
# many wait, and for how long, is the alarm instead. Set by each parking sweep.
PARKED_DOMAIN = Gauge(
    "diklat_parked_domain_events",
    "domain events waiting in parking for a prerequisite",
    ["service"],
)
PARKED_DOMAIN_OLDEST = Gauge(
    "diklat_parked_domain_oldest_seconds",
    "how long the oldest domain event waiting in parking has waited",
    ["service"],
)


def count_events(service: str, metric_keys: Counter[tuple[str, str]]) -> None:
    """A committed batch's outcomes, (outcome, reason): events."""
    for (outcome, reason), n in metric_keys.items():
        EVENTS.labels(service, outcome, reason).inc(n)
