"""One handler per consumed event type: validate, upsert into the read model, done.

Every write is an idempotent upsert, so a replay (or a rebuild) converges to the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TypeVar

from pydantic import BaseModel

from services.consolidation.adapters import projection, reminders, roster
from services.consolidation.adapters.roster import RosterChange
from services.consolidation.domain import claim_authority, organizer_province
from services.consolidation.ports import upkeep
from shared.consumer import (
    BatchHandler,
    Handled,
    Handler,
    Route,
    RouteTable,
    UnitOfWork,
    applied_unless_invalid,
    route_table,
)
from shared.envelope import CloudEvent, validate_data
from shared.events import domain as ev
from shared.events.feedback import (
    FEEDBACK_TYPE,
    FEEDBACK_TYPES,
    OUTCOMES_TYPE,
    REMINDER_TYPE,
    ComplianceReminder,
    IngestOutcome,
    IngestOutcomes,
)
from shared.events.per_cohort import CohortAttendanceFinalised, CohortDecided
from shared.topics import publisher_of_topic

M = TypeVar("M", bound=BaseModel)


async def on_cohort_cancelled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.CohortCancelled)
    await projection.set_cohort_status(uow.conn, data.cohort_code, "cancelled", data.reason)
    await upkeep(uow).cohorts_changed([data.cohort_code])
    return Handled.applied()


async def on_cohort_closed(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.CohortClosed)
    await projection.set_cohort_status(uow.conn, data.cohort_code, "closed", None)
    return Handled.applied()


async def on_participant_withdrawn(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.ParticipantWithdrawn)
    await projection.withdraw(uow.conn, data.cohort_code, data.nip)
    await upkeep(uow).asn_changed([data.nip])
    return Handled.applied()


async def on_certificate_revoked(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.CertificateRevoked)
    await projection.set_certificate_status(uow.conn, data.certificate_id, "revoked", data.reason)
    return Handled.applied()


async def on_certificate_superseded(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.CertificateSuperseded)
    await projection.set_certificate_status(
        uow.conn, data.certificate_id, "superseded", data.reason
    )
    return Handled.applied()


# --- the high-volume types, set-based: one statement per table for a run of events ------
#
# The core hands a run of consecutive new events of one type to the `*_run` handler; retries
# and the careful replay use the one-event handler, which is the same code on a run of one.


async def on_cohort_scheduled_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    return await _upsert_cohorts(uow, events, ev.CohortScheduled)


async def on_cohort_amended_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    return await _upsert_cohorts(uow, events, ev.CohortAmended)


async def _upsert_cohorts(
    uow: UnitOfWork, events: Sequence[CloudEvent], model: type[ev.CohortInfo]
) -> list[Handled]:
    """Schedules and amendments: the same fields, each validated as its contract model."""
    outcomes, valid = applied_unless_invalid(events, model)
    rows = [projection.cohort_row(d, organizer_province(d.publisher), e.time) for e, d in valid]
    await projection.upsert_cohorts(uow.conn, rows)
    await upkeep(uow).years_seen({d.end_date.year for _, d in valid})
    await upkeep(uow).cohorts_changed({d.cohort_code for _, d in valid})
    return outcomes


async def on_participant_enrolled_run(
    uow: UnitOfWork, events: Sequence[CloudEvent]
) -> list[Handled]:
    outcomes, valid = applied_unless_invalid(events, ev.ParticipantEnrolled)
    await _enrol(uow, [d for _, d in valid])
    return outcomes


async def on_participants_enrolled_run(
    uow: UnitOfWork, events: Sequence[CloudEvent]
) -> list[Handled]:
    """Registration runs' enrolments (one event per cohort and run), as the per-participant
    events."""
    outcomes, valid = applied_unless_invalid(events, ev.ParticipantsEnrolled)
    await _enrol(uow, [e for _, d in valid for e in ev.enrolments_in(d)])
    return outcomes


async def _enrol(uow: UnitOfWork, enrolled: Sequence[ev.ParticipantEnrolled]) -> None:
    rows = [
        projection.enrolment_row(d, claim_authority(d.publisher, d.participant.region))
        for d in enrolled
    ]
    await projection.upsert_enrolments(uow.conn, rows)
    await upkeep(uow).asn_changed({d.participant.nip for d in enrolled})


async def on_participant_finalised_run(
    uow: UnitOfWork, events: Sequence[CloudEvent]
) -> list[Handled]:
    outcomes, valid = applied_unless_invalid(events, ev.ParticipantFinalised)
    await projection.upsert_attendances(uow.conn, [d for _, d in valid])
    return outcomes


async def on_cohort_attendance_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """A cohort's finalisation (v2): every part's figures in the one attendance upsert."""
    outcomes, valid = applied_unless_invalid(events, CohortAttendanceFinalised)
    finalised = [f for _, d in valid for f in ev.finalisations_in(d)]
    await projection.upsert_attendances(uow.conn, finalised)
    return outcomes


async def on_completion_decided_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    outcomes, valid = applied_unless_invalid(events, ev.CompletionDecided)
    await projection.upsert_completions(uow.conn, [d for _, d in valid])
    await upkeep(uow).asn_changed({d.nip for _, d in valid})
    return outcomes


async def on_cohort_decided_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """Cohorts' decisions taken together with their certificates: each table's upsert for the
    whole run."""
    outcomes, valid = applied_unless_invalid(events, CohortDecided)
    completions = [c for _, d in valid for c in ev.completions_in(d)]
    await projection.upsert_completions(uow.conn, completions)
    certificates = [c for _, d in valid for c in ev.certificates_in(d)]
    await projection.upsert_certificates(uow.conn, certificates)
    await upkeep(uow).asn_changed({c.nip for c in completions})
    return outcomes


async def on_asn_recorded_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """Roster rows the gate accepted: the roster and its history, then their determinations."""
    outcomes, valid = applied_unless_invalid(events, ev.RosterEntryRecorded)
    changes = [RosterChange(d.cause.event_id, d.publisher, d.recorded_at, d.asn) for _, d in valid]
    await roster.record_roster(uow.conn, changes)
    # The year a roster speaks in is owed a determination for everyone in it: its UTC year,
    # as a rebuild reads it back from the stored instant (`determine_everyone`).
    await upkeep(uow).years_seen({d.recorded_at.astimezone(dt.UTC).year for _, d in valid})
    await upkeep(uow).asn_changed({d.asn.nip for _, d in valid})
    return outcomes


async def on_certificate_issued_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    outcomes, valid = applied_unless_invalid(events, ev.CertificateIssued)
    await projection.upsert_certificates(uow.conn, [d for _, d in valid])
    return outcomes


async def on_ingest_outcome_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """v1 feedback: one outcome per message (history written before v2)."""
    outcomes, valid = applied_unless_invalid(events, IngestOutcome)
    await projection.upsert_outcomes(uow.conn, _per_publisher((e, [d]) for e, d in valid))
    return outcomes


async def on_ingest_outcomes_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """v2 feedback: a batch's outcomes for one publisher per message."""
    outcomes, valid = applied_unless_invalid(events, IngestOutcomes)
    await projection.upsert_outcomes(uow.conn, _per_publisher((e, d.each()) for e, d in valid))
    return outcomes


