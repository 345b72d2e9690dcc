"""The one consumer core: a Kafka batch in one database transaction, every event accounted for.

Where things are: `processor.py` ties it together (read, lanes, the transaction, escalation);
`handling.py` runs one attempt's events through the routes; `ports.py` names what the core
records (inbox, parking, cohort locks, outbox) and `postgres.py` / `memory.py` implement it;
`ledger.py` keeps a batch's outcomes and feedback; `phases.py` cuts a batch for handling;
`strategy.py` holds the attempt and origin values; `unit_of_work.py` is what handlers touch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from pydantic import BaseModel

from shared.consumer.activity import Activity
from shared.consumer.ledger import Ledger
from shared.consumer.phases import in_phases, share_out
from shared.consumer.postgres import lock_cohorts
from shared.consumer.processor import BatchProcessor
from shared.consumer.reading import Record
from shared.consumer.routes import (
    BatchHandler,
    Handled,
    Handler,
    NotInContract,
    Route,
    RouteHook,
    RouteTable,
    is_publisher_event,
    route_table,
    waiting_for_cohort,
    waiting_for_enrolment,
)
from shared.consumer.strategy import Attempt, Origin
from shared.consumer.unit_of_work import RepositoryFactory, UnitOfWork
from shared.envelope import CloudEvent, EnvelopeError, validate_data

__all__ = [
    "Activity",
    "Attempt",
    "BatchHandler",
    "BatchProcessor",
    "Handled",
    "Handler",
    "Ledger",
    "NotInContract",
    "Origin",
    "Record",
    "RepositoryFactory",
    "Route",
    "RouteHook",
    "RouteTable",
    "UnitOfWork",
    "applied_unless_invalid",
    "in_phases",
    "is_publisher_event",
    "lock_cohorts",
    "route_table",
    "share_out",
    "validated_run",
    "waiting_for_cohort",
    "waiting_for_enrolment",
]
M = TypeVar("M", bound=BaseModel)


# Here rather than in a submodule: tests swap `shared.consumer.validate_data` to see which
# model a handler validates its run with.
def validated_run(
    run: Sequence[CloudEvent], model: type[M]
) -> tuple[list[Handled | None], list[tuple[int, CloudEvent, M]]]:
    """Each event's data as `model` with its position in the run; a rejection in the outcome
    slot of each one that does not validate (the others are decided by the caller)."""
    outcomes: list[Handled | None] = [None] * len(run)
    valid: list[tuple[int, CloudEvent, M]] = []
    for index, event in enumerate(run):
        try:
            valid.append((index, event, validate_data(event, model)))
        except EnvelopeError as error:
            outcomes[index] = Handled.rejected(error.code, error.message_id, error.message_en)
    return outcomes, valid


def applied_unless_invalid(
    run: Sequence[CloudEvent], model: type[M]
) -> tuple[list[Handled], list[tuple[CloudEvent, M]]]:
    """For runs whose valid events are all applied: the outcomes, and each valid event with its
    data as `model`."""
    outcomes, valid = validated_run(run, model)
    return [o or Handled.applied() for o in outcomes], [(e, d) for _, e, d in valid]
