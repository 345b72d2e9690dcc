"""This machine's stack as the commands use it: its addresses, the four services started, and
serving until Ctrl-C. `diklat run all` and `diklat demo` both start through here."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import typer

from diklat import services as svc
from diklat.stack import stack
from shared.settings import InfraSettings


def stack_config() -> stack.StackConfig:
    return stack.StackConfig.from_env()


def local_infra() -> InfraSettings:
    """Addresses of this machine's stack (its ports may be moved by DIKLAT_PG_PORT/...),
    unless DATABASE_URL or KAFKA_BOOTSTRAP_SERVERS name outside servers."""
    status = stack.status(stack_config())
    return InfraSettings(
        database_url=status.database_url, kafka_bootstrap_servers=status.kafka_bootstrap_servers
    )


def start_all() -> list[svc.ServiceProcess]:
    """The stack up, then all four services as background processes, each waited for."""
    config = stack_config()
    status = stack.up(config)
    started = list(svc.processes(config.stack_dir))
    for process in started:
        process.start(status.env())
    for process in started:
        process.wait_ready()
        typer.echo(f"{process.name:<14} ready  {process.url}  (log {process.log})")
    return started


def wait_for_interrupt(
    stops: str = "the services (`diklat stack down` stops everything)",
) -> None:
    typer.echo(f"serving; Ctrl-C stops {stops}")
    stop = asyncio.Event()

    async def wait() -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(wait())
