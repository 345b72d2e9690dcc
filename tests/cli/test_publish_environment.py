"""`diklat publish` outside the files' control: the broker down, the publisher not onboarded,
a publisher id that is none. Each is one line with the fix and a documented exit code, never a
traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from diklat.publish import publish_files
from shared.publishing.send import EXIT_BROKER, EXIT_NOT_ONBOARDED, EXIT_PROBLEMS
from shared.settings import InfraSettings

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").glob("*.csv"))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _publish(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "diklat", "publish", *args],
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.unit
def test_publish_with_the_broker_down_is_one_line_and_exit_4() -> None:
    servers = f"127.0.0.1:{_closed_port()}"
    files = [str(p) for p in TEMPLATES]
    done = _publish("--publisher", "35.23", *files, env={"KAFKA_BOOTSTRAP_SERVERS": servers})
    assert done.returncode == EXIT_BROKER == 4
    assert "Traceback" not in done.stdout + done.stderr
    assert "Unclosed" not in done.stdout + done.stderr and done.stderr == ""
    assert done.stdout.splitlines()[-1] == (
        f"broker Kafka di {servers} tidak terjangkau: jalankan `diklat stack up` (lokal), atau "
        "setel KAFKA_BOOTSTRAP_SERVERS ke alamat broker Anda (the Kafka broker at "
        f"{servers} cannot be reached: run `diklat stack up` (local), or set "
        "KAFKA_BOOTSTRAP_SERVERS to your broker's address)"
    )


@pytest.mark.unit
def test_a_publisher_id_that_is_none_is_one_line_and_exit_1() -> None:
    done = _publish("--publisher", "Tuban", *(str(p) for p in TEMPLATES), env={})
    assert done.returncode == EXIT_PROBLEMS == 1
    assert done.stdout.splitlines() == [
        "'Tuban' bukan kode penerbit: isi nasional, kode provinsi (mis. 15) atau kabupaten/kota "
        "(mis. 35.23) ('Tuban' is not a publisher id: nasional, a province (e.g. 15) or a "
        "kabupaten/kota code (e.g. 35.23))"
    ]


@pytest.mark.integration
async def test_a_publisher_not_onboarded_is_one_line_and_exit_5(infra: InfraSettings) -> None:
    lines: list[str] = []
    code, report = await publish_files(TEMPLATES, "35.23", infra, lines.append, progress=False)
    assert (code, report) == (EXIT_NOT_ONBOARDED, None)
    assert lines[-1] == (
        "penerbit 35.23 belum didaftarkan (topik diklat.ingest.35.23, diklat.feedback.35.23 tidak "
        'ada): jalankan `diklat publishers add 35.23 --name "..."` (publisher 35.23 is not '
        "onboarded (no topic diklat.ingest.35.23, diklat.feedback.35.23): run `diklat "
        'publishers add 35.23 --name "..."`)'
    )
