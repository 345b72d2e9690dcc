"""Synthetic but valid traffic: cohorts of 30 ASN with 8 sessions, as publishers and services
send it (structured CloudEvents, key = cohort code). No real personal data: NIPs are made up."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from aiokafka import AIOKafkaProducer

from shared.envelope import STRUCTURED_HEADERS, to_structured
from shared.events import domain as ev
from shared.events.ingest import Category, CompletionPolicy, Method
from shared.outbox import domain_event
from shared.regions import local_to_utc
from shared.settings import InfraSettings
from shared.topics import physical

PUBLISHER = "35.23"
SIZE = 30  # participants per cohort
SESSIONS = 8
START = dt.date(2024, 3, 4)
T0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
Message = tuple[str, str, bytes]  # logical topic, key, value


def cohort_code(run: str, i: int) -> str:
    return f"{PUBLISHER}/BENCH-{run}/2024/{i}"


def nip(i: int) -> str:
    """A well-formed PNS NIP (birth date, TMT after it, gender 1, sequence 001-999)."""
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=i % 9000)
    return f"{birth:%Y%m%d}{1996 + i % 20:04d}{1 + i % 12:02d}1{1 + i % 999:03d}"


def _days() -> list[dt.date]:
    days: list[dt.date] = []
    day = START
    while len(days) < SESSIONS:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def ingest(event_type: str, data: dict[str, Any], event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "specversion": "1.0",
            "id": event_id or str(uuid.uuid4()),
            "source": f"/publishers/{PUBLISHER}",
            "type": f"diklat.{event_type}.v1",
            "time": dt.datetime.now(dt.UTC).isoformat(),
            "subject": data["cohort_code"],
            "datacontenttype": "application/json",
            "data": data,
        }
    ).encode()


def scheduled_data(code: str) -> dict[str, Any]:
    return {
        "cohort_code": code,
        "programme": {"name": "Pelatihan Teknis Benchmark", "category": "teknis"},
        "organizer": "BKPSDM Kabupaten Tuban",
        "year": 2024,
        "angkatan": "I",
        "location": "Aula",
        "timezone": "Asia/Jakarta",
        "sessions": [
            {
                "no": n,
                "date": day.isoformat(),
                "start": "08:00",
                "end": "15:00",
                "jp": "6",
                "method": "ceramah",
                "title": f"Hari {n}",
            }
            for n, day in enumerate(_days(), start=1)
        ],
        "quota": SIZE,
        "open_to_other_regions": False,
        "completion": {"min_attendance_pct": "90", "evaluation_required": False},
    }


def registered_data(code: str, i: int) -> dict[str, Any]:
    return {
        "cohort_code": code,
        "nip": nip(i),
        "name": f"Peserta {i}",
        "asn_type": "PNS",
        "gender": "L",
        "position": "Analis Kebijakan",
        "rank": "III/a",
        "agency": "Pemkab Tuban",
        "region": PUBLISHER,
    }


def marks(code: str, first: int, sessions: range = range(1, SESSIONS + 1)) -> Iterator[bytes]:
    for s in sessions:
        for i in range(first, first + SIZE):
            data = {"cohort_code": code, "nip": nip(i), "session_no": s, "status": "HADIR"}
            yield ingest("attendance.recorded", data)


def cohorts_for(events: int, per_cohort: int) -> int:
    return max(1, -(-events // per_cohort))


def enrolment_ingest(run: str, registrations: int) -> list[Message]:
    """cohort.scheduled then its registrations, in one partition (same key), so in order."""
    out: list[Message] = []
    topic = f"diklat.ingest.{PUBLISHER}"
    for c in range(cohorts_for(registrations, SIZE)):
        code = cohort_code(run, c)
        out.append((topic, code, ingest("cohort.scheduled", scheduled_data(code))))
        out += [
            (topic, code, ingest("participant.registered", registered_data(code, c * SIZE + i)))
            for i in range(SIZE)
        ]
    return out


def _scheduled(code: str) -> ev.CohortScheduled:
    sessions = [
        ev.SessionInfo(
            no=n,
            date=day,
            start=dt.time(8),
            end=dt.time(15),
            jp=Decimal(6),
            method=Method.CERAMAH,
            title=f"Hari {n}",
            starts_at=local_to_utc(day, dt.time(8), "Asia/Jakarta"),
            ends_at=local_to_utc(day, dt.time(15), "Asia/Jakarta"),
        )
        for n, day in enumerate(_days(), start=1)
    ]
    return ev.CohortScheduled(
        cohort_code=code,
        publisher=PUBLISHER,
        programme_name="Pelatihan Teknis Benchmark",
        category=Category.TEKNIS,
        organizer="BKPSDM Kabupaten Tuban",
        year=2024,
        angkatan="I",
        location="Aula",
        timezone="Asia/Jakarta",
        sessions=sessions,
        quota=SIZE,
        open_to_other_regions=False,
        completion=CompletionPolicy(),
        policy_version=1,
        start_date=sessions[0].date,
        end_date=sessions[-1].date,
        total_jp=Decimal(6 * SESSIONS),
    )


def _participant(i: int) -> ev.Participant:
    return ev.Participant(
        nip=nip(i),
        name=f"Peserta {i}",
        asn_type="PNS",
        gender="L",
        position="Analis Kebijakan",
        agency="Pemkab Tuban",
        region=PUBLISHER,
    )


def _domain(service: str, topic: str, data: Any, code: str, event_id: str) -> Message:
    return (topic, code, to_structured(domain_event(service, data, code, event_id, time=T0)))


def enrolment_domain(run: str, cohorts: int) -> list[Message]:
    """What the enrolment service would have published for these cohorts."""
    return [m for c in range(cohorts) for m in _cohort_enrolments(run, c)]


def _cohort_enrolments(run: str, c: int) -> list[Message]:
    code, topic = cohort_code(run, c), "diklat.domain.enrolment"
    out = [_domain("enrolment", topic, _scheduled(code), code, f"s:{code}")]
    for i in range(c * SIZE, (c + 1) * SIZE):
        data = ev.ParticipantEnrolled(
            cohort_code=code, publisher=PUBLISHER, participant=_participant(i), enrolled_at=T0
        )
        out.append(_domain("enrolment", topic, data, code, f"e:{code}:{i}"))
    return out


def national_history(run: str, events: int) -> list[Message]:
    """Domain events of whole cohorts (schedule, 30 enrolments, 30 finalisations)."""
    out: list[Message] = []
    for c in range(cohorts_for(events, 1 + 2 * SIZE)):
        code = cohort_code(run, c)
        out += _cohort_enrolments(run, c)
        for i in range(c * SIZE, (c + 1) * SIZE):
            final = ev.ParticipantFinalised(
                cohort_code=code,
                publisher=PUBLISHER,
                nip=nip(i),
                jp_present=Decimal(48),
                jp_total=Decimal(48),
                rate_pct=Decimal(100),
                sessions_total=SESSIONS,
                sessions_present=SESSIONS,
                missed_by_status={"UNRECORDED": 0},
                finalised_at=T0,
            )
            out.append(
                _domain("attendance", "diklat.domain.attendance", final, code, f"f:{code}:{i}")
            )
    return out[:events]


async def produce(infra: InfraSettings, messages: list[Message]) -> None:
    """Send everything (batched, acks=all) and wait until the broker has it all."""
    producer = AIOKafkaProducer(
        **infra.kafka_client_config(),
        acks="all",
        linger_ms=20,
        max_batch_size=1_000_000,
        max_request_size=8_000_000,
    )
    await producer.start()
    try:
        pending = []
        for topic, key, value in messages:
            pending.append(
                await producer.send(
                    physical(infra.kafka_topic_namespace, topic),
                    value=value,
                    key=key.encode(),
                    headers=STRUCTURED_HEADERS,
                )
            )
            if len(pending) >= 5000:
                for future in pending:
                    await future
                pending.clear()
        for future in pending:
            await future
    finally:
        await producer.stop()
