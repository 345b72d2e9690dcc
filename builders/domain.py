"""The services' domain events as they publish them, for tests and benchmarks that stand in for
a service: enrolment's cohorts and participants, attendance's finalisations, certification's
completion decisions, and sending any of them on its service's topic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from builders.calendar import T0
from shared.envelope import to_structured
from shared.events import domain as ev
from shared.events.ingest import AsnRecorded, Category, CompletionPolicy, Method
from shared.events.per_cohort import (
    CertificateEntry,
    CertificatesShare,
    CohortAttendanceFinalised,
    CohortDecided,
    DecisionEntry,
    FinalFigures,
)
from shared.outbox import domain_event
from shared.regions import local_to_utc
from shared.topics import ATTENDANCE_EVENTS, CERTIFICATION_EVENTS, ENROLMENT_EVENTS, ingest_topic

# A session as organisers write it: (no, local date, "HH:MM" start, "HH:MM" end, jp).
Session = tuple[int, dt.date, str, str, str]
Record = tuple[str, str, bytes]  # logical topic, key, value
_PUBLISHED_BY: dict[type[BaseModel], tuple[str, str]] = {
    **{model: ("enrolment", ENROLMENT_EVENTS) for model in ev.ENROLMENT_TYPES.values()},
    **{model: ("attendance", ATTENDANCE_EVENTS) for model in ev.ATTENDANCE_TYPES.values()},
    **{model: ("certification", CERTIFICATION_EVENTS) for model in ev.CERTIFICATION_TYPES.values()},
}


class RawSender(Protocol):
    """What sends a record to a logical topic (the tests' `Publisher`)."""

    async def send_raw(self, topic: str, value: bytes | None, key: str | None = None) -> None: ...


def session_info(session: Session, timezone: str, title: str | None) -> ev.SessionInfo:
    no, day, start, end, jp = session
    begins, ends = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
    return ev.SessionInfo(
        no=no,
        date=day,
        start=begins,
        end=ends,
        jp=Decimal(jp),
        method=Method.CERAMAH,
        title=title,
        starts_at=local_to_utc(day, begins, timezone),
        ends_at=local_to_utc(day, ends, timezone),
    )


def scheduled(
    code: str,
    publisher: str,
    timezone: str,
    sessions: Sequence[Session],
    *,
    titled: str | None = "Sesi",
    programme: str = "Pelatihan Teknis",
    category: str = Category.TEKNIS,
    organizer: str = "BPSDM",
    year: int = 2024,
    angkatan: str = "I",
    location: str = "Aula",
    quota: int = 40,
    open_to_other_regions: bool = False,
    completion: CompletionPolicy | None = None,
    end_date: dt.date | None = None,
) -> ev.CohortScheduled:
    """Enrolment's `cohort_scheduled`; sessions are titled "<titled> <no>" (None: untitled)
    and the cohort ends on its last session's day unless `end_date` says otherwise."""
    infos = [session_info(s, timezone, titled and f"{titled} {s[0]}") for s in sessions]
    return ev.CohortScheduled(
        cohort_code=code,
        publisher=publisher,
        programme_name=programme,
        category=category,
        organizer=organizer,
        year=year,
        angkatan=angkatan,
        location=location,
        timezone=timezone,
        sessions=infos,
        quota=quota,
        open_to_other_regions=open_to_other_regions,
        completion=completion or CompletionPolicy(),
        policy_version=1,
        start_date=min(i.date for i in infos),
        end_date=end_date or max(i.date for i in infos),
        total_jp=sum((i.jp for i in infos), Decimal(0)),
    )


def enrolled(
    code: str,
    publisher: str,
    nip: str,
    name: str | None = None,
    *,
    gender: str = "L",
    region: str | None = None,
    position: str = "Analis",
    rank: str | None = None,
    agency: str = "Pemda",
    at: dt.datetime = T0,
) -> ev.ParticipantEnrolled:
    """Enrolment's `participant_enrolled`; from the publisher's own region unless `region`."""
    return ev.ParticipantEnrolled(
        cohort_code=code,
        publisher=publisher,
        enrolled_at=at,
        participant=ev.Participant(
            nip=nip,
            name=name or f"Peserta {nip[-3:]}",
            asn_type="PNS",
            gender=gender,
            position=position,
            rank=rank,
            agency=agency,
            region=region or publisher,
        ),
    )


def participants_enrolled(
    code: str, publisher: str, *nips: str, at: dt.datetime = T0, **person: Any
) -> ev.ParticipantsEnrolled:
    """Enrolment's `participants_enrolled` for a run of these NIPs, each as `enrolled` makes
    them (`person`: its keyword arguments)."""
    return one_run([enrolled(code, publisher, nip, at=at, **person) for nip in nips])


def one_run(enrolments: Sequence[ev.ParticipantEnrolled]) -> ev.ParticipantsEnrolled:
    """One cohort's enrolments as the one event of their registration run (`enrolments_in`
    read backwards)."""
    first = enrolments[0]
    return ev.ParticipantsEnrolled(
        cohort_code=first.cohort_code,
        publisher=first.publisher,
        enrolled_at=first.enrolled_at,
        participants=[e.participant for e in enrolments],
    )


def withdrawn(
    code: str, publisher: str, nip: str, *, reason: str = "mutasi", at: dt.datetime = T0
) -> ev.ParticipantWithdrawn:
    return ev.ParticipantWithdrawn(
        cohort_code=code, publisher=publisher, nip=nip, reason=reason, withdrawn_at=at
    )


def cancelled(code: str, publisher: str, *, at: dt.datetime = T0) -> ev.CohortCancelled:
    return ev.CohortCancelled(
        cohort_code=code, publisher=publisher, reason="anggaran", cancelled_at=at
    )


def closed(
    code: str, publisher: str, cause_event_id: str, enrolled: int = 0, *, at: dt.datetime = T0
) -> ev.CohortClosed:
    """Enrolment's `cohort_closed` naming the close it accepted by event id (barriers match
    on the id; the offset is enrolment's business)."""
    return ev.CohortClosed(
        cohort_code=code,
        publisher=publisher,
        closed_at=at,
        enrolled=enrolled,
        withdrawn=0,
        cause=ev.IngestRef(
            event_id=cause_event_id, topic=ingest_topic(publisher), partition=0, offset=0
        ),
    )


def finalised(
    code: str,
    publisher: str,
    nip: str,
    jp_present: str,
    *,
    jp_total: str = "20",
    sessions: int = 4,
    missed_by_status: dict[str, int] | None = None,
    at: dt.datetime = T0,
) -> ev.ParticipantFinalised:
    """Attendance's `participant_finalised`: present at every session, `jp_present` of
    `jp_total` JP."""
    present, total = Decimal(jp_present), Decimal(jp_total)
    return ev.ParticipantFinalised(
        cohort_code=code,
        publisher=publisher,
        nip=nip,
        jp_present=present,
        jp_total=total,
        rate_pct=round(present / total * 100, 6),
        sessions_total=sessions,
        sessions_present=sessions,
        missed_by_status=missed_by_status or {},
        finalised_at=at,
    )


def cohort_attendance(
    code: str,
    publisher: str,
    results: Sequence[ev.ParticipantFinalised],
    *,
    part: int = 1,
    parts: int = 1,
    at: dt.datetime = T0,
) -> CohortAttendanceFinalised:
    """Attendance's `cohort_finalised.v2`: these participants' figures (see `finalised`) as one
    part of the cohort's finalisation."""
    return CohortAttendanceFinalised(
        cohort_code=code,
        publisher=publisher,
        part=part,
        parts=parts,
        participants=len(results),
        results=[
            FinalFigures(**r.model_dump(include=set(FinalFigures.model_fields))) for r in results
        ],
        finalised_at=at,
    )


M = TypeVar("M", bound=BaseModel)


def cohort_decided(
    code: str,
    publisher: str,
    decisions: Sequence[ev.CompletionDecided],
    certificates: Sequence[ev.CertificateIssued],
    *,
    policy_version: int = 1,
) -> CohortDecided:
    """Certification's `cohort_decided.v1`: these decisions and certificates (see
    `completion_decided`; the certificates alike but for who and their numbers) as one part."""
    first = certificates[0] if certificates else None
    return CohortDecided(
        cohort_code=code,
        publisher=publisher,
        policy_version=policy_version,
        part=1,
        parts=1,
        decisions=[_entry(DecisionEntry, d) for d in decisions],
        certificates=[_entry(CertificateEntry, c) for c in certificates],
        shared=_entry(CertificatesShare, first) if first else None,
        decided_at=decisions[0].decided_at if decisions else T0,
    )


def _entry(model: type[M], data: BaseModel) -> M:
    return model(**data.model_dump(include=set(model.model_fields)))


def cohort_finalised(
    code: str, publisher: str, participants: int, *, at: dt.datetime = T0
) -> ev.CohortFinalised:
    return ev.CohortFinalised(
        cohort_code=code, publisher=publisher, participants=participants, finalised_at=at
    )


def completion_decided(
    code: str,
    publisher: str,
    nip: str,
    completed: bool = True,
    *,
    at: dt.datetime = T0,
    rate_pct: int = 100,
) -> ev.CompletionDecided:
    """Certification's `completion_decided` at `rate_pct` against a minimum of 80%, with no
    evaluation, explained in certification's words."""
    verdict_id, verdict_en = (
        ("lulus", "completed") if completed else ("tidak lulus", "not completed")
    )
    sign = "≥" if completed else "<"
    return ev.CompletionDecided(
        cohort_code=code,
        publisher=publisher,
        nip=nip,
        completed=completed,
        policy_version=1,
        rate_pct=Decimal(rate_pct),
        score=None,
        predicate=None,
        explanation_id=f"{verdict_id}: kehadiran {rate_pct}% {sign} 80%",
        explanation_en=f"{verdict_en}: attendance {rate_pct}% {sign} 80%",
        decided_at=at,
    )


def domain_record(
    data: BaseModel, event_id: str | None = None, time: dt.datetime | None = None
) -> tuple[Record, str]:
    """The record the data's service publishes (on its topic, keyed by cohort, a roster row by
    NIP) and its id."""
    service, topic = _PUBLISHED_BY[type(data)]
    key = _key_of(data)
    event = domain_event(service, data, key, event_id, time=time)
    return (topic, key, to_structured(event)), event.id


def _key_of(data: BaseModel) -> str:
    if isinstance(data, ev.RosterEntryRecorded):
        return data.asn.nip
    code: str = data.cohort_code  # type: ignore[attr-defined]
    return code


def roster_recorded(
    row: AsnRecorded, publisher: str, event_id: str, *, at: dt.datetime = T0
) -> ev.RosterEntryRecorded:
    """Enrolment's `asn_recorded` for a new ASN: the row as the gate accepted it from
    `publisher`, caused by the ingest record `event_id`."""
    return ev.RosterEntryRecorded(
        asn=row,
        publisher=publisher,
        change="new",
        previous_region=None,
        recorded_at=at,
        cause=ev.IngestRef(event_id=event_id, topic=ingest_topic(publisher), partition=0, offset=0),
    )


def roster_record(
    data: ev.RosterEntryRecorded, event_id: str, time: dt.datetime | None = None
) -> Record:
    """The record enrolment publishes for an accepted roster row: keyed by NIP, as the gate
    keys it, so one ASN's rows stay in order."""
    return domain_record(data, event_id, time)[0]


async def send_domain(
    sender: RawSender, data: BaseModel, event_id: str | None = None, time: dt.datetime | None = None
) -> str:
    """Publish as the data's service would; returns the event id."""
    (topic, key, value), sent = domain_record(data, event_id, time)
    await sender.send_raw(topic, value, key=key)
    return sent
