"""A stand-in for the enrolment service in attendance tests: its domain events, as published."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from shared.envelope import to_structured
from shared.events import domain as ev
from shared.events.ingest import Category, CompletionPolicy, Method
from shared.outbox import domain_event
from shared.regions import local_to_utc
from shared.topics import ENROLMENT_EVENTS
from tests.support import Publisher, ingest_event

T0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)


def nip(seq: int) -> str:
    return f"19860926201505{1 + seq % 2}{seq:03d}"


def scheduled(
    code: str, publisher: str, timezone: str, sessions: Sequence[tuple[int, dt.date, str, str, str]]
) -> ev.CohortScheduled:
    """sessions: (no, local date, "HH:MM" start, "HH:MM" end, jp)."""
    infos = []
    for no, day, start, end, jp in sessions:
        s, e = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
        infos.append(
            ev.SessionInfo(
                no=no,
                date=day,
                start=s,
                end=e,
                jp=Decimal(jp),
                method=Method.CERAMAH,
                title=f"Sesi {no}",
                starts_at=local_to_utc(day, s, timezone),
                ends_at=local_to_utc(day, e, timezone),
            )
        )
    return ev.CohortScheduled(
        cohort_code=code,
        publisher=publisher,
        programme_name="Pelatihan Teknis",
        category=Category.TEKNIS,
        organizer="BPSDM",
        year=2024,
        angkatan="I",
        location="Aula",
        timezone=timezone,
        sessions=infos,
        quota=40,
        open_to_other_regions=False,
        completion=CompletionPolicy(),
        policy_version=1,
        start_date=min(i.date for i in infos),
        end_date=max(i.date for i in infos),
        total_jp=sum((i.jp for i in infos), Decimal(0)),
    )


def enrolled(code: str, publisher: str, nip_: str) -> ev.ParticipantEnrolled:
    return ev.ParticipantEnrolled(
        cohort_code=code,
        publisher=publisher,
        enrolled_at=T0,
        participant=ev.Participant(
            nip=nip_,
            name=f"Peserta {nip_[-3:]}",
            asn_type="PNS",
            gender="L",
            position="Analis",
            agency="Pemda",
            region=publisher,
        ),
    )


def withdrawn(code: str, publisher: str, nip_: str) -> ev.ParticipantWithdrawn:
    return ev.ParticipantWithdrawn(
        cohort_code=code, publisher=publisher, nip=nip_, reason="mutasi", withdrawn_at=T0
    )


def cancelled(code: str, publisher: str) -> ev.CohortCancelled:
    return ev.CohortCancelled(
        cohort_code=code, publisher=publisher, reason="anggaran", cancelled_at=T0
    )


def closed(code: str, publisher: str, close_event_id: str) -> ev.CohortClosed:
    # The barrier is matched by event id; the cause's offset is enrolment's business.
    return ev.CohortClosed(
        cohort_code=code,
        publisher=publisher,
        closed_at=T0,
        enrolled=0,
        withdrawn=0,
        cause=ev.IngestRef(
            event_id=close_event_id, topic=f"diklat.ingest.{publisher}", partition=0, offset=0
        ),
    )


async def publish_domain(pub: Publisher, data: BaseModel, event_id: str | None = None) -> str:
    """Send one enrolment domain event; returns its id."""
    code: str = data.cohort_code
    event = domain_event("enrolment", data, code, event_id)
    await pub.send_raw(ENROLMENT_EVENTS, to_structured(event), key=code)
    return event.id


def mark(
    code: str,
    publisher: str,
    nip_: str,
    session_no: int,
    status: str,
    at: dt.datetime = T0,
    event_id: str | None = None,
) -> dict[str, Any]:
    return ingest_event(
        "attendance.recorded",
        {"cohort_code": code, "nip": nip_, "session_no": session_no, "status": status},
        publisher,
        time_=at,
        event_id=event_id,
    )
