"""`diklat outcomes`: the publisher's feedback topic read to its end, outcomes and notices
together, narrowed by time and cohort, as a table or CSV; the offsets of the publisher's own
consumer group are not moved."""

from __future__ import annotations

import datetime as dt

import pytest
from aiokafka import AIOKafkaProducer

from diklat.publish.outcomes import as_csv, outcome_lines
from shared.envelope import STRUCTURED_HEADERS, CloudEvent, to_structured
from shared.events.feedback import COHORT_RESULTS_TYPE, NOTICE_TYPE, OUTCOMES_TYPE
from shared.settings import InfraSettings
from shared.topics import feedback_topic, physical
from tests.support import prepare_topics

pytestmark = pytest.mark.integration
EARLY = dt.datetime(2024, 3, 4, 8, 0, tzinfo=dt.UTC)
LATE = EARLY + dt.timedelta(minutes=6)
PKA, CAMAT = "15/PKA/2024/I", "15/CAMAT/2024/I"


def _outcomes(at: dt.datetime, rows: list[dict[str, object]]) -> dict[str, object]:
    return {"service": "attendance", "decided_at": at.isoformat(), "outcomes": rows}


MESSAGES = [
    (
        OUTCOMES_TYPE,
        _outcomes(
            EARLY,
            [
                {"event_id": "a-1", "event_type": None, "outcome": "applied", "cohort_code": PKA},
                {"event_id": "a-2", "event_type": None, "outcome": "parked", "cohort_code": CAMAT},
            ],
        ),
    ),
    (
        OUTCOMES_TYPE,
        _outcomes(
            LATE,
            [
                {
                    "event_id": "a-2",
                    "event_type": None,
                    "outcome": "rejected",
                    "reason": "NOT_ENROLLED",
                    "message_id": "Peserta tidak terdaftar.",
                    "message_en": "Not enrolled.",
                    "cohort_code": CAMAT,
                }
            ],
        ),
    ),
    (
        NOTICE_TYPE,
        {
            "kind": "certificate_issued",
            "cohort_code": PKA,
            "nip_masked": "1986**********1001",
            "message_id": "Sertifikat terbit.",
            "message_en": "Certificate issued.",
            "certificate_number": "800/0001/BPSDM-15/2024",
            "at": (LATE + dt.timedelta(minutes=1)).isoformat(),
        },
    ),
    (
        COHORT_RESULTS_TYPE,
        {
            "cohort_code": PKA,
            "part": 1,
            "parts": 1,
            "issued": [
                {"nip": "198609262015051001", "certificate_number": "800/0002/BPSDM-15/2024"}
            ],
            "not_completed": [
                {
                    "nip": "198609262016051001",
                    "message_id": "Kehadiran 75% < 90%.",
                    "message_en": "Attendance 75% < 90%.",
                }
            ],
            "at": (LATE + dt.timedelta(minutes=2)).isoformat(),
        },
    ),
]


async def _send_feedback(infra: InfraSettings) -> None:
    producer = AIOKafkaProducer(**infra.kafka_client_config())
    await producer.start()
    try:
        topic = physical(infra.kafka_topic_namespace, feedback_topic("15"))
        for n, (kind, data) in enumerate(MESSAGES):
            event = CloudEvent(f"f-{n}", "/services/attendance", kind, LATE, data)
            await producer.send_and_wait(topic, to_structured(event), headers=STRUCTURED_HEADERS)
    finally:
        await producer.stop()


async def test_outcomes_and_notices_that_came_later_are_listed(infra: InfraSettings) -> None:
    await prepare_topics(infra, ["15"])
    await _send_feedback(infra)

    everything = await outcome_lines("15", infra)
    assert [(line.kind, line.outcome) for line in everything] == [
        ("outcome", "applied"),
        ("outcome", "parked"),
        ("outcome", "rejected NOT_ENROLLED"),
        ("notice", "certificate_issued"),
        ("notice", "certificate_issued"),
        ("notice", "completion_failed"),
    ]
    later = await outcome_lines("15", infra, since=EARLY + dt.timedelta(minutes=1), cohort=CAMAT)
    assert [line.cells() for line in later] == [
        (
            "2024-03-04 08:06:00",
            "outcome",
            CAMAT,
            "rejected NOT_ENROLLED",
            "event a-2: Peserta tidak terdaftar. / Not enrolled.",
        )
    ]
    table = as_csv(await outcome_lines("15", infra, cohort=PKA)).splitlines()
    assert table[-3:] == [
        "2024-03-04 08:07:00,notice,15/PKA/2024/I,certificate_issued,"
        "NIP 1986**********1001 800/0001/BPSDM-15/2024: Sertifikat terbit. / Certificate issued.",
        # A cohort's results: each participant by the full NIP the publisher sent.
        "2024-03-04 08:08:00,notice,15/PKA/2024/I,certificate_issued,NIP 198609262015051001 "
        "800/0002/BPSDM-15/2024: STTP 800/0002/BPSDM-15/2024 diterbitkan. / "
        "Certificate 800/0002/BPSDM-15/2024 issued.",
        "2024-03-04 08:08:00,notice,15/PKA/2024/I,completion_failed,NIP 198609262016051001: "
        "Kehadiran 75% < 90%. / Attendance 75% < 90%.",
    ]


async def test_a_feedback_topic_with_nothing_yet_lists_nothing(infra: InfraSettings) -> None:
    await prepare_topics(infra, ["15"])
    assert await outcome_lines("15", infra) == []


async def test_a_backlog_sent_in_large_batches_is_read_to_its_last_message(any_broker) -> None:
    """A relay sends a backlog in large record batches, more than one fetch brings: every message
    is read, on Tansu (whose end offsets fall short of such a log) and on the suite's broker."""
    await prepare_topics(any_broker, ["15"])
    topic = physical(any_broker.kafka_topic_namespace, feedback_topic("15"))
    producer = AIOKafkaProducer(
        **any_broker.kafka_client_config(), linger_ms=20, max_batch_size=1_000_000
    )
    await producer.start()
    try:
        kind, notice = MESSAGES[2]
        sent = [
            await producer.send(
                topic,
                to_structured(CloudEvent(f"n-{n}", "/services/certification", kind, LATE, notice)),
                key=b"one partition",  # past a fetch's 1 MB a partition
                headers=STRUCTURED_HEADERS,
            )
            for n in range(5_000)
        ]
        for delivery in sent:
            await delivery
    finally:
        await producer.stop()

    lines = await outcome_lines("15", any_broker)

    assert len(lines) == 5_000
