"""Faults (issue 8, part 1; `make soak`): a stream of over 20,000 ingest events from four
publishers flows while every service is SIGKILLed at random moments and restarted, the Kafka
broker is restarted once and Postgres once. Afterwards every event is accounted for exactly
once, the certificates and the national JP ledger are exactly what the generator says, and
every consumer group has caught up.

The test owns its servers (it restarts them) and runs the services as real processes under a
small supervisor. Everything it expects comes from the generator (fault_plan.py), never from the
services' own code; the randomness is seeded, so a failure replays the same stream and chaos.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from diklat.stack.apache_kafka import ApacheKafka
from diklat.stack.postgres import EmbeddedPostgres
from diklat.stack.processes import free_port
from shared.envelope import STRUCTURED_HEADERS
from shared.settings import InfraSettings
from shared.topics import DOMAIN_TOPICS, feedback_topic, ingest_topic
from tests.reliability.cluster import CONSUMER_GROUPS, Cluster, supervised
from tests.reliability.fault_plan import PUBLISHERS, SEED, Plan, generate
from tests.support import per_outcome, prepare_topics

pytestmark = [pytest.mark.soak, pytest.mark.timeout(1500)]
STREAM_SECONDS = 150.0  # the producer paces itself so the chaos lands mid-stream
SETTLE_SECONDS = 420.0


@dataclass
class Producer:
    """The publishers sending concurrently, paced over STREAM_SECONDS; a send that fails
    while the broker restarts is retried with the same id (a duplicate at worst)."""

    producer: AIOKafkaProducer
    plan: Plan
    sent: int = 0
    retries: int = 0

    async def run(self) -> None:
        started = time.monotonic()
        rate = self.plan.records / STREAM_SECONDS / len(self.plan.streams)
        await asyncio.gather(
            *(self._publish(p, events, started, rate) for p, events in self.plan.streams.items())
        )

    async def _publish(
        self, publisher: str, events: list[dict[str, Any]], started: float, rate: float
    ) -> None:
        for count, event in enumerate(events, start=1):
            await self._send(publisher, event)
            self.sent += 1
            ahead = count / rate - (time.monotonic() - started)
            if ahead > 0:
                await asyncio.sleep(ahead)  # pacing, not synchronisation

    async def _send(self, publisher: str, event: dict[str, Any]) -> None:
        deadline = time.monotonic() + 180
        while True:
            try:
                await self.producer.send_and_wait(
                    ingest_topic(publisher),
                    json.dumps(event).encode(),
                    key=event["subject"].encode(),
                    headers=list(STRUCTURED_HEADERS),
                )
                return
            except KafkaError:
                if time.monotonic() > deadline:
                    raise
                self.retries += 1
                await asyncio.sleep(0.5)


@dataclass
class Chaos:
    """Seeded fault schedule keyed to the producer's progress, so every fault is mid-stream."""

    cluster: Cluster
    kafka: ApacheKafka
    postgres: EmbeddedPostgres
    producer: Producer
    rng: random.Random
    log: list[str] = field(default_factory=list)

    def schedule(self) -> list[tuple[float, str, Callable[[], Any]]]:
        actions: list[tuple[float, str, Callable[[], Any]]] = []
        for name, service in self.cluster.services.items():
            for _ in range(2):
                down = self.rng.uniform(0.5, 4.0)
                actions.append(
                    (
                        self.rng.uniform(0.05, 0.92),
                        f"SIGKILL {name}",
                        lambda s=service, d=down: s.kill(d),
                    )
                )
        actions.append((self.rng.uniform(0.35, 0.45), "restart Kafka", self._restart_kafka))
        actions.append((self.rng.uniform(0.62, 0.72), "restart Postgres", self._restart_postgres))
        return sorted(actions, key=lambda a: a[0])

    async def run(self) -> None:
        total = self.producer.plan.records
        for fraction, what, action in self.schedule():
            while self.producer.sent < fraction * total:
                await asyncio.sleep(0.1)
            started = time.monotonic()
            result = action()
            if asyncio.iscoroutine(result):
                await result
            self.log.append(
                f"{self.producer.sent:>6} sent: {what} ({time.monotonic() - started:.1f}s)"
            )
            print(self.log[-1], flush=True)

    async def _restart_kafka(self) -> None:
        await asyncio.to_thread(self.kafka.restart, 120)

    async def _restart_postgres(self) -> None:
        def restart() -> None:
            self.postgres.stop()
            self.postgres.start()

        await asyncio.to_thread(restart)


# --- what the system ended up with -------------------------------------------------------


OWNED = {
    "enrolment": "TRUE",  # the ingest gate: its own types and every envelope rejection
    "attendance": "event_type = 'diklat.attendance.recorded.v1'",
    "certification": "event_type = 'diklat.evaluation.recorded.v1'",
}


