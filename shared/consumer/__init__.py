"""The one consumer core: a Kafka batch in one database transaction, every event accounted for.

Where things are: `processor.py` ties it together (read, lanes, the transaction, escalation);
`handling.py` runs one attempt's events through the routes; `ports.py` names what the core
records (inbox, parking, cohort locks, outbox) and `postgres.py` / `memory.py` implement it;
`ledger.py` keeps a batch's outcomes and feedback; `phases.py` cuts a batch for handling;
`strategy.py` holds the attempt and origin values; `unit_of_work.py` is what handlers touch.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

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
    "validated_batch",
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


def validated_batch(
    run: Sequence[CloudEvent], model: type[M]
) -> tuple[list[Handled | None], list[tuple[int, CloudEvent, M]]]:
    """`validated_run` with the run's data validated in one pydantic call; only when that call
    refuses something are the refused events validated one by one, for their own messages."""
    outcomes: list[Handled | None] = [None] * len(run)
    valid: list[tuple[int, CloudEvent, M]] = []
    pending = list(range(len(run)))
    while pending:
        try:
            datas = _list_adapter(model).validate_python([run[i].data for i in pending])
        except ValidationError as exc:
            refused = {pending[_index_of(error)] for error in exc.errors(include_input=False)}
            for index in sorted(refused):
                outcomes[index] = _one_validated(run[index], model, valid, index)
            pending = [i for i in pending if i not in refused]
            continue
        for index, data in zip(pending, datas, strict=True):
            outcomes[index] = _subject_refused(run[index], data)
            if outcomes[index] is None:
                valid.append((index, run[index], data))
        break
    valid.sort(key=lambda item: item[0])
    return outcomes, valid


@cache
def _list_adapter(model: type[M]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def _index_of(error: Any) -> int:
    # A list's error is located by the item's index first.
    index = error["loc"][0]
    assert isinstance(index, int)
    return index


def _one_validated(
    event: CloudEvent, model: type[M], valid: list[tuple[int, CloudEvent, M]], index: int
) -> Handled | None:
    """The event alone, through the one-event path (its message), or None when it passes."""
    try:
        valid.append((index, event, validate_data(event, model)))
    except EnvelopeError as error:
        return Handled.rejected(error.code, error.message_id, error.message_en)
    return None


def _subject_refused(event: CloudEvent, data: BaseModel) -> Handled | None:
    """The subject check `validate_data` makes, for data validated in a batch."""
    code = data.__dict__.get("cohort_code")
    if event.subject is None or code is None or event.subject == code:
        return None
    try:
        validate_data(event, type(data))  # the same refusal, worded in one place
    except EnvelopeError as error:
        return Handled.rejected(error.code, error.message_id, error.message_en)
    return None


def applied_unless_invalid(
    run: Sequence[CloudEvent], model: type[M]
) -> tuple[list[Handled], list[tuple[CloudEvent, M]]]:
    """For runs whose valid events are all applied: the outcomes, and each valid event with its
    data as `model`."""
    outcomes, valid = validated_run(run, model)
    return [o or Handled.applied() for o in outcomes], [(e, d) for _, e, d in valid]
