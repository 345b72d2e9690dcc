"""Servers, databases, topics and service processes for the benchmarks, with RSS sampling."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Self

import asyncpg
import psutil

from diklat.stack.apache_kafka import ApacheKafka
from diklat.stack.postgres import EmbeddedPostgres
from diklat.stack.processes import free_port, stop_pid
from diklat.stack.tansu import TansuBroker
from shared.settings import InfraSettings

ROOT = Path(__file__).resolve().parent.parent


class Broker(Protocol):
    @property
    def bootstrap_servers(self) -> str: ...

    def pid(self) -> int | None: ...

    def stop(self, timeout: float = ...) -> None: ...


@dataclass
class Stack:
    """One Postgres and one broker for a whole benchmark run; a database per measurement."""

    postgres: EmbeddedPostgres
    broker: Broker
    broker_name: str
    workdir: Path

    def cpu_trees(self, service_pids: list[int]) -> dict[str, Tree]:
        """What a measurement's CPU is spent by: the services (or, for the raw loop, this
        process alone: the services are its children), Postgres and the broker."""
        own = ([os.getpid()], False)
        return {
            "client": (service_pids, True) if service_pids else own,
            "postgres": ([p for p in [self.postgres.pid()] if p], True),
            "broker": ([p for p in [self.broker.pid()] if p], True),
        }

    async def infra(self) -> InfraSettings:
        """A fresh database and topic namespace: measurements never see each other's data."""
        name = f"b_{uuid.uuid4().hex[:10]}"
        admin = await asyncpg.connect(self.postgres.url())
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        return InfraSettings(
            database_url=self.postgres.url(name),
            kafka_bootstrap_servers=self.broker.bootstrap_servers,
            kafka_topic_namespace=f"{name}.",
        )


@contextlib.contextmanager
def stack(use_kafka: bool) -> Iterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="diklat-bench-") as tmp:
        workdir = Path(tmp)
        postgres = EmbeddedPostgres(workdir / "pg", free_port())
        postgres.start()
        broker: Broker
        try:
            if use_kafka:
                kafka = ApacheKafka(workdir / "kafka", free_port(), free_port())
                kafka.start()
                broker, name = kafka, "apache-kafka"
            else:
                tansu = TansuBroker(workdir / "tansu", free_port())
                tansu.start()
                broker, name = tansu, "tansu"
            try:
                yield Stack(postgres, broker, name, workdir)
            finally:
                broker.stop()
        finally:
            postgres.stop()


class _Sampler:
    """A thread that samples until the `with` block ends, every `interval` seconds."""

    interval = 0.1

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def sample(self) -> None:
        raise NotImplementedError


