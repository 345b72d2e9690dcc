"""The benchmarks: ingest throughput against a raw baseline, close -> certificate latency,
national rebuild rate, peak RSS and scale-out. Results go to bench/results.json and
docs/benchmarks.md (see `python -m bench --help`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench import workload as wl
from bench.infra import (
    ROOT,
    CpuSampler,
    RssSampler,
    Stack,
    connect,
    count,
    service_env,
    service_group,
    service_processes,
    until,
)
from bench.infra import stack as open_stack
from bench.report import write_markdown
from shared.envelope import STRUCTURED_HEADERS
from shared.kafka import ensure_topics, onboard_publisher
from shared.settings import InfraSettings
from shared.topics import DOMAIN_TOPICS, feedback_topic, ingest_topic, physical

RESULTS = ROOT / "bench" / "results.json"
DOC = ROOT / "docs" / "benchmarks.md"
ATTENDANCE_TYPE = "diklat.attendance.recorded.v1"


@dataclass(frozen=True)
class Scale:
    """The issue's sizes by default; `quick` for a look in a few minutes."""

    attendance: int = 200_000
    registrations: int = 100_000
    cohorts_closed: int = 500
    rebuild: int = 2_000_000
    repeats: int = 3
    # The paced run: the same closes at a steady rate (300 certificates a second), far above a
    # national peak yet below what this machine drains, so the figure is the pipeline's latency
    # rather than the time to work off a queue.
    closes_per_s: float = 10.0
    # Smaller bursts, each closed at once like the issue's: how large a burst the pipeline
    # certifies within its p99 target on this machine.
    burst_sweep: tuple[int, ...] = (50, 100, 200)

    @classmethod
    def quick(cls, repeats: int) -> Scale:
        # The raw baseline needs ~1 s of work to be measured at all: 50,000 events, not fewer.
        return cls(50_000, 50_000, 50, 200_000, repeats, burst_sweep=(10, 25))


def spread(values: Sequence[float]) -> dict[str, Any]:
    """Median and the run-to-run range, so a reader sees how noisy the figure is."""
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
        "runs": [round(v, 2) for v in values],
    }


async def fresh(stack: Stack) -> InfraSettings:
    infra = await stack.infra()
    await ensure_topics(infra, DOMAIN_TOPICS)
    await onboard_publisher(infra, wl.PUBLISHER)
    return infra


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
    stack: Stack, infra: InfraSettings, service: str, group: str, total: int, instances: int = 1
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
                service_processes(service, infra, stack.workdir, group, instances) as pids,
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


async def enrolment_run(stack: Stack, scale: Scale, baseline_first: bool) -> dict[str, Any]:
    infra = await fresh(stack)
    events = wl.enrolment_ingest(uuid.uuid4().hex[:6], scale.registrations)
    await wl.produce(infra, events)
    result: dict[str, Any] = {}
    if baseline_first:
        result["raw"], result["raw_cpu"] = await raw_baseline(
            stack, infra, ingest_topic(wl.PUBLISHER), len(events)
        )
    eps, rss, cpu = await consume_backlog(stack, infra, "enrolment", "bench", len(events))
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


# --- close -> certificate latency ------------------------------------------------------------


