"""Reference Apache Kafka broker (single-node KRaft) run from the Maven jars on the local JDK."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import string
import subprocess
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from diklat.stack.probe import kafka_serves_metadata
from diklat.stack.processes import (
    LOOPBACK,
    PortTaken,
    log_tail,
    owned_pid,
    pid_alive,
    port_answers,
    port_is_free,
    spawn_detached,
    stop_pid,
    wait_until,
    write_pid,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY_DIR = REPO_ROOT / "deploy" / "kafka"
POM = DEPLOY_DIR / "pom.xml"
CLASSPATH_CACHE_DIR = REPO_ROOT / ".stack" / "kafka"

ADMIN_USER = "admin"
SCRAM_MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512")
# Credentials end up inside `[name=...,password=...]` specs and JAAS strings; keep them
# to characters that need no quoting in either.
_SAFE_CREDENTIAL = re.compile(r"^[A-Za-z0-9._@:+-]+$")
_JVM_HEAP = ["-Xms256m", "-Xmx512m"]
# Short-lived tools: C1 only and serial GC start noticeably faster.
_TOOL_JVM = ["-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def kafka_classpath() -> str:
    """Classpath of the broker jars, resolved by Maven once per pom version and cached."""
    digest = hashlib.sha256(POM.read_bytes()).hexdigest()[:16]
    cache = CLASSPATH_CACHE_DIR / f"classpath-{digest}.txt"
    # Parallel test workers would otherwise all run Maven at once.
    with _file_lock(CLASSPATH_CACHE_DIR / ".classpath.lock"):
        if cache.exists():
            classpath = cache.read_text().strip()
            # ~/.m2 may have been cleaned since; then resolve again.
            if classpath and all(Path(jar).exists() for jar in classpath.split(os.pathsep)):
                return classpath
        mvn = shutil.which("mvn")
        if mvn is None:
            raise RuntimeError("Maven (`mvn`) is needed to fetch the Apache Kafka jars")
        tmp = cache.with_suffix(".tmp")
        result = subprocess.run(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(POM),
                "dependency:build-classpath",
                f"-Dmdep.outputFile={tmp}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0 or not tmp.exists():
            raise RuntimeError(f"mvn dependency:build-classpath failed:\n{result.stdout}")
        tmp.replace(cache)
        return cache.read_text().strip()


def _stack_admin_classes() -> Path:
    """Directory with StackAdmin.class, compiled once per source and classpath version."""
    source = DEPLOY_DIR / "StackAdmin.java"
    digest = hashlib.sha256(source.read_bytes() + POM.read_bytes()).hexdigest()[:16]
    target = CLASSPATH_CACHE_DIR / f"stack-admin-{digest}"
    with _file_lock(CLASSPATH_CACHE_DIR / ".stack-admin.lock"):
        if (target / "StackAdmin.class").exists():
            return target
        javac = shutil.which("javac")
        if javac is None:
            raise RuntimeError("`javac` (JDK 17+) is needed to build deploy/kafka/StackAdmin.java")
        target.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [javac, "-nowarn", "-cp", kafka_classpath(), "-d", str(target), str(source)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            raise RuntimeError(f"javac StackAdmin.java failed:\n{result.stdout}{result.stderr}")
        return target


def java_binary() -> str:
    """The JDK's `java`: JAVA_HOME's if set, else the one on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("a JDK (`java`, 17+) is needed to run Apache Kafka")
    return java


def _random_cluster_id() -> str:
    # Kafka's Uuid.toString: URL-safe base64 of 16 random bytes, unpadded. Like
    # Uuid.randomUuid, avoid a leading "-" which CLI parsers take for an option.
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _check_credential(kind: str, value: str) -> None:
    if not _SAFE_CREDENTIAL.match(value):
        raise ValueError(f"{kind} {value!r} must match {_SAFE_CREDENTIAL.pattern}")