class RssSampler(_Sampler):
    """Peak resident set size of some processes, sampled every 50 ms in a thread."""

    interval = 0.05

    def __init__(self, pids: list[int]) -> None:
        super().__init__()
        self.procs = [psutil.Process(p) for p in pids]
        self.peak: dict[int, int] = {}

    def sample(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(psutil.Error):
                rss = proc.memory_info().rss
                self.peak[proc.pid] = max(self.peak.get(proc.pid, 0), rss)

    def peak_mb(self, pid: int) -> float:
        return round(self.peak.get(pid, 0) / 2**20, 1)


# Processes and whether their children count (a service's PDF renderer, Postgres' backends).
Tree = tuple[list[int], bool]


class CpuSampler(_Sampler):
    """CPU seconds (user + system) of process trees, sampled every 100 ms with their wall time,
    so the CPU spent inside any measured window can be read afterwards (`spent`).

    Finding a tree's descendants scans all of /proc (psutil's `children`): done every 100 ms
    for five trees it cost the harness ~0.1 of a core, taken from what it measures on two.
    So descendants are looked up once a second and only read in between."""

    rescan_every = 10  # samples

    def __init__(self, trees: dict[str, Tree]) -> None:
        super().__init__()
        self.trees = {name: TreeCpu(*tree) for name, tree in trees.items()}
        self.samples: list[tuple[float, dict[str, float]]] = []

    def sample(self) -> None:
        rescan = len(self.samples) % self.rescan_every == 0
        self.samples.append((time.time(), {k: v.seconds(rescan) for k, v in self.trees.items()}))

    def spent(self, start: float, end: float) -> dict[str, float]:
        """CPU seconds of each tree between two `time.time()` instants (nearest samples)."""
        before = max((s for s in self.samples if s[0] <= start), default=self.samples[0])
        after = min((s for s in self.samples if s[0] >= end), default=self.samples[-1])
        return {k: round(after[1][k] - before[1][k], 3) for k in self.trees}


class TreeCpu:
    """CPU seconds of some processes and, optionally, all their descendants. With descendants,
    each live process counts its own time and that of its children it has waited for (the
    kernel moves an exited child's time into its parent's `children_*`): nothing is counted
    twice, and a descendant that lived less than a rescan interval is still counted."""

    def __init__(self, pids: list[int], with_children: bool) -> None:
        self.roots = [proc for pid in pids if (proc := _process(pid)) is not None]
        self.with_children = with_children
        self.descendants: list[psutil.Process] = []

    def seconds(self, rescan: bool) -> float:
        if rescan and self.with_children:
            self.descendants = [c for r in self.roots for c in _children(r)]
        total = 0.0
        for proc in [*self.roots, *self.descendants]:
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                total += times.user + times.system
                if self.with_children:
                    total += times.children_user + times.children_system
        return total


def _process(pid: int) -> psutil.Process | None:
    try:
        return psutil.Process(pid)
    except psutil.Error:
        return None


def _children(proc: psutil.Process) -> list[psutil.Process]:
    try:
        children: list[psutil.Process] = proc.children(recursive=True)
    except psutil.Error:
        return []
    return children


def service_env(
    service: str, infra: InfraSettings, workdir: Path, group: str, **extra: str
) -> dict[str, str]:
    prefix = f"DIKLAT_{service.upper()}_"
    env = {
        **os.environ,
        "DATABASE_URL": infra.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "KAFKA_TOPIC_NAMESPACE": infra.kafka_topic_namespace,
        f"{prefix}HTTP_PORT": str(free_port()),
        f"{prefix}CONSUMER_GROUP": group,
        f"{prefix}SESSION_TIMEOUT_MS": "6000",
        f"{prefix}HEARTBEAT_INTERVAL_MS": "500",
        f"{prefix}METADATA_MAX_AGE_MS": "1000",
        f"{prefix}OUTBOX_POLL_INTERVAL_S": "0.2",
        f"{prefix}LOG_LEVEL": "WARNING",
        # The bench's own stand-in CA, not the local stack's (certification seals its PDFs).
        "DIKLAT_CERTIFICATION_SEAL_DIR": str(workdir / "seals"),
    }
    env.update({prefix + k.upper(): v for k, v in extra.items()})
    return env


def service_group(infra: InfraSettings, service: str, group: str) -> str:
    """The consumer group prefix of a benchmark's service processes (see `service_processes`)."""
    return f"{infra.kafka_topic_namespace}{service}-{group}"


@contextlib.contextmanager
def service_processes(
    service: str,
    infra: InfraSettings,
    workdir: Path,
    group: str,
    instances: int = 1,
    tree: Path = ROOT,
    **settings: str,
) -> Iterator[list[int]]:
    """`diklat run <service>` as real processes (what production runs); stopped by PID.
    `settings` are further DIKLAT_<SERVICE>_* values (e.g. `http_port="8084"`); `tree` is the
    source tree the service runs from (another commit's, for a side-by-side run).

    Consumer groups live on the broker, outside any topic namespace: `group` is made unique per
    namespace and service, or runs and services would share a group."""
    group = service_group(infra, service, group)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for i in range(instances):
            log = open(workdir / f"{service}-{group}-{i}.log", "ab")  # noqa: SIM115
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "diklat.cli", "run", service],
                    env=service_env(service, infra, workdir, group, **settings)
                    | {"PYTHONPATH": str(tree)},
                    cwd=tree,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            log.close()
        yield [p.pid for p in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                stop_pid(proc.pid, timeout=20)
            proc.wait()


async def until(
    check: Callable[[], Awaitable[Any]], timeout: float, what: str, interval: float = 0.1
) -> Any:
    """Poll with a deadline (never sleep-and-hope)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


@contextlib.asynccontextmanager
async def connect(infra: InfraSettings) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(infra.database_url)
    try:
        yield conn
    finally:
        await conn.close()


async def count(conn: asyncpg.Connection, sql: str, *args: object) -> int:
    """A count that reads 0 while the service has not created its schema yet."""
    try:
        value = await conn.fetchval(sql, *args)
    except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
        return 0
    return int(value or 0)
