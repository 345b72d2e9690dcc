"""The consumer core on real Kafka and Postgres: applied once, duplicates, source check, a
consumer SIGKILLed mid-stream that neither loses nor repeats an effect, and a handler rolled
back in the careful replay that leaves nothing behind."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from builders.ingest import ingest_event, participant_data
from shared import db
from shared.topics import ENROLMENT_EVENTS
from tests.shared.probe_service import DEFINITION as PROBE
from tests.support import Feedback, Publisher, TopicReader, eventually, prepare_topics, running

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


async def _count(url: str, sql: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        exists = await conn.fetchval("SELECT to_regclass('probe.effects') IS NOT NULL")
        return int(await conn.fetchval(sql)) if exists else 0
    finally:
        await conn.close()


async def test_event_applied_once_and_its_duplicate_changes_nothing(infra):
    await prepare_topics(infra, ["15"])
    event = ingest_event("cohort.closed", {"cohort_code": "15/PKA/2022/IV"}, "15")
    async with running(PROBE, infra), Publisher(infra) as pub, Feedback(infra, "15") as feedback:
        await pub.send("15", event, event)
        await feedback.wait_for(lambda events: len(events) >= 2, what="two outcomes")
        assert [e["data"]["outcome"] for e in feedback.events] == ["applied", "duplicate"]
        effects = await _count(infra.database_url, "SELECT count(*) FROM probe.effects")
        assert effects == 1


async def test_source_not_matching_topic_is_rejected_source_mismatch(infra):
    await prepare_topics(infra, ["15", "16"])
    event = ingest_event("cohort.closed", {"cohort_code": "16/X/2022/I"}, "16")
    async with running(PROBE, infra), Publisher(infra) as pub, Feedback(infra, "15") as feedback:
        await pub.send("15", event)
        outcome = (await feedback.wait_for_outcomes([event["id"]]))[event["id"]]
        assert outcome["outcome"] == "rejected"
        assert outcome["reason"] == "SOURCE_MISMATCH"


def _start_probe(infra, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": infra.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "KAFKA_TOPIC_NAMESPACE": infra.kafka_topic_namespace,
        "DIKLAT_PROBE_HTTP_PORT": "0",
        "DIKLAT_PROBE_BATCH_MAX_RECORDS": "200",
        # Batches split into two concurrent lanes, so a kill may land between their commits.
        "DIKLAT_PROBE_LANE_MIN_RECORDS": "50",
        "DIKLAT_PROBE_SESSION_TIMEOUT_MS": "6000",
        "DIKLAT_PROBE_LOG_LEVEL": "WARNING",
    }
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.shared.probe_service"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def test_consumer_killed_mid_stream_neither_loses_nor_repeats_an_effect(infra, tmp_path):
    total = 3000
    await prepare_topics(infra, ["15"])
    # The probe's own role and schema exist before it starts, so we can count from outside.
    await db.provision(infra.database_url, "probe", db.local_password("probe"))
    events = [
        ingest_event("cohort.closed", {"cohort_code": f"15/C/{i % 40}"}, "15") for i in range(total)
    ]
    async with Publisher(infra) as pub:
        await pub.send("15", *events)
    effects_sql = "SELECT count(*) FROM probe.effects"
    first = _start_probe(infra, tmp_path / "probe.log")
    try:

        async def some_applied() -> int:
            assert first.poll() is None, (tmp_path / "probe.log").read_text()[-2000:]
            return await _count(infra.database_url, effects_sql)

        await eventually(some_applied, 60, "first effects")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    applied_before_kill = await _count(infra.database_url, effects_sql)
    assert applied_before_kill > 0
    second = _start_probe(infra, tmp_path / "probe.log")
    try:

        async def all_applied() -> bool:
            assert second.poll() is None, (tmp_path / "probe.log").read_text()[-2000:]
            return await _count(infra.database_url, effects_sql) >= total

        await eventually(all_applied, 90, f"{total} effects after restart")
        distinct = await _count(
            infra.database_url, "SELECT count(DISTINCT event_id) FROM probe.effects"
        )
        inbox = await _count(infra.database_url, "SELECT count(*) FROM probe.processed_events")
        assert (await _count(infra.database_url, effects_sql), distinct, inbox) == (
            total,
            total,
            total,
        )
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(20)
        except subprocess.TimeoutExpired:
            second.kill()
        await asyncio.sleep(0)


async def test_a_handler_rolled_back_in_the_careful_replay_leaves_nothing_it_emitted(infra):
    """The cancellation that fails emits its announcement and releases the parked registration
    before raising: the replay rolls it back to its savepoint, and with it both; the route's
    failure hook then says the cancellation failed. The next
    cancellation (same cohort, so same partition and key) announces and releases for real."""
    await prepare_topics(infra, ["15"])
    code = "15/PROBE/2024/I"
    registration = ingest_event(
        "participant.registered",
        participant_data(code, "198503122010011003", region="15"),
        "15",
    )
    failing = ingest_event("cohort.cancelled", {"cohort_code": code, "reason": "fail"}, "15")
    succeeding = ingest_event("cohort.cancelled", {"cohort_code": code, "reason": "ok"}, "15")
    async with (
        running(PROBE, infra),
        Publisher(infra) as pub,
        Feedback(infra, "15") as feedback,
        TopicReader(infra, ENROLMENT_EVENTS) as announcements,
    ):
        await pub.send("15", registration, failing, succeeding)
        outcomes = await feedback.wait_for_outcomes([failing["id"], succeeding["id"]])
        assert outcomes[failing["id"]]["reason"] == "PROCESSING_ERROR"
        assert outcomes[succeeding["id"]]["outcome"] == "applied"
        await feedback.wait_for_outcomes([registration["id"]])
        # Parked once, then released once: by the cancellation that stood, not the failed one.
        assert [
            e["data"]["outcome"]
            for e in feedback.events
            if e["data"].get("event_id") == registration["id"]
        ] == ["parked", "applied"]
        await announcements.wait_for(
            lambda events: any(e["id"] == f"probe:{succeeding['id']}" for e in events),
            what="the standing cancellation's announcement",
        )
        # Its row follows any the failed one left, on the same key: only the failure hook's
        # word may be there (it runs after the rollback, as enrolment's refused close does).
        assert [e["id"] for e in announcements.events] == [
            f"probe-failed:{failing['id']}",
            f"probe:{succeeding['id']}",
        ]