async def outcome_counts(conn: asyncpg.Connection) -> dict[str, Counter[tuple[str, str | None]]]:
    counts = {}
    for service, owned in OWNED.items():
        rows = await conn.fetch(
            f"SELECT outcome, reason, count(*) AS n FROM {service}.processed_events "
            f"WHERE {owned} GROUP BY 1, 2"
        )
        counts[service] = Counter({(r["outcome"], r["reason"]): r["n"] for r in rows})
    return counts


async def leftovers(conn: asyncpg.Connection) -> dict[str, int]:
    """Outbox rows not relayed and events still parked, per schema (all should be 0)."""
    found = {}
    for schema in (*OWNED, "consolidation"):
        for table in ("outbox", "parked_events"):
            found[f"{schema}.{table}"] = await conn.fetchval(
                f"SELECT count(*) FROM {schema}.{table}"
            )
    return found


async def certificates(conn: asyncpg.Connection, schema: str) -> tuple[set[tuple[str, str]], int]:
    rows = await conn.fetch(f"SELECT cohort_code, nip, status FROM {schema}.certificates")
    valid = {(r["cohort_code"], r["nip"]) for r in rows if r["status"] == "valid"}
    return valid, len(rows)


async def national_ledger(conn: asyncpg.Connection) -> Counter[tuple[str, int]]:
    rows = await conn.fetch(
        """SELECT e.nip, extract(year FROM c.end_date)::int AS year, sum(c.total_jp) AS jp
           FROM consolidation.enrolments e JOIN consolidation.cohorts c USING (cohort_code)
           JOIN consolidation.completions k USING (cohort_code, nip)
           WHERE k.completed AND NOT e.withdrawn AND c.status <> 'cancelled'
           GROUP BY 1, 2"""
    )
    return Counter({(r["nip"], r["year"]): int(r["jp"]) for r in rows})


async def group_lag(infra: InfraSettings) -> dict[str, int]:
    """Records behind the end of each topic, per consumer group (0 = caught up)."""
    ingest = [ingest_topic(p) for p in PUBLISHERS]
    topics = {
        "enrolment.ingest": ingest,
        "attendance.ingest": ingest,
        "attendance.domain": [DOMAIN_TOPICS[0]],
        "certification.ingest": ingest,
        "certification.domain": list(DOMAIN_TOPICS[:2]),
        "consolidation.domain": list(DOMAIN_TOPICS),
        "consolidation.extra0": [feedback_topic(p) for p in PUBLISHERS],
    }
    assert set(topics) == {g for groups in CONSUMER_GROUPS.values() for g in groups}
    admin = AIOKafkaAdminClient(**infra.kafka_client_config())
    reader = AIOKafkaConsumer(**infra.kafka_client_config(), enable_auto_commit=False)
    await admin.start()
    await reader.start()
    try:
        lag = {}
        for group, names in topics.items():
            # Every topic has 6 partitions (shared.kafka.ensure_topics' default).
            partitions = [TopicPartition(t, p) for t in names for p in range(6)]
            ends = await reader.end_offsets(partitions)
            committed = await admin.list_consumer_group_offsets(group)
            lag[group] = sum(
                end - (committed[tp].offset if tp in committed else 0) for tp, end in ends.items()
            )
        return lag
    finally:
        await reader.stop()
        await admin.close()


async def problems(infra: InfraSettings, plan: Plan) -> list[str]:
    found: list[str] = []
    conn = await asyncpg.connect(infra.database_url)
    try:
        counts = await outcome_counts(conn)
        for service, expected in plan.outcomes.items():
            if counts[service] != expected:
                found.append(f"{service} outcomes {dict(counts[service])} != {dict(expected)}")
        left = {k: v for k, v in (await leftovers(conn)).items() if v}
        if left:
            found.append(f"left over: {left}")
        for schema in ("certification", "consolidation"):
            valid, rows = await certificates(conn, schema)
            if valid != plan.certificates or rows != len(valid):
                missing, extra = plan.certificates - valid, valid - plan.certificates
                found.append(
                    f"{schema} certificates: {rows} rows, {len(valid)} valid, "
                    f"{len(missing)} missing, {len(extra)} extra"
                )
        ledger = await national_ledger(conn)
        if ledger != plan.ledger:
            wrong = {k for k in ledger.keys() | plan.ledger.keys() if ledger[k] != plan.ledger[k]}
            found.append(f"JP ledger differs for {len(wrong)} (ASN, year)")
    finally:
        await conn.close()
    lag = {g: n for g, n in (await group_lag(infra)).items() if n}
    if lag:
        found.append(f"consumer groups behind: {lag}")
    return found


async def settle(infra: InfraSettings, plan: Plan, cluster: Cluster) -> list[str]:
    """Poll until nothing is wrong any more, or return what is still wrong at the deadline."""
    deadline = time.monotonic() + SETTLE_SECONDS
    found = ["not checked yet"]
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, asyncpg.PostgresError, KafkaError):
            found = await problems(infra, plan)
            if not found:
                return []
        await asyncio.sleep(2)
    return [*found, cluster.log_tails()]


