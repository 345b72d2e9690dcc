"""Close -> certificate latency: bursts of closes, a sweep of smaller bursts, and a paced run,
each while marks of other cohorts keep arriving."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import math
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaProducer

from bench import workload as wl
from bench.figures import median_percentiles, percentiles, spread
from bench.infra import CpuSampler, RssSampler, Stack, connect, count, service_processes, until
from bench.scenario import ATTENDANCE_TYPE, Scale, fresh
from bench.watcher import Watcher
from shared.envelope import STRUCTURED_HEADERS
from shared.settings import InfraSettings
from shared.topics import ingest_topic, physical


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
        watcher = Watcher(infra)
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
        "close_to_certificate_s": percentiles(certificates),
        "close_to_participant_finalised_s": percentiles(finalised),
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
        "close_to_certificate_s": median_percentiles(r["close_to_certificate_s"] for r in runs),
        "close_to_participant_finalised_s": median_percentiles(
            r["close_to_participant_finalised_s"] for r in runs
        ),
        "p99_s": spread([r["close_to_certificate_s"]["p99"] for r in runs]),
        "rss": {k: max(r["rss"][k] for r in runs) for k in median_run["rss"]},
    }


def sweep_row(burst: dict[str, Any]) -> dict[str, Any]:
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


Send = Callable[[str, str, bytes], Awaitable[None]]


@contextlib.asynccontextmanager
async def _sender(infra: InfraSettings) -> AsyncIterator[Send]:
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


async def latency_figures(
    stack: Stack, scale: Scale, rss: dict[str, list[float]]
) -> dict[str, Any]:
    """`latency` (the issue's burst), `latency_sweep` and `latency_paced`; the burst's peak RSS
    goes into `rss`."""
    results: dict[str, Any] = {"latency": await bursts(stack, scale, scale.cohorts_closed)}
    for name, peak in results["latency"]["rss"].items():
        rss.setdefault(name, []).append(peak)
    results["latency_sweep"] = [sweep_row(await bursts(stack, scale, k)) for k in scale.burst_sweep]
    # Not one of the runs: its peaks are reported apart (see report.py).
    results["latency_paced"] = await latency_run(stack, scale, scale.closes_per_s)
    return results
