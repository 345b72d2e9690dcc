"""Personal data (UU 27/2022 PDP): the four services run as processes with their logs in
files; after a scenario with completions, certificates and rejections that carry NIPs, no
log holds a NIP (any 18-digit run) or a participant's name in clear."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from builders.ingest import cohort_data, daily_sessions, ingest_event, participant_data
from builders.nips import nips
from diklat.services import SERVICES
from diklat.stack.processes import free_port
from shared.settings import InfraSettings
from tests.support import Feedback, Publisher, eventually, prepare_topics

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
JAMBI = "15"
CODE = "15/TEKNIS/2024/III"
NAMES = ["Hj. Tarbiyah, S.Pd", "Dr. Ir. Budi Wiyana, M.Si", "Siti Rahmawati Kusumadewi"]
NIP_RUN = re.compile(r"(?<!\d)\d{18}(?!\d)")


def _env(infra: InfraSettings, log_dir: Path, name: str) -> dict[str, str]:
    prefix = f"DIKLAT_{name.upper()}_"
    return {
        **os.environ,
        "DATABASE_URL": infra.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "KAFKA_TOPIC_NAMESPACE": infra.kafka_topic_namespace,
        prefix + "HTTP_PORT": str(free_port()),
        prefix + "SESSION_TIMEOUT_MS": "6000",
        prefix + "HEARTBEAT_INTERVAL_MS": "500",
        prefix + "BATCH_TIMEOUT_MS": "20",
        prefix + "METADATA_MAX_AGE_MS": "1000",
        prefix + "PARK_TIMEOUT_S": "3",
        prefix + "PARK_SWEEP_INTERVAL_S": "0.5",
        prefix + "API_TOKENS": "nat=national",
    }


@pytest.fixture
def services(infra: InfraSettings, tmp_path: Path) -> Iterator[dict[str, Path]]:
    logs = {name: tmp_path / f"{name}.log" for name in SERVICES}
    started: list[subprocess.Popen[bytes]] = []
    try:
        for name, log in logs.items():
            with open(log, "wb") as out:
                started.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "diklat.cli", "run", name],
                        cwd=ROOT,
                        env=_env(infra, tmp_path, name),
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        yield logs
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def test_service_logs_hold_no_nip_and_no_participant_name(infra, services):
    await prepare_topics(infra, [JAMBI, "16"])
    people = list(nips(len(NAMES) + 1, women=2))
    stranger = people.pop()
    sessions = daily_sessions(days=2)
    events = [ingest_event("cohort.scheduled", cohort_data(CODE, JAMBI, sessions=sessions), JAMBI)]
    for nip, name in zip(people, NAMES, strict=True):
        data = participant_data(CODE, nip, name=name, region=JAMBI)
        events.append(ingest_event("participant.registered", data, JAMBI))
    wrong_gender = participant_data(CODE, people[0][:14] + "9" + people[0][15:], region=JAMBI)
    events.append(ingest_event("participant.registered", wrong_gender, JAMBI))  # INVALID_NIP
    for nip in [*people, stranger]:  # the stranger's marks are NOT_ENROLLED
        for session in sessions:
            mark = {"cohort_code": CODE, "nip": nip, "session_no": session["no"], "status": "HADIR"}
            events.append(ingest_event("attendance.recorded", mark, JAMBI))
    events.append(ingest_event("cohort.closed", {"cohort_code": CODE}, JAMBI))
    async with Publisher(infra) as pub, Feedback(infra, JAMBI) as feedback:
        await pub.send(JAMBI, *events)
        await feedback.wait_for_outcomes([e["id"] for e in events], timeout=120)
        await feedback.wait_for(
            lambda _: len(feedback.notices("certificate_issued")) >= len(NAMES),
            timeout=60,
            what="the cohort's results",
        )
        rejected = {o["reason"] for o in feedback.outcomes().values() if o["reason"]}
        assert {"INVALID_NIP", "NOT_ENROLLED"} <= rejected

    async def every_service_logged_a_batch() -> bool:
        # Consolidation learns last (domain events): wait until each log shows its work.
        return all("batch handled" in log.read_text(errors="replace") for log in services.values())

    await eventually(every_service_logged_a_batch, 60, "a handled batch in every service log")
    for name, log in services.items():
        text = log.read_text(errors="replace")
        assert not NIP_RUN.findall(text), f"{name}'s log holds an 18-digit run"
        for person in NAMES:
            for part in person.replace(",", " ").split():
                if len(part) > 4:  # titles (Hj., Dr., S.Pd) are not names
                    assert part not in text, f"{name}'s log holds a participant's name"