async def on_reminder_sent(uow: UnitOfWork, event: CloudEvent) -> Handled:
    """A 20 JP reminder read back from the feedback topic: a rebuilt model knows it was sent."""
    data = validate_data(event, ComplianceReminder)
    await reminders.record(uow.conn, data, event.id)
    return Handled.applied()


def _per_publisher(
    messages: Iterable[tuple[CloudEvent, list[IngestOutcome]]],
) -> list[projection.OutcomeItem]:
    items: list[projection.OutcomeItem] = []
    for event, outcomes in messages:
        # The publisher is the feedback topic's suffix: the outcome itself does not name it.
        publisher = publisher_of_topic(event.position.topic if event.position else "")
        if publisher is not None:
            items.extend((publisher, event.id, i, o) for i, o in enumerate(outcomes))
    return items


def _one(run: BatchHandler) -> Handler:
    async def handler(uow: UnitOfWork, event: CloudEvent) -> Handled:
        return (await run(uow, [event]))[0]

    handler.__name__ = run.__name__.removesuffix("_run")
    return handler


def _set_based(run: BatchHandler, reports: bool = True) -> Route:
    return Route(_one(run), reports=reports, batch=run)


on_cohort_scheduled = _one(on_cohort_scheduled_run)
on_cohort_amended = _one(on_cohort_amended_run)
on_participant_enrolled = _one(on_participant_enrolled_run)
on_participants_enrolled = _one(on_participants_enrolled_run)
on_participant_finalised = _one(on_participant_finalised_run)
on_cohort_attendance = _one(on_cohort_attendance_run)
on_completion_decided = _one(on_completion_decided_run)
on_cohort_decided = _one(on_cohort_decided_run)
on_asn_recorded = _one(on_asn_recorded_run)
on_certificate_issued = _one(on_certificate_issued_run)
on_ingest_outcome = _one(on_ingest_outcome_run)
on_ingest_outcomes = _one(on_ingest_outcomes_run)


