"""Domain events the services publish to each other (topics in shared.topics), versioned by type.

Every domain event is a structured CloudEvent whose source is `/services/<service>`, whose
subject and Kafka key are the cohort code, and whose `data` is one of the models below.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from shared.events.base import ContractData
from shared.events.ingest import AsnRecorded as RosterRow
from shared.events.ingest import Category, CompletionPolicy, Method, Signatory, TimeZone
from shared.events.per_cohort import MAX_PER_PART, CohortAttendanceFinalised, CohortDecided
from shared.topics import ATTENDANCE_EVENTS, CERTIFICATION_EVENTS, ENROLMENT_EVENTS


class _Data(ContractData):
    pass


class IngestRef(_Data):
    """The ingest record that caused a domain event: lets consumers order it against their
    own view of the same ingest partition (see README, 'close barrier')."""

    event_id: str
    topic: str
    partition: int
    offset: int


# --- enrolment ---------------------------------------------------------------------------


class SessionInfo(_Data):
    no: int
    date: dt.date
    start: dt.time
    end: dt.time
    jp: Decimal
    method: Method
    title: str | None = None
    starts_at: dt.datetime  # UTC
    ends_at: dt.datetime  # UTC


class CohortInfo(_Data):
    cohort_code: str
    publisher: str
    programme_name: str
    category: Category
    organizer: str
    year: int
    angkatan: str
    location: str
    timezone: TimeZone
    sessions: list[SessionInfo]
    quota: int
    open_to_other_regions: bool
    completion: CompletionPolicy
    policy_version: int
    start_date: dt.date
    end_date: dt.date
    total_jp: Decimal
    # As the schedule stated them (optional: older schedules and publishers without them).
    signatory: Signatory | None = None
    place_of_issue: str | None = None


class CohortScheduled(CohortInfo):
    pass


class CohortAmended(CohortInfo):
    pass


class CohortCancelled(_Data):
    cohort_code: str
    publisher: str
    reason: str
    cancelled_at: dt.datetime


class CohortClosed(_Data):
    cohort_code: str
    publisher: str
    closed_at: dt.datetime
    closed_on: dt.date | None = None  # the day the organiser says it closed, when it said one
    enrolled: int
    withdrawn: int
    cause: IngestRef


class CloseRefused(_Data):
    """A `cohort.closed` record on the ingest log that did not close its cohort: rejected (not
    the owner, unknown or cancelled cohort, ...), a duplicate of an id used before, or a second
    close of a cohort already closed. Attendance and certification noted a close barrier for
    it; this tells them to drop it (see README, 'close barrier'). `publisher` sent the record."""

    cohort_code: str
    publisher: str
    outcome: str  # what the publisher was answered: rejected, duplicate or applied
    reason: str | None  # the reason code when rejected
    cause: IngestRef
    refused_at: dt.datetime


class Participant(_Data):
    nip: str
    name: str
    asn_type: Literal["PNS", "PPPK"]
    gender: Literal["L", "P"]
    position: str
    rank: str | None = None
    agency: str
    region: str


class ParticipantEnrolled(_Data):
    cohort_code: str
    publisher: str
    participant: Participant
    enrolled_at: dt.datetime


class ParticipantsEnrolled(_Data):
    """Who one registration run enrolled in a cohort (issue 23): one event per cohort and run,
    in parts of at most MAX_PER_PART participants, instead of a `participant_enrolled` each.
    The participants are in the order their registrations were applied."""

    cohort_code: str
    publisher: str
    participants: list[Participant] = Field(min_length=1, max_length=MAX_PER_PART)
    enrolled_at: dt.datetime


class ParticipantWithdrawn(_Data):
    cohort_code: str
    publisher: str
    nip: str
    reason: str
    withdrawn_at: dt.datetime


class RosterEntryRecorded(_Data):
    """A roster row the enrolment gate accepted: the ASN as their region's roster states them
    now, who recorded it, and what it did to their home region (issue 19)."""

    asn: RosterRow
    publisher: str
    change: Literal["new", "same", "transfer"]
    previous_region: str | None
    recorded_at: dt.datetime
    cause: IngestRef


# --- attendance --------------------------------------------------------------------------


class ParticipantFinalised(_Data):
    """A participant's attendance, final once the cohort closed (withdrawn ones are not sent)."""

    cohort_code: str
    publisher: str
    nip: str
    jp_present: Decimal
    jp_total: Decimal
    rate_pct: Decimal  # exact percentage, e.g. 88.888888
    sessions_total: int
    sessions_present: int
    missed_by_status: dict[str, int]  # IZIN/SAKIT/ALPA/UNRECORDED -> sessions
    finalised_at: dt.datetime


