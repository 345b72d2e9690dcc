"""Process, port and pid-file helpers shared by the local servers (always by PID, never by name)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psutil

LOOPBACK = "127.0.0.1"


class PortTaken(RuntimeError):
    """A server's port is bound by a process that is not ours."""

    def __init__(self, port: int, env_var: str | None = None, host: str = LOOPBACK) -> None:
        hint = f"set {env_var}=... or stop it" if env_var else "choose another port or stop it"
        super().__init__(f"port {host}:{port} is already taken by another process; {hint}")
        self.host = host
        self.port = port
        self.env_var = env_var


def port_is_free(host: str, port: int) -> bool:
    """True if nothing listens on host:port (a bind like the servers' own would succeed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR as the servers use it: TIME_WAIT leftovers must not count as "taken".
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def port_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    """True if a TCP connect to host:port succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A loopback port the OS considers free right now (racy by nature; fine for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
    return port


def wait_until(
    predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.1
) -> None:
    """Poll `predicate` until it is true; raise TimeoutError naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def write_pid(path: Path, pid: int) -> None:
    """Write a pid file atomically (a reader never sees a half-written number)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{pid}\n")
    tmp.replace(path)


def read_pid(path: Path) -> int | None:
    """The PID stored in `path`, or None if the file is missing or garbled."""
    try:
        text = path.read_text().strip().splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not text:
        return None
    try:
        return int(text[0])
    except ValueError:
        return None


def pid_alive(pid: int) -> bool:
    """True if `pid` runs; a zombie (exited, not yet reaped) counts as dead."""
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def process_cmdline(pid: int) -> list[str]:
    """The command line of `pid`, or [] if it is gone or unreadable."""
    try:
        return list(psutil.Process(pid).cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return []


# Servers we spawned, kept so we can reap them (no zombies, no "still running" ResourceWarning).
_children: dict[int, subprocess.Popen[bytes]] = {}


def _wait_gone(pid: int, timeout: float) -> bool:
    child = _children.get(pid)
    if child is not None:
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        del _children[pid]
        return True
    try:
        # psutil reaps it if it is our child, so stopped servers don't linger as zombies.
        psutil.Process(pid).wait(timeout)
    except psutil.NoSuchProcess:
        return True
    except psutil.TimeoutExpired:
        return not pid_alive(pid)
    return True


def stop_pid(pid: int, timeout: float = 15, first_signal: int = signal.SIGTERM) -> None:
    """Signal `pid` (SIGTERM), wait up to `timeout` s, then SIGKILL. Touches only that PID."""
    if not pid_alive(pid):
        _wait_gone(pid, 0)
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, first_signal)
    if _wait_gone(pid, timeout):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    if not _wait_gone(pid, 10):
        raise RuntimeError(f"process {pid} survived SIGKILL")


def spawn_detached(
    argv: list[str], log_path: Path, cwd: Path, env: dict[str, str] | None = None
) -> int:
    """Start a server in its own session (it outlives us, ^C in our terminal does not reach it)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
    _children[proc.pid] = proc
    return proc.pid


def owned_pid(pid_file: Path, marker: str) -> int | None:
    """PID from `pid_file` if it is alive and its command line contains `marker`.

    The marker guards against PID reuse: after a reboot a stale pid file may name an
    unrelated process, which we must neither report as ours nor ever signal.
    """
    pid = read_pid(pid_file)
    if pid is None or not pid_alive(pid):
        return None
    if not any(marker in arg for arg in process_cmdline(pid)):
        return None
    return pid


def log_tail(path: Path, lines: int = 40) -> str:
    """The last `lines` lines of a log file, for error messages."""
    try:
        content = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return f"(no log at {path})"
    return "\n".join(content[-lines:])