DOMAIN_ROUTES: RouteTable = route_table(
    ev.DOMAIN_TYPES,
    {
        ev.ENROLMENT_COHORT_SCHEDULED: _set_based(on_cohort_scheduled_run),
        ev.ENROLMENT_COHORT_AMENDED: _set_based(on_cohort_amended_run),
        ev.ENROLMENT_COHORT_CANCELLED: Route(on_cohort_cancelled),
        ev.ENROLMENT_COHORT_CLOSED: Route(on_cohort_closed),
        ev.ENROLMENT_PARTICIPANT_ENROLLED: _set_based(on_participant_enrolled_run),
        ev.ENROLMENT_PARTICIPANTS_ENROLLED: _set_based(on_participants_enrolled_run),
        ev.ENROLMENT_PARTICIPANT_WITHDRAWN: Route(on_participant_withdrawn),
        ev.ENROLMENT_ASN_RECORDED: _set_based(on_asn_recorded_run),
        ev.ATTENDANCE_PARTICIPANT_FINALISED: _set_based(on_participant_finalised_run),
        ev.ATTENDANCE_COHORT_FINALISED_V2: _set_based(on_cohort_attendance_run),
        ev.CERTIFICATION_COMPLETION_DECIDED: _set_based(on_completion_decided_run),
        ev.CERTIFICATION_CERTIFICATE_ISSUED: _set_based(on_certificate_issued_run),
        ev.CERTIFICATION_COHORT_DECIDED: _set_based(on_cohort_decided_run),
        ev.CERTIFICATION_CERTIFICATE_REVOKED: Route(on_certificate_revoked),
        ev.CERTIFICATION_CERTIFICATE_SUPERSEDED: Route(on_certificate_superseded),
    },
)
FEEDBACK_ROUTES: RouteTable = route_table(
    FEEDBACK_TYPES,
    {
        FEEDBACK_TYPE: _set_based(on_ingest_outcome_run, reports=False),
        OUTCOMES_TYPE: _set_based(on_ingest_outcomes_run, reports=False),
        REMINDER_TYPE: Route(on_reminder_sent, reports=False),
    },
)

# The model each routed type's handler validates its data as, from the contract. The rebuild's
# replay validates ahead with it, while the previous batch's transaction runs; `validate_data`
# then passes the instance through. Tests hold the handlers to this map.
DATA_MODELS: dict[str, type[BaseModel]] = {
    event_type: route.model
    for event_type, route in {**DOMAIN_ROUTES, **FEEDBACK_ROUTES}.items()
    if route.model is not None
}