class CohortFinalised(_Data):
    cohort_code: str
    publisher: str
    participants: int
    finalised_at: dt.datetime


# --- certification -----------------------------------------------------------------------


class CompletionDecided(_Data):
    cohort_code: str
    publisher: str
    nip: str
    completed: bool
    policy_version: int
    rate_pct: Decimal
    score: Decimal | None
    predicate: str | None
    explanation_id: str
    explanation_en: str
    decided_at: dt.datetime


class CertificateInfo(_Data):
    certificate_id: str
    number: str
    version: int
    verification_code: str
    cohort_code: str
    publisher: str
    nip: str
    name: str
    programme_name: str
    category: Category
    organizer: str
    year: int
    total_jp: Decimal
    end_date: dt.date
    predicate: str | None
    issued_at: dt.datetime
    issue_date: dt.date | None = None  # the date the STTP carries (older events: none)


class CertificateIssued(CertificateInfo):
    pass


class CertificateRevoked(_Data):
    certificate_id: str
    number: str
    cohort_code: str
    publisher: str
    nip: str
    reason: str
    revoked_at: dt.datetime


class CertificateSuperseded(_Data):
    certificate_id: str
    number: str
    cohort_code: str
    publisher: str
    nip: str
    superseded_by: str
    reason: str
    superseded_at: dt.datetime


# The one place each domain event type is named: services route and emit by these constants.
ENROLMENT_COHORT_SCHEDULED = "diklat.enrolment.cohort_scheduled.v1"
ENROLMENT_COHORT_AMENDED = "diklat.enrolment.cohort_amended.v1"
ENROLMENT_COHORT_CANCELLED = "diklat.enrolment.cohort_cancelled.v1"
ENROLMENT_COHORT_CLOSED = "diklat.enrolment.cohort_closed.v1"
ENROLMENT_CLOSE_REFUSED = "diklat.enrolment.close_refused.v1"
ENROLMENT_PARTICIPANT_ENROLLED = "diklat.enrolment.participant_enrolled.v1"
ENROLMENT_PARTICIPANTS_ENROLLED = "diklat.enrolment.participants_enrolled.v1"
ENROLMENT_PARTICIPANT_WITHDRAWN = "diklat.enrolment.participant_withdrawn.v1"
ENROLMENT_ASN_RECORDED = "diklat.enrolment.asn_recorded.v1"
ATTENDANCE_PARTICIPANT_FINALISED = "diklat.attendance.participant_finalised.v1"
ATTENDANCE_COHORT_FINALISED = "diklat.attendance.cohort_finalised.v1"
ATTENDANCE_COHORT_FINALISED_V2 = "diklat.attendance.cohort_finalised.v2"
CERTIFICATION_COMPLETION_DECIDED = "diklat.certification.completion_decided.v1"
CERTIFICATION_CERTIFICATE_ISSUED = "diklat.certification.certificate_issued.v1"
CERTIFICATION_CERTIFICATE_REVOKED = "diklat.certification.certificate_revoked.v1"
CERTIFICATION_CERTIFICATE_SUPERSEDED = "diklat.certification.certificate_superseded.v1"
CERTIFICATION_COHORT_DECIDED = "diklat.certification.cohort_decided.v1"

