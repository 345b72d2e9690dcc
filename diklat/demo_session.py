"""One `diklat demo` run on a state of its own: a fresh database and a fresh topic namespace, so
every run gives the same answers and summary in about the same time (the local broker keeps its
topics in memory and Postgres keeps its files: only a state made anew each run can match on both
sides). It stops, by PID, everything it started, whether it ends, is interrupted (Ctrl-C) or is
terminated (SIGTERM)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import typer

from diklat import services as svc
from diklat.local import stack_config
from diklat.stack import stack
from shared.settings import InfraSettings

DEMO_DATABASE = "diklat_demo"


@dataclass
class DemoSession:
    """What this run started (to stop it, by PID) and, once made, where its state lives."""

    infra: InfraSettings | None = None
    started: list[svc.ServiceProcess] = field(default_factory=list)
    stack_parts: list[str] = field(default_factory=list)  # "postgres", "kafka": started by us

    @property
    def state(self) -> InfraSettings:
        assert self.infra is not None, "the demo state is made when the session starts"
        return self.infra


def demo_database_url(superuser_url: str) -> str:
    """The server's URL naming the demo's own database."""
    parts = urlsplit(superuser_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{DEMO_DATABASE}", parts.query, ""))


async def fresh_database(superuser_url: str) -> str:
    """The demo database dropped (with whatever the last run left) and created empty."""
    conn = await asyncpg.connect(superuser_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DEMO_DATABASE}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{DEMO_DATABASE}"')
    finally:
        await conn.close()
    return demo_database_url(superuser_url)


def _terminate(signum: int, _frame: FrameType | None) -> None:
    # SIGTERM ends the demo as Ctrl-C does, through the same clean-up.
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _running_parts(status: stack.StackStatus) -> set[str]:
    return {s.name for s in status.services if s.state == "running"}


@contextlib.contextmanager
def demo_session() -> Iterator[DemoSession]:
    """Start the stack and the four services on a fresh demo state; stop what was started."""
    previous = signal.signal(signal.SIGTERM, _terminate)
    config = stack_config()
    session = DemoSession()
    try:
        _start(config, session)
        yield session
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the clean-up runs to its end
        _stop(config, session)
        signal.signal(signal.SIGTERM, previous)


def _start(config: stack.StackConfig, session: DemoSession) -> None:
    before = _running_parts(stack.status(config))
    # Services already running serve another state: the demo's own take their ports.
    for process in svc.processes(config.stack_dir):
        if process.pid() is not None:
            typer.echo(f"{process.name}: dihentikan dulu (stopping the running one first)")
            process.stop()
    status = stack.up(config)
    session.stack_parts = sorted(_running_parts(status) - before)
    database_url = asyncio.run(fresh_database(status.database_url))
    namespace = f"demo{time.time_ns()}."
    session.infra = InfraSettings(
        database_url=database_url,
        kafka_bootstrap_servers=status.kafka_bootstrap_servers,
        kafka_topic_namespace=namespace,
    )
    env = {**status.env(), "DATABASE_URL": database_url, "KAFKA_TOPIC_NAMESPACE": namespace}
    for process in svc.processes(config.stack_dir):
        session.started.append(process)
        process.start(env)
    for process in session.started:
        process.wait_ready()
        typer.echo(f"{process.name:<14} ready  {process.url}  (log {process.log})")


def _stop(config: stack.StackConfig, session: DemoSession) -> None:
    for process in session.started:
        process.stop()
    if "kafka" in session.stack_parts:
        config.tansu().stop()
    if "postgres" in session.stack_parts:
        config.postgres().stop()
    stopped = [p.name for p in session.started] + session.stack_parts
    if stopped:
        typer.echo(f"demo dihentikan (demo stopped): {', '.join(stopped)}")
