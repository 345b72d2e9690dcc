"""Enrolment handlers: one per ingest type; load, decide (domain.py), save, emit via the outbox.

Processing time (`uow.now`) is the clock for the amendment window and the NIP birth-date
bound: a publisher's `time` attribute is its own claim and could reopen a closed window.
A withdrawal frees the seat: the quota counts active (not withdrawn) enrolments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.enrolment import domain, roster
from services.enrolment.announcements import cohort_info, ingest_ref
from services.enrolment.domain import Accepted, Rejection
from services.enrolment.ports import StoredCohort, repository
from services.enrolment.registrations import on_registration_run
from shared.consumer import (
    Handled,
    Route,
    RouteTable,
    UnitOfWork,
    route_table,
    validated_run,
    waiting_for_cohort,
)
from shared.envelope import CloudEvent, EnvelopeError, validate_data
from shared.events import domain as events
from shared.events import ingest
from shared.reasons import Outcome, ReasonCode
from shared.topics import ENROLMENT_EVENTS


def _rejected(rejection: Rejection) -> Handled:
    return Handled.rejected(ReasonCode(rejection.code), rejection.message_id, rejection.message_en)


def _publisher(event: CloudEvent) -> str:
    # Ingest events passed check_source, so the source names the topic's publisher.
    return event.publisher or ""


def _foreign_code(cohort_code: str, publisher: str) -> Handled | None:
    """The contract's cohort-code rule for a schedule (new or amending): SCHEMA_INVALID naming
    the prefix expected, decided from the event alone, so it tells nothing about others' codes."""
    problem = ingest.cohort_code_problem(cohort_code, publisher)
    return None if problem is None else Handled.rejected(ReasonCode.SCHEMA_INVALID, *problem)


def _not_publishers(cohort_code: str, publisher: str) -> Rejection | None:
    """For an event naming a cohort not scheduled yet: NOT_OWNER when the sender may never
    schedule that code (no use parking it); None when it may, and the cohort is just unknown."""
    if ingest.is_publishers_cohort_code(cohort_code, publisher):
        return None
    prefix = ingest.cohort_code_prefix(publisher)
    return domain.not_publishers_code(cohort_code, publisher, prefix)


def _unknown(cohort_code: str, publisher: str) -> Rejection:
    return _not_publishers(cohort_code, publisher) or domain.unknown_cohort(cohort_code)


async def on_cohort_scheduled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    repo = repository(uow)
    data = validate_data(event, ingest.CohortScheduled)
    publisher = _publisher(event)
    foreign = _foreign_code(data.cohort_code, publisher)
    if foreign is not None:
        return foreign
    stored = await repo.load_cohort(data.cohort_code)
    decision = domain.decide_schedule(stored.view if stored else None, publisher, uow.now)
    if isinstance(decision, Rejection):
        return _rejected(decision)
    if decision is Accepted.NEW_COHORT:
        info = cohort_info(data, publisher, policy_version=1)
        await repo.insert_cohort(info, uow.now)
        uow.emit(ENROLMENT_EVENTS, events.CohortScheduled(**dict(info)), subject=data.cohort_code)
        await uow.unpark(waiting_for_cohort(data.cohort_code))
        return Handled.applied()
    assert stored is not None  # AMENDED implies an existing cohort
    info = cohort_info(data, publisher, policy_version=stored.policy_version + 1)
    await repo.amend_cohort(info, uow.now)
    uow.emit(ENROLMENT_EVENTS, events.CohortAmended(**dict(info)), subject=data.cohort_code)
    return Handled.applied()


