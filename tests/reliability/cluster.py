"""The four services as separate processes (`python -m diklat.cli run <service>`), supervised
like a container orchestrator would: a process that dies (SIGKILLed by a test, or exiting
because Postgres or Kafka was down at start-up) is started again after a short hold-down."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from diklat.services import SERVICES
from diklat.stack.processes import free_port
from shared.settings import InfraSettings

ROOT = Path(__file__).resolve().parents[2]
# Every consumer group a service runs (see shared.service.subscriptions_of).
CONSUMER_GROUPS = {
    "enrolment": ("enrolment.ingest",),
    "attendance": ("attendance.ingest", "attendance.domain"),
    "certification": ("certification.ingest", "certification.domain"),
    "consolidation": ("consolidation.domain", "consolidation.extra0"),
}


def service_env(infra: InfraSettings, name: str, log_dir: Path, **tuning: str) -> dict[str, str]:
    prefix = f"DIKLAT_{name.upper()}_"
    settings = {
        "HTTP_PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
        "SESSION_TIMEOUT_MS": "6000",
        "HEARTBEAT_INTERVAL_MS": "500",
        "METADATA_MAX_AGE_MS": "1000",
        "API_TOKENS": "nat=national",
        **tuning,
    }
    return {
        **os.environ,
        "DATABASE_URL": infra.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "KAFKA_TOPIC_NAMESPACE": infra.kafka_topic_namespace,
        **{prefix + key: value for key, value in settings.items()},
    }


@dataclass
class ServiceProcess:
    name: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    kills: int = 0
    held_until: float = 0.0  # monotonic time before which the supervisor leaves it down

    @property
    def port(self) -> int:
        return int(self.env[f"DIKLAT_{self.name.upper()}_HTTP_PORT"])

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "diklat.cli", "run", self.name],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1

    def kill(self, down_for: float) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or an OOM kill."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
            self.kills += 1
        self.held_until = time.monotonic() + down_for

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


@dataclass
class Cluster:
    services: dict[str, ServiceProcess]
    exits: dict[str, int] = field(default_factory=dict)

    async def supervise(self, interval: float = 0.25) -> None:
        """Start every service that is down and not held down; runs until cancelled."""
        while True:
            now = time.monotonic()
            for service in self.services.values():
                if service.alive():
                    continue
                if service.process is not None and service.held_until == 0.0:
                    # It exited by itself (e.g. it started while Postgres was down): count it
                    # and back off a little, as an orchestrator would.
                    self.exits[service.name] = self.exits.get(service.name, 0) + 1
                    service.held_until = now + 1.0
                elif now >= service.held_until:
                    service.held_until = 0.0
                    service.start()
            await asyncio.sleep(interval)

    def log_tails(self, chars: int = 3000) -> str:
        return "\n".join(
            f"--- {s.name} ---\n{s.log.read_text(errors='replace')[-chars:]}"
            for s in self.services.values()
            if s.log.exists()
        )


@contextlib.asynccontextmanager
async def supervised(
    infra: InfraSettings, log_dir: Path, names: Sequence[str] = SERVICES, **tuning: str
) -> AsyncIterator[Cluster]:
    """The services running under a supervisor task; all stopped by PID on the way out."""
    cluster = Cluster(
        {
            name: ServiceProcess(
                name, service_env(infra, name, log_dir, **tuning), log_dir / f"{name}.log"
            )
            for name in names
        }
    )
    supervisor = asyncio.ensure_future(cluster.supervise())
    try:
        yield cluster
    finally:
        supervisor.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await supervisor
        for service in cluster.services.values():
            service.stop()
