"""Process and port helpers."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from diklat.stack.processes import (
    PortTaken,
    free_port,
    pid_alive,
    port_is_free,
    read_pid,
    stop_pid,
    wait_until,
    write_pid,
)


@pytest.mark.unit
def test_port_taken_message_names_the_port_and_the_variable() -> None:
    err = PortTaken(55432, "DIKLAT_PG_PORT")
    assert str(err) == (
        "port 127.0.0.1:55432 is already taken by another process; "
        "set DIKLAT_PG_PORT=... or stop it"
    )


@pytest.mark.unit
def test_wait_until_names_what_it_waited_for() -> None:
    with pytest.raises(TimeoutError, match="the impossible"):
        wait_until(lambda: False, 0.2, "the impossible", interval=0.05)
    calls = iter([False, False, True])
    wait_until(lambda: next(calls), 5, "third call", interval=0.01)


@pytest.mark.unit
def test_pid_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "x" / "server.pid"
    assert read_pid(path) is None
    write_pid(path, 4242)
    assert read_pid(path) == 4242
    path.write_text("garbage")
    assert read_pid(path) is None


@pytest.mark.integration
def test_port_is_free_sees_a_listener() -> None:
    port = free_port()
    assert port_is_free("127.0.0.1", port)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        assert not port_is_free("127.0.0.1", port)
    assert port_is_free("127.0.0.1", port)


@pytest.mark.integration
def test_stop_pid_terminates_then_kills() -> None:
    polite = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    # Ignores SIGTERM, so only the SIGKILL after the timeout ends it.
    stubborn = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
            " print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert stubborn.stdout is not None
        assert stubborn.stdout.readline() == b"ready\n"
        stop_pid(polite.pid, timeout=5)
        assert not pid_alive(polite.pid)
        stop_pid(stubborn.pid, timeout=0.5)
        assert not pid_alive(stubborn.pid)
    finally:
        for proc in (polite, stubborn):
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
