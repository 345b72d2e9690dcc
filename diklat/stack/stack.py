"""The local zero-setup stack (embedded Postgres + Tansu) behind `diklat up/down/status`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from diklat.stack.postgres import EmbeddedPostgres
from diklat.stack.tansu import TansuBroker

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PG_PORT = 55432
DEFAULT_KAFKA_PORT = 19092


def _port(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise ValueError(f"{name}={port} is outside 1..65535")
    return port


@dataclass(frozen=True)
class StackConfig:
    """Where the local stack lives and which parts of it are replaced by outside servers."""

    stack_dir: Path
    pg_port: int = DEFAULT_PG_PORT
    kafka_port: int = DEFAULT_KAFKA_PORT
    pg_password: str = "postgres"
    # Set means "use that server, don't start ours" (design §7: outside URLs always win).
    database_url: str | None = None
    kafka_bootstrap_servers: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StackConfig:
        env = os.environ if environ is None else environ
        stack_dir = env.get("DIKLAT_STACK_DIR", "").strip()
        return cls(
            stack_dir=Path(stack_dir).expanduser() if stack_dir else REPO_ROOT / ".stack",
            pg_port=_port(env, "DIKLAT_PG_PORT", DEFAULT_PG_PORT),
            kafka_port=_port(env, "DIKLAT_KAFKA_PORT", DEFAULT_KAFKA_PORT),
            database_url=env.get("DATABASE_URL", "").strip() or None,
            kafka_bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS", "").strip() or None,
        )

    def postgres(self) -> EmbeddedPostgres:
        return EmbeddedPostgres(self.stack_dir / "postgres", self.pg_port, self.pg_password)

    def tansu(self) -> TansuBroker:
        return TansuBroker(self.stack_dir / "tansu", self.kafka_port)


@dataclass(frozen=True)
class ServiceStatus:
    """One row of `diklat status`."""

    name: str  # "postgres" | "kafka"
    server: str  # what serves it, e.g. "embedded PostgreSQL" or "external"
    state: str  # "running" | "stopped" | "external"
    pid: int | None
    address: str  # DATABASE_URL or bootstrap servers clients should use
    log: Path | None = None


@dataclass(frozen=True)
class StackStatus:
    """What runs, with PIDs and addresses; `rows()`/`table()` for printing."""

    services: tuple[ServiceStatus, ...]
    HEADERS: ClassVar[tuple[str, ...]] = ("service", "server", "state", "pid", "address", "log")

    def service(self, name: str) -> ServiceStatus:
        return next(s for s in self.services if s.name == name)

    @property
    def database_url(self) -> str:
        return self.service("postgres").address

    @property
    def kafka_bootstrap_servers(self) -> str:
        return self.service("kafka").address

    @property
    def ready(self) -> bool:
        """True if every part is either running locally or provided from outside."""
        return all(s.state in ("running", "external") for s in self.services)

    def env(self) -> dict[str, str]:
        """Environment for services and tools: the addresses of this stack."""
        return {
            "DATABASE_URL": self.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap_servers,
        }

    def rows(self) -> list[tuple[str, ...]]:
        return [
            (
                s.name,
                s.server,
                s.state,
                "-" if s.pid is None else str(s.pid),
                s.address,
                "-" if s.log is None else str(s.log),
            )
            for s in self.services
        ]

    def table(self) -> str:
        rows = [self.HEADERS, *self.rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(self.HEADERS))]
        return "\n".join(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in rows
        )


def status(cfg: StackConfig) -> StackStatus:
    """What runs now (never starts or stops anything)."""
    services: list[ServiceStatus] = []
    if cfg.database_url is not None:
        services.append(ServiceStatus("postgres", "external", "external", None, cfg.database_url))
    else:
        pg = cfg.postgres()
        pid = pg.pid()
        # Report where it really listens if it was started before a port change.
        pg = EmbeddedPostgres(pg.data_dir, pg.running_port() or pg.port, pg.password)
        services.append(
            ServiceStatus(
                "postgres",
                "embedded PostgreSQL",
                "stopped" if pid is None else "running",
                pid,
                pg.url(),
                pg.log_path,
            )
        )
    if cfg.kafka_bootstrap_servers is not None:
        services.append(
            ServiceStatus("kafka", "external", "external", None, cfg.kafka_bootstrap_servers)
        )
    else:
        broker = cfg.tansu()
        pid = broker.pid()
        broker = TansuBroker(broker.data_dir, broker.running_port() or broker.port)
        services.append(
            ServiceStatus(
                "kafka",
                "Tansu (in-memory)",
                "stopped" if pid is None else "running",
                pid,
                broker.bootstrap_servers,
                broker.log_path,
            )
        )
    return StackStatus(tuple(services))


def up(cfg: StackConfig) -> StackStatus:
    """Start whatever local part is not running and not replaced by an outside URL.

    Idempotent. Raises PortTaken if a port is held by something that is not ours; parts
    already started stay up (running `up` again after fixing the port finishes the job).
    """
    cfg.stack_dir.mkdir(parents=True, exist_ok=True)
    if cfg.database_url is None:
        cfg.postgres().start()
    if cfg.kafka_bootstrap_servers is None:
        cfg.tansu().start()
    return status(cfg)


def down(cfg: StackConfig) -> None:
    """Stop the local servers we run (by their recorded PIDs); idempotent, Postgres data is kept.

    Outside URLs don't matter here: a local server started before they were set is ours
    and is stopped too; outside servers are never touched.
    """
    cfg.tansu().stop()
    cfg.postgres().stop()
