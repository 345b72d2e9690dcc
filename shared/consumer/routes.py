"""What a service hands the core: routes (event type → handler) and the outcomes handlers return."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from pydantic import BaseModel

from shared.envelope import CloudEvent
from shared.reasons import DEFAULT_MESSAGES, Outcome, ReasonCode

if TYPE_CHECKING:
    from shared.consumer.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Handled:
    outcome: Outcome
    reason: ReasonCode | None = None
    message_id: str | None = None
    message_en: str | None = None

    @classmethod
    def applied(cls) -> Handled:
        return _APPLIED  # frozen, so one instance serves every applied event

    @classmethod
    def parked(cls) -> Handled:
        return cls(Outcome.PARKED)

    @classmethod
    def rejected(
        cls, reason: ReasonCode, message_id: str | None = None, message_en: str | None = None
    ) -> Handled:
        default_id, default_en = DEFAULT_MESSAGES[reason]
        return cls(Outcome.REJECTED, reason, message_id or default_id, message_en or default_en)


_APPLIED = Handled(Outcome.APPLIED)

Handler = Callable[["UnitOfWork", CloudEvent], Awaitable[Handled]]
RouteHook = Callable[["UnitOfWork", CloudEvent], Awaitable[None]]
BatchHandler = Callable[["UnitOfWork", Sequence[CloudEvent]], Awaitable[list[Handled]]]


@dataclass(frozen=True)
class Route:
    handler: Handler
    reports: bool = True  # False: this service watches the type but another one owns it
    # Optional set-based handler for a run of consecutive events of this type: one query for
    # many events on the hot path. It must decide exactly as `handler` would, event by event.
    batch: BatchHandler | None = None
    # Called for an event of this type whose id was used before by another record (not a
    # replay of this one): the core answers `duplicate` without the handler, but the service
    # may owe the others a word about it (enrolment: a close that closed nothing).
    duplicate: RouteHook | None = None
    # Called, after the handler's savepoint is rolled back, for an event of this type rejected
    # PROCESSING_ERROR: the same word may be owed (a close that failed closed nothing).
    failed: RouteHook | None = None
    # The contract's model of this type's data, filled in by `route_table`.
    model: type[BaseModel] | None = None


RouteTable = dict[str, Route]


class NotInContract(ValueError):
    """A service routes an event type the contract does not name (a typo, a retired type)."""


def route_table(contract: Mapping[str, type[BaseModel]], routes: Mapping[str, Route]) -> RouteTable:
    """Each routed type with its data model from `contract` (one of the `*_TYPES` maps of
    `shared.events`); refuses, when the service module is imported, a type it does not name."""
    unknown = sorted(set(routes) - set(contract))
    if unknown:
        raise NotInContract(
            f"routes for event types the contract does not name: {', '.join(unknown)} "
            f"(the contract names: {', '.join(sorted(contract))})"
        )
    return {
        event_type: replace(route, model=contract[event_type])
        for event_type, route in routes.items()
    }


def is_publisher_event(event: CloudEvent) -> bool:
    """An ingest event (a publisher's request), not a domain event of one of our services."""
    return event.source.startswith("/publishers/")


def waiting_for_cohort(cohort_code: str) -> str:
    """Parking key: the cohort's schedule has not reached this service yet."""
    return f"cohort:{cohort_code}"


def waiting_for_enrolment(cohort_code: str, nip: str) -> str:
    """Parking key: this participant's enrolment has not reached this service yet."""
    return f"enrolment:{cohort_code}:{nip}"
