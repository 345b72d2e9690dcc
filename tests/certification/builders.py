"""Enrolment and attendance domain events as those services publish them (certification tests)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel

from shared.envelope import to_structured
from shared.events.domain import (
    CohortClosed,
    CohortFinalised,
    CohortScheduled,
    IngestRef,
    Participant,
    ParticipantEnrolled,
    ParticipantFinalised,
    ParticipantWithdrawn,
    SessionInfo,
)
from shared.events.ingest import CompletionPolicy
from shared.outbox import domain_event
from shared.topics import ATTENDANCE_EVENTS, ENROLMENT_EVENTS, ingest_topic
from tests.support import Publisher

NOW = dt.datetime(2022, 5, 24, 10, 0, tzinfo=dt.UTC)


def cohort(
    code: str,
    publisher: str,
    *,
    evaluation_required: bool = False,
    min_attendance_pct: str = "90",
    pass_score: str = "60.01",
    programme: str = "Pelatihan Kepemimpinan Administrator",
) -> CohortScheduled:
    start = dt.date(2022, 2, 15)
    sessions = [
        SessionInfo(
            no=i + 1,
            date=start + dt.timedelta(days=i),
            start=dt.time(8),
            end=dt.time(12),
            jp=Decimal(5),
            method="ceramah",
            starts_at=dt.datetime.combine(start, dt.time(1), dt.UTC),
            ends_at=dt.datetime.combine(start, dt.time(5), dt.UTC),
        )
        for i in range(4)
    ]
    return CohortScheduled(
        cohort_code=code,
        publisher=publisher,
        programme_name=programme,
        category="kepemimpinan_pka",
        organizer="BPSDM Provinsi Jambi",
        year=2022,
        angkatan="IV",
        location="Jambi",
        timezone="Asia/Jakarta",
        sessions=sessions,
        quota=40,
        open_to_other_regions=False,
        completion=CompletionPolicy(
            min_attendance_pct=Decimal(min_attendance_pct),
            evaluation_required=evaluation_required,
            pass_score=Decimal(pass_score),
        ),
        policy_version=1,
        start_date=start,
        end_date=dt.date(2022, 5, 24),
        total_jp=Decimal(20),
    )


def enrolled(code: str, publisher: str, nip: str, name: str) -> ParticipantEnrolled:
    return ParticipantEnrolled(
        cohort_code=code,
        publisher=publisher,
        enrolled_at=NOW,
        participant=Participant(
            nip=nip,
            name=name,
            asn_type="PNS",
            gender="L",
            position="Camat",
            rank="Penata Tk. I (III/d)",
            agency="Pemerintah Kabupaten Muaro Jambi",
            region="15",
        ),
    )


def withdrawn(code: str, publisher: str, nip: str) -> ParticipantWithdrawn:
    return ParticipantWithdrawn(
        cohort_code=code, publisher=publisher, nip=nip, reason="tugas dinas", withdrawn_at=NOW
    )


def closed(code: str, publisher: str, cause_event_id: str, enrolled: int = 0) -> CohortClosed:
    return CohortClosed(
        cohort_code=code,
        publisher=publisher,
        closed_at=NOW,
        enrolled=enrolled,
        withdrawn=0,
        cause=IngestRef(
            event_id=cause_event_id, topic=ingest_topic(publisher), partition=0, offset=0
        ),
    )


def finalised(code: str, publisher: str, nip: str, jp_present: str) -> ParticipantFinalised:
    present = Decimal(jp_present)
    return ParticipantFinalised(
        cohort_code=code,
        publisher=publisher,
        nip=nip,
        jp_present=present,
        jp_total=Decimal(20),
        rate_pct=round(present / 20 * 100, 6),
        sessions_total=4,
        sessions_present=4,
        missed_by_status={},
        finalised_at=NOW,
    )


def cohort_finalised(code: str, publisher: str, participants: int) -> CohortFinalised:
    return CohortFinalised(
        cohort_code=code, publisher=publisher, participants=participants, finalised_at=NOW
    )


async def send_domain(pub: Publisher, data: BaseModel, event_id: str | None = None) -> str:
    """Publish as enrolment or attendance would; returns the event id."""
    attendance = isinstance(data, ParticipantFinalised | CohortFinalised)
    service, topic = (
        ("attendance", ATTENDANCE_EVENTS) if attendance else ("enrolment", ENROLMENT_EVENTS)
    )
    code: str = data.cohort_code  # type: ignore[attr-defined]
    event = domain_event(service, data, subject=code, event_id=event_id, time=NOW)
    await pub.send_raw(topic, to_structured(event), key=code)
    return event.id
