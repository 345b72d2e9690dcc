"""The enrolment service end to end on real Apache Kafka and Postgres: hostile envelopes and
binary mode, and two instances sharing the partitions."""

from __future__ import annotations

import json

import pytest

from builders.ingest import TUBAN, cohort_data, ingest_event, participant_data
from builders.nips import nips
from services.enrolment.entrypoints.app import DEFINITION
from shared.runtime import ServiceRuntime
from shared.settings import InfraSettings
from shared.topics import ENROLMENT_EVENTS, ingest_topic
from tests.enrolment.service_output import data_of, enrolled_of, reasons
from tests.support import (
    Feedback,
    Publisher,
    TopicReader,
    eventually,
    prepare_topics,
    running,
    wait_until_assigned,
)

pytestmark = pytest.mark.integration


async def test_hostile_records_get_precise_reasons_and_binary_mode_is_accepted(infra):
    await prepare_topics(infra, [TUBAN, "15"])
    code = "35.23/BIMTEK/2024/II"
    binary_id = "binary-schedule-1"
    unknown_type = ingest_event("diklat.cohort.teleported.v1", {"cohort_code": code}, TUBAN)
    missing_nip = ingest_event("participant.registered", participant_data(code, "1"), TUBAN)
    del missing_nip["data"]["nip"]
    old_spec = ingest_event("cohort.closed", {"cohort_code": code}, TUBAN)
    old_spec["specversion"] = "0.3"
    wrong_source = ingest_event("cohort.closed", {"cohort_code": code}, "15")
    orphan = ingest_event(
        "participant.registered",
        participant_data("35.23/NEVER/2024/I", "198001012005031002"),
        TUBAN,
    )
    async with (
        running(DEFINITION, infra, park_timeout_s=1.0),
        Publisher(infra) as pub,
        Feedback(infra, TUBAN) as feedback,
    ):
        topic = ingest_topic(TUBAN)
        await pub.send_raw(topic, b"{not json", key=code)
        await pub.send_raw(
            topic,
            json.dumps(cohort_data(code)).encode(),
            key=code,
            headers=[
                ("ce_specversion", b"1.0"),
                ("ce_id", binary_id.encode()),
                ("ce_source", b"/publishers/35.23"),
                ("ce_type", b"diklat.cohort.scheduled.v1"),
                ("ce_time", b"2024-05-01T08:00:00+07:00"),
                ("ce_subject", code.encode()),
                ("content-type", b"application/json"),
            ],
        )
        await pub.send(TUBAN, unknown_type, missing_nip, old_spec, wrong_source, orphan)
        ids = [
            binary_id,
            unknown_type["id"],
            missing_nip["id"],
            old_spec["id"],
            wrong_source["id"],
            orphan["id"],
        ]
        outcomes = reasons(await feedback.wait_for_outcomes(ids))
        assert list(outcomes.values()) == [
            "applied",
            "UNKNOWN_TYPE",
            "SCHEMA_INVALID",
            "SCHEMA_INVALID",
            "SOURCE_MISMATCH",
            "UNKNOWN_COHORT",
        ]
        malformed = [o for o in feedback.outcomes().values() if o["reason"] == "MALFORMED"]
        assert len(malformed) == 1
        assert malformed[0]["event_id"].startswith(topic)  # named by its Kafka position


async def _outbox_empty(runtime: ServiceRuntime) -> bool:
    async with runtime.pool.acquire() as conn:
        return bool(await conn.fetchval("SELECT count(*) = 0 FROM outbox"))


async def test_two_instances_share_the_partitions_without_duplicate_domain_events(
    infra: InfraSettings,
):
    await prepare_topics(infra, [TUBAN])
    codes = [f"35.23/TEKNIS-{i}/2024/I" for i in range(6)]
    people = list(nips(30))
    batches = [
        [ingest_event("cohort.scheduled", cohort_data(code), TUBAN)]
        + [
            ingest_event("participant.registered", participant_data(code, nip), TUBAN)
            for nip in people[i * 5 : (i + 1) * 5]
        ]
        for i, code in enumerate(codes)
    ]
    sent = [e for batch in batches for e in batch]
    async with (
        running(DEFINITION, infra) as first,
        running(DEFINITION, infra) as second,
        Publisher(infra) as pub,
        Feedback(infra, TUBAN) as feedback,
        TopicReader(infra, ENROLMENT_EVENTS) as domain_events,
    ):
        await wait_until_assigned(first)
        await wait_until_assigned(second)
        await pub.send(TUBAN, *sent)
        outcomes = await feedback.wait_for_outcomes([e["id"] for e in sent], timeout=60)
        assert {o["outcome"] for o in outcomes.values()} == {"applied"}
        await eventually(lambda: _outbox_empty(first), what="outbox relayed")
        events = await domain_events.wait_for(
            lambda evs: len(enrolled_of(evs)) >= 30, what="30 enrolments"
        )
        await domain_events.poll()
        enrolled = [(d["cohort_code"], d["participant"]["nip"]) for d in enrolled_of(events)]
        assert len(enrolled) == len(set(enrolled)) == 30
        assert len(data_of(events, "cohort_scheduled.v1")) == 6
        assert len(feedback.events) == len(sent)
