"""Synthetic but valid traffic: cohorts of 30 ASN with 8 sessions, as publishers and services
send it (structured CloudEvents, key = cohort code). No real personal data: NIPs are made up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from builders.calendar import T0, working_days
from builders.domain import (
    Record,
    cohort_attendance,
    domain_record,
    enrolled,
    finalised,
    one_run,
    scheduled,
)
from builders.ingest import cohort_data, ingest_record, mark_data, participant_data
from builders.nips import make_nip
from shared.envelope import STRUCTURED_HEADERS
from shared.events import domain as ev
from shared.settings import InfraSettings
from shared.topics import physical

PUBLISHER = "35.23"
SIZE = 30  # participants per cohort
SESSIONS = 8
START = dt.date(2024, 3, 4)
Message = Record


def cohort_code(run: str, i: int) -> str:
    return f"{PUBLISHER}/BENCH-{run}/2024/{i}"


def nip(i: int) -> str:
    """A well-formed PNS NIP (birth date, TMT after it, gender 1, sequence 001-999)."""
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=i % 9000)
    return make_nip(birth, tmt=(1996 + i % 20, 1 + i % 12), seq=1 + i % 999)


def _days() -> list[dt.date]:
    return working_days(START, SESSIONS)


def ingest(event_type: str, data: dict[str, Any], event_id: str | None = None) -> bytes:
    return ingest_record(event_type, data, PUBLISHER, event_id)


def scheduled_data(code: str) -> dict[str, Any]:
    return cohort_data(
        code,
        PUBLISHER,
        start=START,
        days=SESSIONS,
        quota=SIZE,
        programme="Pelatihan Teknis Benchmark",
        organizer="BKPSDM Kabupaten Tuban",
        location="Aula",
    )


def registered_data(code: str, i: int) -> dict[str, Any]:
    return participant_data(
        code,
        nip(i),
        name=f"Peserta {i}",
        gender="L",
        position="Analis Kebijakan",
        rank="III/a",
        agency="Pemkab Tuban",
        region=PUBLISHER,
    )


def marks(code: str, first: int, sessions: range = range(1, SESSIONS + 1)) -> Iterator[bytes]:
    for s in sessions:
        for i in range(first, first + SIZE):
            yield ingest("attendance.recorded", mark_data(code, nip(i), s, "HADIR"))


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
    sessions = [(n, day, "08:00", "15:00", "6") for n, day in enumerate(_days(), start=1)]
    return scheduled(
        code,
        PUBLISHER,
        "Asia/Jakarta",
        sessions,
        titled="Hari",
        programme="Pelatihan Teknis Benchmark",
        organizer="BKPSDM Kabupaten Tuban",
        quota=SIZE,
    )


def _domain(data: BaseModel, event_id: str) -> Message:
    record, _ = domain_record(data, event_id, time=T0)
    return record


def enrolment_domain(run: str, cohorts: int) -> list[Message]:
    """What the enrolment service would have published for these cohorts."""
    return [m for c in range(cohorts) for m in _cohort_enrolments(run, c)]


def _cohort_enrolments(run: str, c: int, per_cohort: bool = False) -> list[Message]:
    """A cohort's schedule and its enrolments: one `participant_enrolled.v1` each or,
    `per_cohort`, the one `participants_enrolled.v1` of its registration run."""
    code = cohort_code(run, c)
    enrolments = [
        enrolled(
            code,
            PUBLISHER,
            nip(i),
            f"Peserta {i}",
            position="Analis Kebijakan",
            agency="Pemkab Tuban",
        )
        for i in range(c * SIZE, (c + 1) * SIZE)
    ]
    out = [_domain(_scheduled(code), f"s:{code}")]
    if per_cohort:
        return [*out, _domain(one_run(enrolments), f"e:{code}")]
    return out + [_domain(e, f"e:{code}:{e.participant.nip}") for e in enrolments]


def national_history(run: str, events: int, *, per_cohort: bool = False) -> list[Message]:
    """Domain events of whole cohorts: a schedule, 30 enrolments and the attendance
    finalisation, as 30 `participant_enrolled.v1` and 30 `participant_finalised.v1` (the
    history before issue 23, cut at `events`) or, `per_cohort`, as the one
    `participants_enrolled.v1` and the one `cohort_finalised.v2` the services publish today for
    the same cohorts."""
    out: list[Message] = []
    for c in range(cohorts_for(events, 1 + 2 * SIZE)):
        code = cohort_code(run, c)
        out += _cohort_enrolments(run, c, per_cohort)
        finals = [_final(code, i) for i in range(c * SIZE, (c + 1) * SIZE)]
        if per_cohort:
            out.append(_domain(cohort_attendance(code, PUBLISHER, finals), f"f:{code}"))
        else:
            out += [_domain(f, f"f:{code}:{f.nip}") for f in finals]
    return out if per_cohort else out[:events]


def _final(code: str, i: int) -> ev.ParticipantFinalised:
    return finalised(
        code,
        PUBLISHER,
        nip(i),
        "48",
        jp_total="48",
        sessions=SESSIONS,
        missed_by_status={"UNRECORDED": 0},
    )


async def produce(infra: InfraSettings, messages: Iterable[Message]) -> None:
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