async def latency_run(
    stack: Stack, scale: Scale, closes_per_s: float | None = None
) -> dict[str, Any]:
    """Close K complete cohorts one by one while marks of other cohorts keep arriving: back to
    back (a burst), or `closes_per_s` a second."""
    infra = await fresh(stack)
    run = uuid.uuid4().hex[:6]
    k = scale.cohorts_closed
    traffic_cohorts = max(5, k // 5)
    if closes_per_s:  # marks keep arriving while the closes are paced out
        marks_per_cohort = wl.SIZE * wl.SESSIONS
        traffic_cohorts = max(
            traffic_cohorts, math.ceil(k / closes_per_s * TRAFFIC_PER_S / marks_per_cohort)
        )
    ingest = ingest_topic(wl.PUBLISHER)
    setup: list[wl.Message] = []
    for c in range(k + traffic_cohorts):
        code = wl.cohort_code(run, c)
        setup.append((ingest, code, wl.ingest("cohort.scheduled", wl.scheduled_data(code))))
        setup += [
            (ingest, code, wl.ingest("participant.registered", wl.registered_data(code, i)))
            for i in range(c * wl.SIZE, (c + 1) * wl.SIZE)
        ]
    for c in range(k):
        code = wl.cohort_code(run, c)
        setup += [(ingest, code, v) for v in wl.marks(code, c * wl.SIZE)]
    traffic = [
        (ingest, wl.cohort_code(run, c), v)
        for c in range(k, k + traffic_cohorts)
        for v in wl.marks(wl.cohort_code(run, c), c * wl.SIZE)
    ]
    services = ("enrolment", "attendance", "certification")
    with (
        service_processes("enrolment", infra, stack.workdir, "bench") as p1,
        service_processes("attendance", infra, stack.workdir, "bench") as p2,
        service_processes("certification", infra, stack.workdir, "bench") as p3,
        RssSampler(p1 + p2 + p3) as rss,
        CpuSampler(stack.cpu_trees(p1 + p2 + p3)) as cpu,
    ):
        await wl.produce(infra, setup)
        marks = k * wl.SIZE * wl.SESSIONS
        async with connect(infra) as conn:
            await until(lambda: _applied(conn, "attendance", ATTENDANCE_TYPE, marks), 600, "marks")
        watcher = _Watcher(infra)
        await watcher.start()
        # Stamped on receipt from before the first close, so no notice waits for the harness.
        watching = asyncio.ensure_future(watcher.watch(k * wl.SIZE))
        try:
            closes = [
                (ingest, wl.cohort_code(run, c), wl.ingest("cohort.closed", {"cohort_code": code}))
                for c in range(k)
                for code in [wl.cohort_code(run, c)]
            ]
            pump = asyncio.ensure_future(_trickle(infra, traffic))
            burst_started = time.time()
            closed_at: dict[str, float] = {}
            async with _sender(infra) as send:
                for index, (topic, code, value) in enumerate(closes):
                    if closes_per_s:  # a pace, not a synchronisation
                        await _at(burst_started + index / closes_per_s)
                    closed_at[code] = time.monotonic()  # the publish, not its acknowledgement
                    await send(topic, code, value)
            await pump
            await asyncio.wait_for(watching, 300)
            burst_ended = time.time()
        finally:
            watching.cancel()
            await watcher.stop()
    certificates = [t - closed_at[c] for c, t in watcher.certificates]
    finalised = [t - closed_at[c] for c, t in watcher.finalised if c in closed_at]
    return {
        "cohorts": k,
        "closes_per_s": closes_per_s,
        "certificates": len(certificates),
        "close_to_certificate_s": _percentiles(certificates),
        "close_to_participant_finalised_s": _percentiles(finalised),
        # From the first close to the last certificate notice: what the burst kept busy.
        "burst_wall_s": round(burst_ended - burst_started, 2),
        "burst_cpu_s": cpu.spent(burst_started, burst_ended),
        "rss": dict(zip(services, [rss.peak_mb(p) for p in p1 + p2 + p3], strict=True)),
    }


async def bursts(stack: Stack, scale: Scale, cohorts: int) -> dict[str, Any]:
    """`scale.repeats` bursts of `cohorts` closes: each percentile is the median over the runs
    (`p99_s` gives their range), the CPU the median run's, the peak RSS the highest."""
    runs = [
        await latency_run(stack, dataclasses.replace(scale, cohorts_closed=cohorts))
        for _ in range(scale.repeats)
    ]
    ordered = sorted(runs, key=lambda run: run["close_to_certificate_s"]["p99"])
    median_run = ordered[len(ordered) // 2]
    return median_run | {
        "repeats": len(runs),
        "close_to_certificate_s": _median_percentiles(r["close_to_certificate_s"] for r in runs),
        "close_to_participant_finalised_s": _median_percentiles(
            r["close_to_participant_finalised_s"] for r in runs
        ),
        "p99_s": spread([r["close_to_certificate_s"]["p99"] for r in runs]),
        "rss": {k: max(r["rss"][k] for r in runs) for k in median_run["rss"]},
    }


def _median_percentiles(runs: Iterable[dict[str, float]]) -> dict[str, float]:
    listed = list(runs)
    return {q: round(statistics.median(r[q] for r in listed), 3) for q in listed[0]}


def _sweep_row(burst: dict[str, Any]) -> dict[str, Any]:
    keep = ("cohorts", "certificates", "close_to_certificate_s", "p99_s", "burst_wall_s")
    return {k: burst[k] for k in keep}


async def _at(moment: float) -> None:
    """Sleep until the wall-clock `moment` (at once if it has passed)."""
    await asyncio.sleep(max(0.0, moment - time.time()))


async def _applied(conn: Any, service: str, event_type: str, expected: int) -> bool:
    sql = (
        f"SELECT count(*) FROM {service}.processed_events "
        "WHERE event_type = $1 AND outcome = 'applied'"
    )
    return await count(conn, sql, event_type) >= expected


TRAFFIC_PER_S = 5000


async def _trickle(infra: InfraSettings, traffic: list[wl.Message]) -> None:
    """Background attendance traffic: 500 marks every 100 ms (a pace, not a synchronisation)."""
    step = TRAFFIC_PER_S // 10
    for i in range(0, len(traffic), step):
        await wl.produce(infra, traffic[i : i + step])
        await asyncio.sleep(0.1)


_NOTICE = b'"certificate_issued"'
_FINALISED = b'"diklat.attendance.participant_finalised.v1"'


class _Watcher:
    """Reads certificate notices and attendance finalisations as they appear, stamped on receipt."""

    def __init__(self, infra: InfraSettings) -> None:
        ns = infra.kafka_topic_namespace
        self.consumer = AIOKafkaConsumer(
            physical(ns, feedback_topic(wl.PUBLISHER)),
            physical(ns, "diklat.domain.attendance"),
            **infra.kafka_client_config(),
            enable_auto_commit=False,
            auto_offset_reset="latest",
            group_id=f"bench-watch-{uuid.uuid4().hex[:6]}",
            # Tansu holds an empty fetch for the whole wait even when data arrives meanwhile:
            # the client's 500 ms default would add up to half a second to what we measure.
            fetch_max_wait_ms=20,
            session_timeout_ms=6000,
            heartbeat_interval_ms=500,
        )
        self.certificates: list[tuple[str, float]] = []
        self.finalised: list[tuple[str, float]] = []

    async def start(self) -> None:
        await self.consumer.start()
        await until(self._assigned, 60, "watcher assignment")

    async def _assigned(self) -> bool:
        await self.consumer.getmany(timeout_ms=50)
        return bool(self.consumer.assignment())

    async def poll(self, expected: int) -> bool:
        batches = await self.consumer.getmany(timeout_ms=100)
        now = time.monotonic()
        for records in batches.values():
            for record in records:
                value = record.value or b"{}"
                # Only these two are parsed: the feedback topic also carries the ingest outcome
                # reports (up to ~100 KB each), and parsing them took CPU from what is measured.
                if _NOTICE not in value and _FINALISED not in value:
                    continue
                event = orjson.loads(value)
                data = event.get("data") or {}
                if data.get("kind") == "certificate_issued":
                    self.certificates.append((data["cohort_code"], now))
                elif event.get("type") == "diklat.attendance.participant_finalised.v1":
                    self.finalised.append((data["cohort_code"], now))
        return len(self.certificates) >= expected

    async def watch(self, expected: int) -> None:
        while not await self.poll(expected):
            pass

    async def stop(self) -> None:
        await self.consumer.stop()


Send = Callable[[str, str, bytes], Awaitable[None]]


@contextlib.asynccontextmanager
async def _sender(
    infra: InfraSettings,
) -> AsyncIterator[Callable[[str, str, bytes], Awaitable[None]]]:
    """One producer for a sequence of timed sends, each sent at once and acknowledged."""
    producer = AIOKafkaProducer(**infra.kafka_client_config(), acks="all", linger_ms=0)
    await producer.start()

    async def send(topic: str, key: str, value: bytes) -> None:
        await producer.send_and_wait(
            physical(infra.kafka_topic_namespace, topic),
            value=value,
            key=key.encode(),
            headers=STRUCTURED_HEADERS,
        )

    try:
        yield send
    finally:
        await producer.stop()


def _percentiles(values: list[float]) -> dict[str, float]:
    """p50, p95, p99 of the run's latencies (all of them: the inclusive method) and the max."""
    if not values:
        return {}
    # Python 3.11's quantiles wants two data points; one is every percentile of itself.
    cuts = statistics.quantiles(
        values * 2 if len(values) == 1 else values, n=100, method="inclusive"
    )
    return {
        "p50": round(cuts[49], 3),
        "p95": round(cuts[94], 3),
        "p99": round(cuts[98], 3),
        "max": round(max(values), 3),
    }


# --- national rebuild ----------------------------------------------------------------------------


async def rebuild_run(stack: Stack, scale: Scale) -> dict[str, Any]:
    infra = await fresh(stack)
    history = wl.national_history(uuid.uuid4().hex[:6], scale.rebuild)
    await wl.produce(infra, history)
    env = service_env("consolidation", infra, stack.workdir, "bench")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.rebuild_child", env=env, cwd=ROOT, stdout=subprocess.PIPE
    )
    with RssSampler([proc.pid]) as rss:
        out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"rebuild failed with exit code {proc.returncode}")
    timing = json.loads(out.decode().strip().splitlines()[-1])
    return {
        "events": timing["records"],
        "eps": timing["records"] / timing["seconds"],
        "rss": rss.peak_mb(proc.pid),
    }


