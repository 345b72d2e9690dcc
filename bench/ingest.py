"""Ingest throughput: attendance and enrolment on a pre-produced backlog, each against the raw
baseline (and attendance with two instances for the scale-out)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench import workload as wl
from bench.figures import cpu_per_event, cpu_runs, spread, throughput
from bench.infra import (
    ROOT,
    CpuSampler,
    RssSampler,
    Stack,
    connect,
    count,
    service_group,
    service_processes,
    until,
)
from bench.scenario import ATTENDANCE_TYPE, Scale, fresh
from shared.settings import InfraSettings
from shared.topics import ingest_topic, physical

# --- raw baseline ------------------------------------------------------------------------------


async def raw_baseline(
    stack: Stack, infra: InfraSettings, topic: str, total: int
) -> tuple[float, dict[str, float]]:
    """Bare aiokafka getmany + orjson (the services' parser) + COPY into a table with the
    inbox's dedupe key; events/s and the CPU seconds spent meanwhile."""
    with CpuSampler(stack.cpu_trees([])) as cpu:
        started, eps = await _raw_loop(infra, topic, total)
        return eps, cpu.spent(started, time.time())


async def _raw_loop(infra: InfraSettings, topic: str, total: int) -> tuple[float, float]:
    consumer = AIOKafkaConsumer(
        **infra.kafka_client_config(), enable_auto_commit=False, group_id=None
    )
    await consumer.start()
    async with connect(infra) as conn:
        await conn.execute(
            """CREATE TABLE raw_events (source text, event_id text, event_type text,
                   cohort_code text, data jsonb, PRIMARY KEY (source, event_id));
               CREATE TEMP TABLE raw_stage (LIKE raw_events) ON COMMIT DELETE ROWS"""
        )
        try:
            name = physical(infra.kafka_topic_namespace, topic)
            # Topics are created with 6 partitions (shared.kafka.ensure_topics).
            partitions = [TopicPartition(name, p) for p in range(6)]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            done, started, wall_started = 0, 0.0, 0.0
            while done < total:
                batches = await consumer.getmany(timeout_ms=200, max_records=2000)
                records = [r for rs in batches.values() for r in rs]
                if not records:
                    continue
                started = started or time.perf_counter()
                wall_started = wall_started or time.time()
                rows = []
                for record in records:
                    event = orjson.loads(record.value or b"{}")
                    data = event.get("data") or {}
                    rows.append(
                        (
                            event["source"],
                            event["id"],
                            event["type"],
                            data.get("cohort_code"),
                            orjson.dumps(data).decode(),
                        )
                    )
                async with conn.transaction():
                    await conn.copy_records_to_table("raw_stage", records=rows)
                    await conn.execute(
                        "INSERT INTO raw_events SELECT * FROM raw_stage ON CONFLICT DO NOTHING"
                    )
                done += len(records)
            return wall_started, total / (time.perf_counter() - started)
        finally:
            await consumer.stop()


# --- one service on a pre-produced backlog ---------------------------------------------------


async def consume_backlog(
    stack: Stack,
    infra: InfraSettings,
    service: str,
    group: str,
    total: int,
    instances: int = 1,
    tree: Path = ROOT,
) -> tuple[float, list[float], dict[str, float]]:
    """Events/s from the first inbox row to the moment the ingest group's committed offsets
    cover the backlog (offsets are committed only after the database commit); returns it and
    each process' peak RSS. The end is read from the broker, not by counting inbox rows: a
    count(*) every 100 ms cost Postgres ~8 ms at 150,000 rows, load the service would pay for
    and the raw baseline not. Also the CPU seconds spent in that window, per process tree."""
    async with connect(infra) as conn:
        # Inbox rows of an earlier phase (the attendance roster) are not part of the timing.
        baseline_rows = await count(conn, f"SELECT count(*) FROM {service}.processed_events")
        # Reads the group's committed offsets only: it never subscribes, so never joins.
        offsets = AIOKafkaConsumer(
            **infra.kafka_client_config(),
            group_id=f"{service_group(infra, service, group)}.ingest",
            enable_auto_commit=False,
        )
        await offsets.start()
        try:
            with (
                service_processes(service, infra, stack.workdir, group, instances, tree) as pids,
                RssSampler(pids) as rss,
                CpuSampler(stack.cpu_trees(pids)) as cpu,
            ):
                await until(lambda: _committed(offsets, infra, total), 300, f"{service} backlog")
                finished = time.time()
        finally:
            await offsets.stop()
        if not await _done(conn, service, baseline_rows + total):
            raise RuntimeError(f"{service}: offsets committed before the inbox rows")
        first = await conn.fetchval(
            f"""SELECT extract(epoch FROM min(processed_at)) FROM (
                    SELECT processed_at FROM {service}.processed_events
                    ORDER BY processed_at OFFSET $1 LIMIT 1) s""",
            baseline_rows,
        )
    spent = cpu.spent(float(first), finished)
    return total / (finished - float(first)), [rss.peak_mb(p) for p in pids], spent


async def _committed(offsets: AIOKafkaConsumer, infra: InfraSettings, total: int) -> bool:
    """The group's committed offsets cover all `total` backlog records of the ingest topic."""
    topic = physical(infra.kafka_topic_namespace, ingest_topic(wl.PUBLISHER))
    committed = [await offsets.committed(TopicPartition(topic, p)) for p in range(6)]
    return sum(c or 0 for c in committed) >= total


async def _done(conn: Any, service: str, expected: int) -> bool:
    return await count(conn, f"SELECT count(*) FROM {service}.processed_events") >= expected


async def attendance_run(
    stack: Stack, scale: Scale, instances: int, with_raw: bool, baseline_first: bool
) -> dict[str, Any]:
    infra = await fresh(stack)
    run = uuid.uuid4().hex[:6]
    cohorts = wl.cohorts_for(scale.attendance, wl.SIZE * wl.SESSIONS)
    enrolments = wl.enrolment_domain(run, cohorts)
    await wl.produce(infra, enrolments)
    # The roster first (its own start), so the timed run is attendance ingest, not parking.
    async with connect(infra) as conn:
        with service_processes("attendance", infra, stack.workdir, "bench"):
            await until(
                lambda: _done(conn, "attendance", len(enrolments)), 300, "attendance roster"
            )
    marks = [
        (ingest_topic(wl.PUBLISHER), wl.cohort_code(run, c), value)
        for c in range(cohorts)
        for value in wl.marks(wl.cohort_code(run, c), c * wl.SIZE)
    ][: scale.attendance]
    await wl.produce(infra, marks)
    result: dict[str, Any] = {}
    if with_raw and baseline_first:
        result["raw"], result["raw_cpu"] = await raw_baseline(
            stack, infra, ingest_topic(wl.PUBLISHER), len(marks)
        )
    eps, rss, cpu = await consume_backlog(
        stack, infra, "attendance", "bench", len(marks), instances
    )
    if with_raw and not baseline_first:
        result["raw"], result["raw_cpu"] = await raw_baseline(
            stack, infra, ingest_topic(wl.PUBLISHER), len(marks)
        )
    async with connect(infra) as conn:
        applied = await count(
            conn,
            "SELECT count(*) FROM attendance.processed_events WHERE outcome = 'applied' "
            "AND event_type = $1",
            ATTENDANCE_TYPE,
        )
    if applied != len(marks):
        raise RuntimeError(f"attendance applied {applied} of {len(marks)} marks")
    return {**result, "service": eps, "rss": rss, "cpu": cpu, "events": len(marks)}


async def enrolment_run(
    stack: Stack, scale: Scale, baseline_first: bool, tree: Path = ROOT
) -> dict[str, Any]:
    infra = await fresh(stack)
    events = wl.enrolment_ingest(uuid.uuid4().hex[:6], scale.registrations)
    await wl.produce(infra, events)
    result: dict[str, Any] = {}
    if baseline_first:
        result["raw"], result["raw_cpu"] = await raw_baseline(
            stack, infra, ingest_topic(wl.PUBLISHER), len(events)
        )
    eps, rss, cpu = await consume_backlog(
        stack, infra, "enrolment", "bench", len(events), tree=tree
    )
    if not baseline_first:
        result["raw"], result["raw_cpu"] = await raw_baseline(
            stack, infra, ingest_topic(wl.PUBLISHER), len(events)
        )
    async with connect(infra) as conn:
        applied = await count(
            conn, "SELECT count(*) FROM enrolment.processed_events WHERE outcome = 'applied'"
        )
    if applied != len(events):
        raise RuntimeError(f"enrolment applied {applied} of {len(events)} events")
    return {**result, "service": eps, "rss": rss, "cpu": cpu, "events": len(events)}


async def attendance_figures(
    stack: Stack, scale: Scale, scale_out: bool, rss: dict[str, list[float]]
) -> dict[str, Any]:
    """`attendance_ingest` (and `scale_out` when asked) over `scale.repeats` runs; each run's
    peak RSS goes into `rss`."""
    one, two, raw, att = [], [], [], []
    for r in range(scale.repeats):
        a = await attendance_run(stack, scale, 1, True, baseline_first=r % 2 == 0)
        att.append(a)
        one.append(a["service"])
        raw.append(a["raw"])
        rss.setdefault("attendance", []).extend(a["rss"])
        if scale_out:
            b = await attendance_run(stack, scale, 2, False, False)
            two.append(b["service"])
            rss["attendance"].extend(b["rss"])
    results: dict[str, Any] = {
        "attendance_ingest": (
            throughput(one, raw) | cpu_per_event(att) | {"rss": [a["rss"] for a in att]}
        )
    }
    if two:
        results["scale_out"] = {
            "one_instance_eps": spread(one),
            "two_instances_eps": spread(two),
            "speedup": spread([b / a for a, b in zip(one, two, strict=True)]),
        }
    return results


async def enrolment_figures(
    stack: Stack, scale: Scale, rss: dict[str, list[float]], tree: Path = ROOT
) -> dict[str, Any]:
    """`enrolment_ingest` over `scale.repeats` runs of the service from `tree`; each run's peak
    RSS goes into `rss`."""
    runs = [
        await enrolment_run(stack, scale, baseline_first=r % 2 == 0, tree=tree)
        for r in range(scale.repeats)
    ]
    return _enrolment_summary(runs, rss)


async def enrolment_side_by_side(
    stack: Stack, scale: Scale, rss: dict[str, list[float]], before: Path
) -> dict[str, Any]:
    """`enrolment_figures` of this tree and of `before` (another commit's source tree) in one
    run, a repeat of each in turn (which goes first alternates), on the same stack."""
    after_runs: list[dict[str, Any]] = []
    before_runs: list[dict[str, Any]] = []
    for r in range(scale.repeats):
        order = [(ROOT, after_runs), (before, before_runs)]
        for tree, runs in order if r % 2 == 0 else order[::-1]:
            runs.append(await enrolment_run(stack, scale, baseline_first=r % 2 == 0, tree=tree))
    return {
        "after": _enrolment_summary(after_runs, rss),
        "before": _enrolment_summary(before_runs, {}) | {"tree": str(before)},
    }


def _enrolment_summary(runs: list[dict[str, Any]], rss: dict[str, list[float]]) -> dict[str, Any]:
    for e in runs:
        rss.setdefault("enrolment", []).extend(e["rss"])
    svc, raw = [e["service"] for e in runs], [e["raw"] for e in runs]
    return (
        throughput(svc, raw)
        | cpu_per_event(runs)
        | {"cpu_us_per_event_runs": cpu_runs(runs), "rss": [e["rss"] for e in runs]}
    )