async def on_schedule_run(uow: UnitOfWork, run: Sequence[CloudEvent]) -> list[Handled]:
    """A run of schedules: the first schedule of each unknown code in bulk (one read, one
    insert, one unpark), then amendments, refusals and a code's later schedules one by one in
    order. Codes are independent, and each code's first schedule still comes first."""
    repo = repository(uow)
    outcomes, valid = validated_run(run, ingest.CohortScheduled)
    for index, event, data in valid:
        outcomes[index] = _foreign_code(data.cohort_code, _publisher(event))
    valid = [item for item in valid if outcomes[item[0]] is None]
    stored = await repo.load_cohorts({d.cohort_code for _, _, d in valid})
    first: dict[str, tuple[int, CloudEvent, ingest.CohortScheduled]] = {}
    for item in valid:
        if item[2].cohort_code not in stored:
            first.setdefault(item[2].cohort_code, item)
    infos = [cohort_info(d, _publisher(e), policy_version=1) for _, e, d in first.values()]
    await repo.insert_cohorts(infos, uow.now)
    for info in infos:
        uow.emit(ENROLMENT_EVENTS, events.CohortScheduled(**dict(info)), subject=info.cohort_code)
        outcomes[first[info.cohort_code][0]] = Handled.applied()
    await uow.unpark_many([waiting_for_cohort(code) for code in first])
    for index, event, _ in valid:
        if outcomes[index] is None:
            outcomes[index] = await on_cohort_scheduled(uow, event)
    return [o for o in outcomes if o is not None]


async def on_cohort_cancelled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    repo = repository(uow)
    data = validate_data(event, ingest.CohortCancelled)
    publisher = _publisher(event)
    stored = await repo.load_cohort(data.cohort_code)
    if stored is None:
        return _rejected(_unknown(data.cohort_code, publisher))
    decision = domain.decide_cancel(stored.view, publisher)
    if isinstance(decision, Rejection):
        return _rejected(decision)
    if decision is Accepted.CANCELLED:
        await repo.cancel_cohort(data.cohort_code, data.reason, uow.now)
        uow.emit(
            ENROLMENT_EVENTS,
            events.CohortCancelled(
                cohort_code=data.cohort_code,
                publisher=publisher,
                reason=data.reason,
                cancelled_at=uow.now,
            ),
            subject=data.cohort_code,
        )
    return Handled.applied()


async def on_cohort_closed(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_close_run(uow, [event]))[0]


async def on_close_run(uow: UnitOfWork, run: Sequence[CloudEvent]) -> list[Handled]:
    """A run of closes (a term's cohorts closed together), set-based: one read, one update.
    A code's later closes in the run are decided after its first is written, as one by one.
    Every valid close that does not close its cohort is announced as refused (CloseRefused):
    attendance and certification noted a barrier for it and wait for our word."""
    repo = repository(uow)
    outcomes, valid = validated_run(run, ingest.CohortClosed)
    stored = await repo.load_cohorts({d.cohort_code for _, _, d in valid})
    closing: list[tuple[CloudEvent, StoredCohort, dt.datetime, dt.date | None]] = []
    firsts: set[str] = set()
    later: list[int] = []
    for index, event, data in valid:
        if data.cohort_code in firsts:
            later.append(index)
            continue
        firsts.add(data.cohort_code)
        cohort = stored.get(data.cohort_code)
        if cohort is None:
            outcomes[index] = _rejected(_unknown(data.cohort_code, _publisher(event)))
            continue
        # When the organiser closed it (a late-sent close keeps its day: the certificates
        # are dated by it), but never later than now: a clock ahead must not date the future.
        closed_at = min(event.time, uow.now)
        decision = domain.decide_close(cohort.view, _publisher(event), closed_at, data.closed_on)
        if isinstance(decision, Rejection):
            outcomes[index] = _rejected(decision)
            continue
        if decision is Accepted.CLOSED:
            closing.append((event, cohort, closed_at, data.closed_on))
        outcomes[index] = Handled.applied()
    await repo.close_cohorts([(c.view.cohort_code, at) for _, c, at, _ in closing])
    for event, cohort, closed_at, closed_on in closing:
        _announce_close(uow, event, cohort, closed_at, closed_on)
    closed = {id(event) for event, _, _, _ in closing}
    for index, event, data in valid:
        handled = outcomes[index]
        if handled is not None and id(event) not in closed:  # a later close: decided below
            _refuse_close(uow, event, data.cohort_code, handled)
    for index in later:
        outcomes[index] = await on_cohort_closed(uow, run[index])
    return [o for o in outcomes if o is not None]


async def on_close_duplicate(uow: UnitOfWork, event: CloudEvent) -> None:
    """A close whose id this publisher used before on another record: answered `duplicate`,
    so it closes nothing; the services that noted a barrier for it are told so."""
    try:
        data = validate_data(event, ingest.CohortClosed)
    except EnvelopeError:
        return  # they check the data as we do: no barrier was noted for it
    _refuse_close(uow, event, data.cohort_code, Handled(Outcome.DUPLICATE))


