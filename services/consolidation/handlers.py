"""One handler per consumed event type: validate, upsert into the read model, done.

Every write is an idempotent upsert, so a replay (or a rebuild) converges to the same rows.
"""

from __future__ import annotations

from services.consolidation.adapters import postgres as repo
from services.consolidation.domain import organizer_province
from shared.consumer import Handled, Route, UnitOfWork
from shared.envelope import CloudEvent, validate_data
from shared.events import domain as ev
from shared.events.feedback import FEEDBACK_TYPE, IngestOutcome
from shared.topics import publisher_of_topic


async def on_cohort_scheduled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.CohortInfo)
    await repo.upsert_cohort(uow.conn, data, organizer_province(data.publisher), event.time)
    return Handled.applied()


async def on_cohort_cancelled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.CohortCancelled)
    await repo.set_cohort_status(uow.conn, data.cohort_code, "cancelled", data.reason)
    return Handled.applied()


async def on_cohort_closed(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.CohortClosed)
    await repo.set_cohort_status(uow.conn, data.cohort_code, "closed", None)
    return Handled.applied()


async def on_participant_enrolled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.ParticipantEnrolled)
    await repo.upsert_enrolment(uow.conn, data)
    return Handled.applied()


async def on_participant_withdrawn(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.ParticipantWithdrawn)
    await repo.withdraw(uow.conn, data.cohort_code, data.nip)
    return Handled.applied()


async def on_participant_finalised(uow: UnitOfWork, event: CloudEvent) -> Handled:
    await repo.upsert_attendance(uow.conn, validate_data(event, ev.ParticipantFinalised))
    return Handled.applied()


async def on_completion_decided(uow: UnitOfWork, event: CloudEvent) -> Handled:
    await repo.upsert_completion(uow.conn, validate_data(event, ev.CompletionDecided))
    return Handled.applied()


async def on_certificate_issued(uow: UnitOfWork, event: CloudEvent) -> Handled:
    await repo.upsert_certificate(uow.conn, validate_data(event, ev.CertificateIssued))
    return Handled.applied()


async def on_certificate_revoked(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.CertificateRevoked)
    await repo.set_certificate_status(uow.conn, data.certificate_id, "revoked", data.reason)
    return Handled.applied()


async def on_certificate_superseded(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.CertificateSuperseded)
    await repo.set_certificate_status(uow.conn, data.certificate_id, "superseded", data.reason)
    return Handled.applied()


async def on_ingest_outcome(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, IngestOutcome)
    # The publisher is the feedback topic's suffix: the outcome itself does not name it.
    topic = event.position.topic if event.position else ""
    publisher = publisher_of_topic(topic)
    if publisher is None:
        return Handled.applied()
    await repo.upsert_outcome(uow.conn, publisher, data)
    return Handled.applied()


DOMAIN_ROUTES: dict[str, Route] = {
    "diklat.enrolment.cohort_scheduled.v1": Route(on_cohort_scheduled),
    "diklat.enrolment.cohort_amended.v1": Route(on_cohort_scheduled),
    "diklat.enrolment.cohort_cancelled.v1": Route(on_cohort_cancelled),
    "diklat.enrolment.cohort_closed.v1": Route(on_cohort_closed),
    "diklat.enrolment.participant_enrolled.v1": Route(on_participant_enrolled),
    "diklat.enrolment.participant_withdrawn.v1": Route(on_participant_withdrawn),
    "diklat.attendance.participant_finalised.v1": Route(on_participant_finalised),
    "diklat.certification.completion_decided.v1": Route(on_completion_decided),
    "diklat.certification.certificate_issued.v1": Route(on_certificate_issued),
    "diklat.certification.certificate_revoked.v1": Route(on_certificate_revoked),
    "diklat.certification.certificate_superseded.v1": Route(on_certificate_superseded),
}
FEEDBACK_ROUTES: dict[str, Route] = {FEEDBACK_TYPE: Route(on_ingest_outcome, reports=False)}
