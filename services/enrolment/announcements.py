"""What enrolment announces, made from what it accepted: the domain events' data built from
ingest data (a schedule's sessions in UTC, the ingest record a close came from; the
participant enrolled is built in registrations.py). Pure."""

from __future__ import annotations

from decimal import Decimal

from shared.envelope import CloudEvent, RecordPosition
from shared.events import domain as events
from shared.events import ingest
from shared.regions import local_to_utc


def cohort_info(
    data: ingest.CohortScheduled, publisher: str, policy_version: int
) -> events.CohortInfo:
    """The schedule as other services need it: sessions also as UTC instants, totals derived."""
    sessions = sorted(data.sessions, key=lambda s: (s.date, s.start, s.no))
    return events.CohortInfo(
        cohort_code=data.cohort_code,
        publisher=publisher,
        programme_name=data.programme.name,
        category=data.programme.category,
        organizer=data.organizer,
        year=data.year,
        angkatan=data.angkatan,
        location=data.location,
        timezone=data.timezone,
        sessions=[
            events.SessionInfo(
                no=s.no,
                date=s.date,
                start=s.start,
                end=s.end,
                jp=s.jp,
                method=s.method,
                title=s.title,
                starts_at=local_to_utc(s.date, s.start, data.timezone),
                ends_at=local_to_utc(s.date, s.end, data.timezone),
            )
            for s in sessions
        ],
        quota=data.quota,
        open_to_other_regions=data.open_to_other_regions,
        completion=data.completion,
        policy_version=policy_version,
        start_date=sessions[0].date,
        end_date=sessions[-1].date,
        total_jp=sum((s.jp for s in sessions), Decimal(0)),
        signatory=data.signatory,
        place_of_issue=data.place_of_issue,
    )


def ingest_ref(event: CloudEvent) -> events.IngestRef:
    position = event.position or RecordPosition("", 0, 0)
    return events.IngestRef(
        event_id=event.id,
        topic=position.topic,
        partition=position.partition,
        offset=position.offset,
    )
