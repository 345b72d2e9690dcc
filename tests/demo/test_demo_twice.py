"""`make demo` as a newcomer runs it, twice in a row on one stack directory: the second run gives
the same answers and national summary as the first, in about the same time, and Ctrl-C leaves no
process the demo started."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from diklat.stack.processes import pid_alive, read_pid

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("enrolment", "attendance", "certification", "consolidation")
SERVING = "serving; Ctrl-C"


@dataclass(frozen=True)
class DemoRun:
    output: str
    seconds: float  # from start until it serves

    def answers_and_summary(self) -> list[str]:
        """What the demo says, less what differs by run (progress bars, PIDs, log paths)."""
        skipped = (" ready ", "event/s", "retensi topik", "demo dihentikan")
        return [
            line
            for line in self.output.splitlines()
            # A progress bar clears its line with as many spaces as it last drew.
            if line.strip() and not any(s in line for s in skipped)
        ]


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _environment(stack_dir: Path) -> dict[str, str]:
    pg, kafka, *http = _free_ports(2 + len(SERVICES))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIKLAT_", "KAFKA_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        PYTHONPATH=str(ROOT),
        DIKLAT_STACK_DIR=str(stack_dir),
        DIKLAT_PG_PORT=str(pg),
        DIKLAT_KAFKA_PORT=str(kafka),
    )
    env.update(
        {f"DIKLAT_{s.upper()}_HTTP_PORT": str(p) for s, p in zip(SERVICES, http, strict=True)}
    )
    return env


def _demo_pids(stack_dir: Path) -> set[int]:
    """Every process the demo runs: the services, Tansu, the postmaster and its children."""
    files = [stack_dir / "services" / f"{s}.pid" for s in SERVICES]
    files += [
        stack_dir / "tansu" / "tansu.pid",
        stack_dir / "postgres" / "pgdata" / "postmaster.pid",
    ]
    pids = {pid for pid in (read_pid(f) for f in files) if pid is not None}
    for pid in list(pids):
        try:
            pids |= {child.pid for child in psutil.Process(pid).children(recursive=True)}
        except psutil.NoSuchProcess:
            continue
    return pids


def _wait_for(condition: Callable[[], bool], deadline: float, what: str) -> None:
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _run_and_interrupt(env: dict[str, str], stack_dir: Path, log: Path) -> DemoRun:
    started = time.monotonic()
    with log.open("w") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "diklat", "demo"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        )
    try:
        _wait_for(
            lambda: SERVING in log.read_text() or demo.poll() is not None, started + 600, "the demo"
        )
        seconds = time.monotonic() - started
        assert demo.poll() is None, log.read_text()
        pids = _demo_pids(stack_dir)
        assert len(pids) > len(SERVICES) + 2, pids
        os.killpg(demo.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        assert demo.wait(timeout=120) == 0, log.read_text()
        _wait_for(lambda: not any(pid_alive(p) for p in pids), time.monotonic() + 30, "no process")
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    return DemoRun(log.read_text(), seconds)


def test_make_demo_twice_gives_the_same_result_in_about_the_same_time(tmp_path: Path) -> None:
    stack_dir = tmp_path / "stack"
    env = _environment(stack_dir)
    first = _run_and_interrupt(env, stack_dir, tmp_path / "first.log")
    second = _run_and_interrupt(env, stack_dir, tmp_path / "second.log")

    assert "Tampilan nasional (national view), lengkap (complete)" in first.output
    assert "tidak dijawab" not in first.output + second.output
    assert second.answers_and_summary() == first.answers_and_summary()
    assert second.seconds <= 1.5 * first.seconds, (first.seconds, second.seconds)