async def resent_reported_duplicate(infra: InfraSettings, plan: Plan) -> set[str]:
    """Ids the generator re-sent that no feedback topic reported as `duplicate`."""
    reader = AIOKafkaConsumer(
        *(feedback_topic(p) for p in PUBLISHERS),
        **infra.kafka_client_config(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await reader.start()
    deadline = time.monotonic() + 120
    try:
        while not reader.assignment():
            assert time.monotonic() < deadline, "feedback topics never assigned"
            await reader.getmany(timeout_ms=200)
        ends = await reader.end_offsets(list(reader.assignment()))
        duplicates: set[str] = set()
        while [tp for tp, end in ends.items() if await reader.position(tp) < end]:
            assert time.monotonic() < deadline, "feedback topics not read to the end in time"
            for records in (await reader.getmany(timeout_ms=500, max_records=5000)).values():
                for record in records:
                    for entry in per_outcome(json.loads(record.value or b"{}")):
                        if entry.get("data", {}).get("outcome") == "duplicate":
                            duplicates.add(entry["data"]["event_id"])
        return plan.resent - duplicates
    finally:
        await reader.stop()


async def spot_check_api(port: int, plan: Plan, rng: random.Random) -> None:
    """The consolidation API's JP per year for some ASN equals the generator's ledger."""
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": "Bearer nat"}, timeout=30
    ) as http:
        for nip in rng.sample(sorted(plan.enrolled_years), 15):
            body = (await http.get(f"/api/v1/asn/{nip}")).json()
            got = [(y["year"], y["jp"]) for y in body["jp_per_year"]]
            want = [(y, float(plan.ledger[(nip, y)])) for y in sorted(plan.enrolled_years[nip])]
            assert got == want, f"JP per year of one ASN: {got} != {want}"


def test_the_generator_covers_passes_failures_and_every_rejection():
    plan = generate()
    assert plan.distinct >= 20_000
    assert plan.records > plan.distinct  # some events are re-sent
    rejected = {r for c in plan.outcomes.values() for (o, r) in c if o == "rejected"}
    assert rejected == {
        "INVALID_NIP",
        "UNKNOWN_TYPE",
        "UNKNOWN_SESSION",
        "NOT_ENROLLED",
        "COHORT_CLOSED",
    }
    enrolled = sum(1 for c in plan.outcomes["enrolment"].elements() if c == ("applied", None))
    assert 0 < len(plan.certificates) < enrolled


async def test_nothing_lost_or_doubled_while_services_kafka_and_postgres_are_killed(tmp_path: Path):
    plan = generate()
    rng = random.Random(SEED + 1)
    postgres = EmbeddedPostgres(tmp_path / "pg", free_port())
    kafka = ApacheKafka(tmp_path / "kafka", free_port(), free_port())
    started = time.monotonic()
    try:
        postgres.start()
        kafka.start()
        infra = InfraSettings(
            database_url=postgres.url(), kafka_bootstrap_servers=kafka.bootstrap_servers
        )
        await prepare_topics(infra, PUBLISHERS)
        # Parked events must outlive the longest outage, or they would be rejected by design.
        async with supervised(infra, tmp_path, PARK_TIMEOUT_S="900") as cluster:
            producer = Producer(
                AIOKafkaProducer(
                    **infra.kafka_client_config(), acks="all", request_timeout_ms=10_000
                ),
                plan,
            )
            await producer.producer.start()
            try:
                chaos = Chaos(cluster, kafka, postgres, producer, rng)
                await asyncio.gather(producer.run(), chaos.run())
            finally:
                await producer.producer.stop()
            streamed = time.monotonic() - started
            found = await settle(infra, plan, cluster)
            assert not found, "\n".join(found)
            settled = time.monotonic() - started
            await spot_check_api(cluster.services["consolidation"].port, plan, rng)
            missing = await resent_reported_duplicate(infra, plan)
            assert not missing, f"{len(missing)} re-sent events not reported duplicate"
            conn = await asyncpg.connect(infra.database_url)
            try:
                counts = await outcome_counts(conn)
            finally:
                await conn.close()
            kills = {name: s.kills for name, s in cluster.services.items()}
            assert all(kills.values()), kills
            print(
                f"\nsent {producer.sent} records = {plan.distinct} distinct events + "
                f"{producer.sent - plan.distinct} re-sent ({producer.retries} send retries)\n"
                f"outcomes: { {s: dict(c) for s, c in counts.items()} }\n"
                f"re-sent reported duplicate: {len(plan.resent)}\n"
                f"certificates: {len(plan.certificates)}; JP ledger rows: {len(plan.ledger)}\n"
                f"kills: {kills}; exits at start-up: {cluster.exits}\n"
                f"streamed in {streamed:.0f}s, settled at {settled:.0f}s\n" + "\n".join(chaos.log)
            )
    finally:
        kafka.stop()
        postgres.stop()