# --- all of it -------------------------------------------------------------------------------


async def run_all(scale: Scale, use_kafka: bool, only: set[str] | None = None) -> dict[str, Any]:
    want = only or {"attendance", "enrolment", "scale_out", "latency", "rebuild"}
    results: dict[str, Any] = {"scale": scale.__dict__, "started": time.strftime("%FT%T%z")}
    with open_stack(use_kafka) as stack:
        results["broker"] = stack.broker_name
        rss: dict[str, list[float]] = {}
        if "attendance" in want or "scale_out" in want:
            one, two, raw, att = [], [], [], []
            for r in range(scale.repeats):
                a = await attendance_run(stack, scale, 1, True, baseline_first=r % 2 == 0)
                att.append(a)
                one.append(a["service"])
                raw.append(a["raw"])
                rss.setdefault("attendance", []).extend(a["rss"])
                if "scale_out" in want:
                    b = await attendance_run(stack, scale, 2, False, False)
                    two.append(b["service"])
                    rss["attendance"].extend(b["rss"])
            results["attendance_ingest"] = (
                _throughput(one, raw) | _cpu_per_event(att) | {"rss": [a["rss"] for a in att]}
            )
            if two:
                results["scale_out"] = {
                    "one_instance_eps": spread(one),
                    "two_instances_eps": spread(two),
                    "speedup": spread([b / a for a, b in zip(one, two, strict=True)]),
                }
        if "enrolment" in want:
            svc, raw, enr = [], [], []
            for r in range(scale.repeats):
                e = await enrolment_run(stack, scale, baseline_first=r % 2 == 0)
                enr.append(e)
                svc.append(e["service"])
                raw.append(e["raw"])
                rss.setdefault("enrolment", []).extend(e["rss"])
            results["enrolment_ingest"] = (
                _throughput(svc, raw) | _cpu_per_event(enr) | {"rss": [e["rss"] for e in enr]}
            )
        if "latency" in want:
            results["latency"] = await bursts(stack, scale, scale.cohorts_closed)
            for name, peak in results["latency"]["rss"].items():
                rss.setdefault(name, []).append(peak)
            results["latency_sweep"] = [
                _sweep_row(await bursts(stack, scale, k)) for k in scale.burst_sweep
            ]
            # Not one of the runs: its peaks are reported apart (see report.py).
            results["latency_paced"] = await latency_run(stack, scale, scale.closes_per_s)
        if "rebuild" in want:
            runs = [await rebuild_run(stack, scale) for _ in range(max(1, scale.repeats - 1))]
            rss.setdefault("consolidation (rebuild)", []).extend(r["rss"] for r in runs)
            results["rebuild"] = {
                "events": runs[0]["events"],
                "eps": spread([r["eps"] for r in runs]),
            }
        results["peak_rss_mb"] = {k: max(v) for k, v in rss.items()}
    results["machine"] = machine()
    return results