class ApacheKafka:
    """One Apache Kafka node (broker + KRaft controller) on loopback, data under `data_dir`.

    Without `sasl_users` clients use PLAINTEXT. With them, the client listener is
    SASL_PLAINTEXT (SCRAM-SHA-256/512), ACLs are enforced, and `sasl_users` must contain
    `admin` (the super user the broker also uses for itself).
    """

    def __init__(
        self,
        data_dir: Path,
        port: int,
        controller_port: int,
        sasl_users: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self.port = port
        self.controller_port = controller_port
        self.sasl_users = dict(sasl_users) if sasl_users else None
        if self.sasl_users is not None:
            if ADMIN_USER not in self.sasl_users:
                raise ValueError(f"sasl_users must contain {ADMIN_USER!r} (the super user)")
            for name, password in self.sasl_users.items():
                _check_credential("user name", name)
                _check_credential("password", password)
        self.config_path = self.data_dir / "server.properties"
        self.log_dirs = self.data_dir / "data"
        self.logs_dir = self.data_dir / "logs"
        self.stdout_path = self.data_dir / "kafka.out"
        self.pid_file = self.data_dir / "kafka.pid"

    # -- client side --------------------------------------------------------------------------

    @property
    def bootstrap_servers(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    @property
    def sasl_enabled(self) -> bool:
        return self.sasl_users is not None

    def client_config(
        self, user: str | None = None, password: str | None = None, mechanism: str = "SCRAM-SHA-256"
    ) -> dict[str, Any]:
        """Keyword arguments for aiokafka clients (AIOKafkaProducer(**config), ...)."""
        config: dict[str, Any] = {"bootstrap_servers": self.bootstrap_servers}
        if not self.sasl_enabled:
            return config
        if user is None or password is None:
            raise ValueError("this broker requires SASL: pass user and password")
        config.update(
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism=mechanism,
            sasl_plain_username=user,
            sasl_plain_password=password,
        )
        return config

    def admin_config(self) -> dict[str, Any]:
        """aiokafka keyword arguments for the super user (plain config without SASL)."""
        if self.sasl_users is None:
            return self.client_config()
        return self.client_config(ADMIN_USER, self.sasl_users[ADMIN_USER])

    # -- lifecycle ----------------------------------------------------------------------------

    def pid(self) -> int | None:
        """PID of our running broker JVM, or None."""
        return owned_pid(self.pid_file, str(self.config_path))

    def is_running(self) -> bool:
        return self.pid() is not None

    def start(self, timeout: float = 60) -> None:
        """Format storage on first use, start the JVM and wait until it serves metadata."""
        if self.is_running():
            return
        for port in (self.port, self.controller_port):
            if not port_is_free(LOOPBACK, port):
                raise PortTaken(port)
        classpath = kafka_classpath()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.logs_dir.mkdir(exist_ok=True)
        self._write_server_properties()
        if not (self.log_dirs / "meta.properties").exists():
            self._format(classpath)
        argv = [
            java_binary(),
            *_JVM_HEAP,
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.logs_dir}",
            "-cp",
            classpath,
            "kafka.Kafka",
            str(self.config_path),
        ]
        pid = spawn_detached(argv, self.stdout_path, cwd=self.data_dir)
        write_pid(self.pid_file, pid)
        admin = self.admin_config()

        def ready() -> bool:
            if not pid_alive(pid):
                raise RuntimeError(f"Apache Kafka exited during startup\n{self._logs()}")
            return port_answers(LOOPBACK, self.port) and kafka_serves_metadata(
                self.bootstrap_servers, admin
            )

        try:
            wait_until(
                ready, timeout, f"Apache Kafka to serve metadata on {self.bootstrap_servers}"
            )
        except BaseException:
            stop_pid(pid)
            self.pid_file.unlink(missing_ok=True)
            raise

    def stop(self, timeout: float = 30) -> None:
        """Controlled shutdown by PID (SIGTERM), SIGKILL after `timeout`; data is kept."""
        pid = self.pid()
        if pid is not None:
            stop_pid(pid, timeout=timeout)
        self.pid_file.unlink(missing_ok=True)

    def restart(self, timeout: float = 60) -> None:
        """Stop and start again on the same storage (records and offsets survive)."""
        self.stop()
        self.start(timeout=timeout)

    # -- administration (Kafka's own CLI tools, so the reference semantics apply) -------------

    def add_scram_user(self, name: str, password: str) -> None:
        """Create or update `name`'s SCRAM-SHA-256/512 credential; returns once it works."""
        self._require_sasl()
        _check_credential("user name", name)
        _check_credential("password", password)
        self._admin(["scram", name, password])
        assert self.sasl_users is not None
        self.sasl_users[name] = password

    def add_prefixed_acls(
        self,
        user: str,
        *,
        write_topics: Sequence[str] = (),
        read_topics: Sequence[str] = (),
        read_groups: Sequence[str] = (),
    ) -> None:
        """Allow `user` to produce to / consume from topics and to use groups, by name prefix.

        E.g. publisher 15: write_topics=["diklat.ingest.15"],
        read_topics=["diklat.feedback.15"], read_groups=["diklat.publisher.15"].
        Returns once the broker enforces them.
        """
        self._require_sasl()
        _check_credential("user name", user)
        actions: list[str] = []
        grants = [
            ("TOPIC", "WRITE,DESCRIBE", write_topics),
            ("TOPIC", "READ,DESCRIBE", read_topics),
            ("GROUP", "READ,DESCRIBE", read_groups),
        ]
        for resource, operations, prefixes in grants:
            for prefix in prefixes:
                _check_credential("prefix", prefix)
                actions += ["acl", user, resource, prefix, operations]
        if actions:
            self._admin(actions)

    # -- internals ----------------------------------------------------------------------------

    def _require_sasl(self) -> None:
        if not self.sasl_enabled:
            raise RuntimeError("this broker was started without SASL; pass sasl_users")

    def _write_server_properties(self) -> None:
        name = "server-sasl.properties" if self.sasl_enabled else "server.properties"
        template = string.Template((DEPLOY_DIR / name).read_text())
        values = {
            "PORT": str(self.port),
            "CONTROLLER_PORT": str(self.controller_port),
            "LOG_DIRS": str(self.log_dirs),
        }
        if self.sasl_users is not None:
            values["ADMIN_PASSWORD"] = self.sasl_users[ADMIN_USER]
        self.config_path.write_text(template.substitute(values))
        # It holds the admin password.
        self.config_path.chmod(0o600)

    def _format(self, classpath: str) -> None:
        args = [
            "format",
            "--cluster-id",
            _random_cluster_id(),
            "--config",
            str(self.config_path),
            # Single-node dynamic quorum (Kafka 4.x): this node is the only voter.
            "--standalone",
        ]
        for name, password in (self.sasl_users or {}).items():
            for mechanism in SCRAM_MECHANISMS:
                args += ["--add-scram", f"{mechanism}=[name={name},password={password}]"]
        self._java_main(classpath, "kafka.tools.StorageTool", args)

    def _admin(self, actions: list[str]) -> None:
        """Run deploy/kafka/StackAdmin.java (Kafka's Admin client) as the super user."""
        assert self.sasl_users is not None
        command_config = self.data_dir / "admin-client.properties"
        command_config.write_text(
            "security.protocol=SASL_PLAINTEXT\n"
            "sasl.mechanism=SCRAM-SHA-256\n"
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{ADMIN_USER}" password="{self.sasl_users[ADMIN_USER]}";\n'
        )
        command_config.chmod(0o600)
        classpath = f"{_stack_admin_classes()}{os.pathsep}{kafka_classpath()}"
        args = [self.bootstrap_servers, str(command_config), *actions]
        self._java_main(classpath, "StackAdmin", args)

    def _java_main(self, classpath: str, main_class: str, args: list[str]) -> None:
        result = subprocess.run(
            [
                java_binary(),
                *_TOOL_JVM,
                "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'log4j2-tools.properties'}",
                "-cp",
                classpath,
                main_class,
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if result.returncode != 0:
            output = f"{main_class} {' '.join(args)} failed ({result.returncode}):\n"
            output += f"{result.stdout}\n{result.stderr}"
            raise RuntimeError(re.sub(r"password=[^,\]\s']*", "password=***", output))

    def _logs(self) -> str:
        return (
            f"--- {self.stdout_path} ---\n{log_tail(self.stdout_path)}\n"
            f"--- {self.logs_dir / 'server.log'} ---\n{log_tail(self.logs_dir / 'server.log')}"
        )