ENROLMENT_TYPES: dict[str, type[ContractData]] = {
    ENROLMENT_COHORT_SCHEDULED: CohortScheduled,
    ENROLMENT_COHORT_AMENDED: CohortAmended,
    ENROLMENT_COHORT_CANCELLED: CohortCancelled,
    ENROLMENT_COHORT_CLOSED: CohortClosed,
    ENROLMENT_CLOSE_REFUSED: CloseRefused,
    ENROLMENT_PARTICIPANT_ENROLLED: ParticipantEnrolled,
    ENROLMENT_PARTICIPANTS_ENROLLED: ParticipantsEnrolled,
    ENROLMENT_PARTICIPANT_WITHDRAWN: ParticipantWithdrawn,
    ENROLMENT_ASN_RECORDED: RosterEntryRecorded,
}
ATTENDANCE_TYPES: dict[str, type[ContractData]] = {
    ATTENDANCE_PARTICIPANT_FINALISED: ParticipantFinalised,
    ATTENDANCE_COHORT_FINALISED: CohortFinalised,
    ATTENDANCE_COHORT_FINALISED_V2: CohortAttendanceFinalised,
}
CERTIFICATION_TYPES: dict[str, type[ContractData]] = {
    CERTIFICATION_COMPLETION_DECIDED: CompletionDecided,
    CERTIFICATION_CERTIFICATE_ISSUED: CertificateIssued,
    CERTIFICATION_CERTIFICATE_REVOKED: CertificateRevoked,
    CERTIFICATION_CERTIFICATE_SUPERSEDED: CertificateSuperseded,
    CERTIFICATION_COHORT_DECIDED: CohortDecided,
}
# Which types travel on which domain topic (each service publishes its own).
DOMAIN_STREAMS: dict[str, dict[str, type[ContractData]]] = {
    ENROLMENT_EVENTS: ENROLMENT_TYPES,
    ATTENDANCE_EVENTS: ATTENDANCE_TYPES,
    CERTIFICATION_EVENTS: CERTIFICATION_TYPES,
}
DOMAIN_TYPES: dict[str, type[ContractData]] = {
    **ENROLMENT_TYPES,
    **ATTENDANCE_TYPES,
    **CERTIFICATION_TYPES,
}
TYPE_OF: dict[type[ContractData], str] = {model: name for name, model in DOMAIN_TYPES.items()}


def enrolments_in(run: ParticipantsEnrolled) -> list[ParticipantEnrolled]:
    """A run's enrolments as the per-participant events carried them, for readers of both."""
    return [
        ParticipantEnrolled.model_construct(
            cohort_code=run.cohort_code,
            publisher=run.publisher,
            participant=participant,
            enrolled_at=run.enrolled_at,
        )
        for participant in run.participants
    ]


def finalisations_in(cohort: CohortAttendanceFinalised) -> list[ParticipantFinalised]:
    """A cohort's finalisation (v2) as the per-participant events carried it, for readers of
    both."""
    return [
        ParticipantFinalised.model_construct(
            cohort_code=cohort.cohort_code,
            publisher=cohort.publisher,
            finalised_at=cohort.finalised_at,
            **dict(figures),
        )
        for figures in cohort.results
    ]


def completions_in(cohort: CohortDecided) -> list[CompletionDecided]:
    """A cohort's decisions as the per-participant events carried them."""
    return [
        CompletionDecided.model_construct(
            cohort_code=cohort.cohort_code,
            publisher=cohort.publisher,
            policy_version=cohort.policy_version,
            decided_at=cohort.decided_at,
            **dict(decision),
        )
        for decision in cohort.decisions
    ]


def certificates_in(cohort: CohortDecided) -> list[CertificateIssued]:
    """A cohort's first certificates as the per-certificate events carried them."""
    if cohort.shared is None:
        return []
    shared = dict(cohort.shared)
    return [
        CertificateIssued.model_construct(
            cohort_code=cohort.cohort_code, publisher=cohort.publisher, **shared, **dict(entry)
        )
        for entry in cohort.certificates
    ]


def type_of(data: BaseModel) -> str:
    return TYPE_OF[type(data)]  # type: ignore[index]