def _throughput(service: list[float], raw: list[float]) -> dict[str, Any]:
    return {
        "service_eps": spread(service),
        "raw_eps": spread(raw),
        "ratio": spread([s / r for s, r in zip(service, raw, strict=True)]),
    }


def _cpu_per_event(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median µs of CPU per event of each process tree, for the service and the raw loop."""

    def per_event(key: str) -> dict[str, float]:
        trees = runs[0][key].keys()
        return {
            tree: round(statistics.median(r[key][tree] / r["events"] * 1e6 for r in runs), 1)
            for tree in trees
        }

    return {"cpu_us_per_event": {"service": per_event("cpu"), "raw": per_event("raw_cpu")}}


def machine() -> dict[str, str]:
    def sh(*argv: str) -> str:
        try:
            return subprocess.run(argv, capture_output=True, text=True, check=False).stdout
        except OSError:
            return ""

    model = [line for line in sh("lscpu").splitlines() if line.startswith("Model name")]
    mem = [line for line in sh("free", "-m").splitlines() if line.startswith("Mem:")]
    return {
        "nproc": sh("nproc").strip(),
        "cpu": model[0].split(":", 1)[1].strip() if model else "",
        "memory_mb": mem[0].split()[1] if mem else "",
        "python": sys.version.split()[0],
        "os": os.uname().release,
    }


async def _stoppable(work: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    """Run `work`, cancelled by SIGTERM or SIGINT: the stack and the services it started are
    then stopped by their context managers instead of being left running without a parent."""
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    return await task


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="a quarter to a tenth of the issue's sizes"
    )
    parser.add_argument("--kafka", action="store_true", help="Apache Kafka instead of Tansu")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="attendance enrolment scale_out latency rebuild")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--doc", type=Path, default=DOC)
    args = parser.parse_args(argv)
    scale = Scale.quick(args.repeats) if args.quick else Scale(repeats=args.repeats)
    only = set(args.only) if args.only else None
    try:
        results = asyncio.run(_stoppable(run_all(scale, args.kafka, only)))
    except asyncio.CancelledError:
        sys.exit("bench: stopped by a signal; everything it started is stopped, nothing written")
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    write_markdown(results, args.doc)
    print(json.dumps(results, indent=2))