async def on_close_failed(uow: UnitOfWork, event: CloudEvent) -> None:
    """A close whose handler failed (rejected PROCESSING_ERROR) closed nothing either: without
    this word the barrier the others noted would hold their marks and scores until timeout."""
    try:
        data = validate_data(event, ingest.CohortClosed)
    except EnvelopeError:
        return
    _refuse_close(uow, event, data.cohort_code, Handled.rejected(ReasonCode.PROCESSING_ERROR))


def _refuse_close(uow: UnitOfWork, event: CloudEvent, cohort_code: str, handled: Handled) -> None:
    uow.emit(
        ENROLMENT_EVENTS,
        events.CloseRefused(
            cohort_code=cohort_code,
            publisher=_publisher(event),
            outcome=handled.outcome.value,
            reason=handled.reason.value if handled.reason else None,
            cause=ingest_ref(event),
            refused_at=uow.now,
        ),
        subject=cohort_code,
    )


def _announce_close(
    uow: UnitOfWork,
    event: CloudEvent,
    cohort: StoredCohort,
    closed_at: dt.datetime,
    closed_on: dt.date | None,
) -> None:
    # The cause lets attendance and certification find this very record on their own view
    # of the ingest log (close barrier, shared/barrier.py).
    cause = ingest_ref(event)
    uow.emit(
        ENROLMENT_EVENTS,
        events.CohortClosed(
            cohort_code=cohort.view.cohort_code,
            publisher=_publisher(event),
            closed_at=closed_at,
            closed_on=closed_on,
            enrolled=cohort.enrolled,
            withdrawn=cohort.withdrawn,
            cause=cause,
        ),
        subject=cohort.view.cohort_code,
    )


async def on_participant_registered(uow: UnitOfWork, event: CloudEvent) -> Handled:
    """One registration: the same decision as a run of one."""
    return (await on_registration_run(uow, [event]))[0]


async def on_participant_withdrawn(uow: UnitOfWork, event: CloudEvent) -> Handled:
    repo = repository(uow)
    data = validate_data(event, ingest.ParticipantWithdrawn)
    publisher = _publisher(event)
    stored = await repo.load_cohort(data.cohort_code)
    foreign = _not_publishers(data.cohort_code, publisher) if stored is None else None
    if foreign is not None:
        return _rejected(foreign)
    if stored is None:
        return await uow.park(
            event,
            waiting_for=waiting_for_cohort(data.cohort_code),
            reject_code=ReasonCode.UNKNOWN_COHORT,
        )
    status = await repo.enrolment_status(data.cohort_code, data.nip)
    decision = domain.decide_withdrawal(stored.view, publisher, status)
    if isinstance(decision, Rejection):
        return _rejected(decision)
    if decision is Accepted.WITHDRAWN:
        await repo.withdraw(data.cohort_code, data.nip, data.reason, uow.now)
        uow.emit(
            ENROLMENT_EVENTS,
            events.ParticipantWithdrawn(
                cohort_code=data.cohort_code,
                publisher=publisher,
                nip=data.nip,
                reason=data.reason,
                withdrawn_at=uow.now,
            ),
            subject=data.cohort_code,
        )
    return Handled.applied()


INGEST_ROUTES: RouteTable = route_table(
    ingest.INGEST_TYPES,
    {
        ingest.COHORT_SCHEDULED: Route(on_cohort_scheduled, batch=on_schedule_run),
        ingest.COHORT_CANCELLED: Route(on_cohort_cancelled),
        ingest.COHORT_CLOSED: Route(
            on_cohort_closed,
            batch=on_close_run,
            duplicate=on_close_duplicate,
            failed=on_close_failed,
        ),
        ingest.PARTICIPANT_REGISTERED: Route(on_participant_registered, batch=on_registration_run),
        ingest.PARTICIPANT_WITHDRAWN: Route(on_participant_withdrawn),
        ingest.ASN_RECORDED: Route(roster.on_asn_recorded, batch=roster.on_roster_run),
    },
)
# Enrolment is the source of the domain stream; it consumes no other service's events.
DOMAIN_ROUTES: RouteTable = {}
