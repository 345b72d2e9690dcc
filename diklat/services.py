"""Service processes of the local stack: detached, PID files, readiness, stop by PID."""

from __future__ import annotations

import importlib
import os
import sys
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from diklat.stack.processes import (
    PortTaken,
    owned_pid,
    port_is_free,
    spawn_detached,
    stop_pid,
    wait_until,
    write_pid,
)
from shared.service import ServiceDefinition
from shared.settings import DEFAULT_HTTP_PORTS

SERVICES = ("enrolment", "attendance", "certification", "consolidation")
# The local stack's demo credentials (README "Demo tokens"); never used where a service is given
# its own database role (DIKLAT_<SERVICE>_DATABASE_URL), as every deployment is.
LOCAL_TOKENS = (
    "national-demo-token=national,admin-demo-token=admin,"
    "publisher-15-demo-token=publisher:15,publisher-35.23-demo-token=publisher:35.23"
)
_MARKER = "diklat.cli"


def definition(service: str) -> ServiceDefinition:
    if service not in SERVICES:
        raise SystemExit(f"unknown service {service!r}; choose one of {', '.join(SERVICES)}")
    module = importlib.import_module(f"services.{service}.bootstrap")
    found: ServiceDefinition = module.DEFINITION
    return found


def local_url(service: str) -> str:
    """Where a local-stack service listens (DIKLAT_<SERVICE>_HTTP_PORT, else its default)."""
    override = os.environ.get(f"DIKLAT_{service.upper()}_HTTP_PORT")
    return f"http://127.0.0.1:{int(override) if override else DEFAULT_HTTP_PORTS[service]}"


def local_tokens(service: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The API tokens a service run on the local stack gets when none are set: DIKLAT_API_TOKENS
    or the demo tokens. Nothing for a service given its own database role (a deployment)."""
    prefix = f"DIKLAT_{service.upper()}_"
    if prefix + "API_TOKENS" in environ or prefix + "DATABASE_URL" in environ:
        return {}
    return {prefix + "API_TOKENS": environ.get("DIKLAT_API_TOKENS", LOCAL_TOKENS)}


@dataclass(frozen=True)
class ServiceProcess:
    name: str
    stack_dir: Path

    @property
    def pid_file(self) -> Path:
        return self.stack_dir / "services" / f"{self.name}.pid"

    @property
    def log(self) -> Path:
        return self.stack_dir / "logs" / f"{self.name}.log"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    @property
    def url(self) -> str:
        return local_url(self.name)

    def pid(self) -> int | None:
        return owned_pid(self.pid_file, _MARKER)

    def start(self, env: dict[str, str]) -> int:
        running = self.pid()
        if running is not None:
            return running
        if not port_is_free("127.0.0.1", self.port):
            raise PortTaken(self.port, f"DIKLAT_{self.name.upper()}_HTTP_PORT")
        full_env = {**os.environ, **env, **local_tokens(self.name, {**os.environ, **env})}
        pid = spawn_detached(
            [sys.executable, "-m", _MARKER, "run", self.name], self.log, Path.cwd(), full_env
        )
        write_pid(self.pid_file, pid)
        return pid

    def is_ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/ready", timeout=1) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def wait_ready(self, timeout: float = 60) -> None:
        wait_until(lambda: self.is_ready() or self._died(), timeout, f"{self.name} ready")
        if not self.is_ready():
            raise RuntimeError(f"{self.name} exited during start-up; see {self.log}")

    def _died(self) -> bool:
        return self.pid() is None

    def stop(self) -> None:
        pid = self.pid()
        if pid is not None:
            stop_pid(pid)
        self.pid_file.unlink(missing_ok=True)


def processes(stack_dir: Path) -> list[ServiceProcess]:
    return [ServiceProcess(name, stack_dir) for name in SERVICES]
