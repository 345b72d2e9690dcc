"""Ordering (issue 8, part 2): however the publishers' streams interleave across topics, and
whatever events of a cohort are re-sent, the four services reach the same certificates and
the same national JP ledger.

Hypothesis chooses, per example, which events are re-sent (same id, right after or later in
the same cohort stream) and how the cohort streams of three publishers are merged. Each
cohort's own order is kept: Kafka guarantees it per key (the cohort code) and nothing more.
The expected result is computed by hand from the scenario below, not by the services' code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import asyncpg
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders.ingest import cohort_data, daily_sessions, ingest_event, participant_data
from builders.nips import nips
from diklat.stack.postgres import EmbeddedPostgres
from services.attendance.entrypoints.app import DEFINITION as ATTENDANCE
from services.certification.entrypoints.app import DEFINITION as CERTIFICATION
from services.consolidation.entrypoints.app import DEFINITION as CONSOLIDATION
from services.enrolment.entrypoints.app import DEFINITION as ENROLMENT
from shared.settings import InfraSettings
from tests.support import Publisher, eventually, prepare_topics, running

pytestmark = pytest.mark.e2e
TOKEN = "nat"
TOKENS = f"{TOKEN}=national"
PEOPLE = list(nips(12, women=5))
OWNER_TYPES = {
    "enrolment": ("diklat.cohort.", "diklat.participant."),
    "attendance": ("diklat.attendance.",),
    "certification": ("diklat.evaluation.",),
}


@dataclass
class Cohort:
    """One cohort of the scenario: marks[nip] lists (session, status) in sending order, so a
    later mark for the same session is a correction."""

    publisher: str
    code: str
    start: dt.date
    days: int
    jp: int
    region: dict[str, str]
    marks: dict[str, list[tuple[int, str]]]
    scores: dict[str, list[str]] = field(default_factory=dict)

    @property
    def evaluated(self) -> bool:
        return bool(self.scores)

    @property
    def year(self) -> int:
        return self.start.year  # every cohort here ends in the year it starts

    def completed(self, nip: str) -> bool:
        final = dict(self.marks[nip])  # the last mark per session wins
        present = sum(self.jp for s in final.values() if s in ("HADIR", "TERLAMBAT"))
        if Fraction(present, self.jp * self.days) * 100 < 90:
            return False
        return not self.evaluated or Fraction(self.scores[nip][-1]) >= Fraction("60.01")

    def events(self) -> list[dict[str, Any]]:
        """The cohort's stream in the order its publisher sends it, with rising `time`."""
        sessions = daily_sessions(self.start, self.days, self.jp)
        completion = {"min_attendance_pct": "90", "evaluation_required": self.evaluated}
        stream = [
            (
                "cohort.scheduled",
                cohort_data(self.code, self.publisher, sessions=sessions, completion=completion),
            ),
            *(
                ("participant.registered", participant_data(self.code, nip, region=region))
                for nip, region in self.region.items()
            ),
            *(
                (
                    "attendance.recorded",
                    {"cohort_code": self.code, "nip": nip, "session_no": no, "status": status},
                )
                for nip, marks in self.marks.items()
                for no, status in marks
            ),
            *(
                ("evaluation.recorded", {"cohort_code": self.code, "nip": nip, "score": score})
                for nip, scores in self.scores.items()
                for score in scores
            ),
            ("cohort.closed", {"cohort_code": self.code}),
        ]
        begin = dt.datetime.combine(self.start, dt.time(8), dt.timezone(dt.timedelta(hours=7)))
        return [
            ingest_event(kind, data, self.publisher, time_=begin + dt.timedelta(minutes=i))
            for i, (kind, data) in enumerate(stream)
        ]


def _all(days: int, status: str = "HADIR") -> list[tuple[int, str]]:
    return [(no, status) for no in range(1, days + 1)]


P = PEOPLE
SCENARIO = [
    Cohort(
        "15",
        "15/TEKNIS/2024/I",
        dt.date(2024, 3, 4),
        days=4,
        jp=5,
        region={P[0]: "15", P[1]: "15.71", P[2]: "15", P[3]: "15.05"},
        marks={
            P[0]: _all(4),
            P[1]: [(1, "HADIR"), (2, "HADIR"), (3, "HADIR"), (4, "ALPA")],  # 75 %
            P[2]: [(1, "HADIR"), (2, "TERLAMBAT"), (3, "HADIR"), (4, "HADIR")],
            # ALPA on day 2 corrected to HADIR: 100 %.
            P[3]: [(1, "HADIR"), (2, "ALPA"), (3, "HADIR"), (2, "HADIR"), (4, "HADIR")],
        },
    ),
    Cohort(
        "15",
        "15/PKA/2024/II",
        dt.date(2024, 5, 6),
        days=2,
        jp=8,
        region={P[4]: "15", P[5]: "15", P[6]: "15.71"},
        marks={P[4]: _all(2), P[5]: _all(2), P[6]: _all(2)},
        # 60 < 60.01 fails; P[6]'s 55 is corrected to 75.
        scores={P[4]: ["91"], P[5]: ["60"], P[6]: ["55", "75"]},
    ),
    Cohort(
        "16",
        "16/LATSAR/2024/I",
        dt.date(2024, 7, 1),
        days=5,
        jp=4,
        region={P[7]: "16", P[8]: "16.71", P[9]: "16", P[10]: "16"},
        marks={
            P[7]: _all(5),
            P[8]: [(1, "HADIR"), (2, "SAKIT"), (3, "HADIR"), (4, "HADIR"), (5, "HADIR")],  # 80 %
            P[9]: _all(5, "TERLAMBAT"),
            P[10]: [(1, "IZIN"), (2, "ALPA"), (3, "HADIR"), (4, "HADIR"), (5, "HADIR")],  # 60 %
        },
    ),
    Cohort(
        "nasional",
        "nasional/SEKDA/2025/IV",
        dt.date(2025, 1, 13),
        days=3,
        jp=4,
        region={P[0]: "15", P[7]: "16", P[11]: "35.23", P[1]: "15.71"},
        marks={
            P[0]: _all(3),
            P[7]: _all(3),
            P[11]: [(1, "HADIR"), (2, "HADIR"), (3, "ALPA")],  # 66.7 %
            P[1]: _all(3),
        },
    ),
]
PUBLISHERS = sorted({c.publisher for c in SCENARIO})
STREAMS = {c.code: c.events() for c in SCENARIO}


def expected_certificates() -> set[tuple[str, str]]:
    return {(c.code, nip) for c in SCENARIO for nip in c.region if c.completed(nip)}


def expected_ledger() -> dict[str, list[tuple[int, float]]]:
    """JP per year per ASN: each completed cohort's total JP; an enrolled year shows 0."""
    ledger: dict[str, Counter[int]] = {}
    for c in SCENARIO:
        for nip in c.region:
            ledger.setdefault(nip, Counter())[c.year] += c.jp * c.days if c.completed(nip) else 0
    return {nip: sorted((y, float(jp)) for y, jp in years.items()) for nip, years in ledger.items()}


@st.composite
def deliveries(draw: st.DrawFn) -> list[tuple[str, dict[str, Any]]]:
    """Every cohort stream with some events re-sent, merged across publishers in a drawn
    order that keeps each cohort's own order."""
    streams: dict[str, list[dict[str, Any]]] = {}
    for code, events in STREAMS.items():
        stream = list(events)
        for _ in range(draw(st.integers(0, 3))):
            original = draw(st.integers(0, len(stream) - 1))
            # Right after the original or anywhere later, even after the close.
            stream.insert(draw(st.integers(original + 1, len(stream))), stream[original])
        streams[code] = stream
    order = draw(st.permutations([code for code, s in streams.items() for _ in s]))
    positions = dict.fromkeys(streams, 0)
    merged = []
    for code in order:
        event = streams[code][positions[code]]
        positions[code] += 1
        merged.append((event["source"].removeprefix("/publishers/"), event))
    return merged


@contextlib.asynccontextmanager
async def fresh_infra(
    postgres: EmbeddedPostgres, kafka_bootstrap: str
) -> AsyncIterator[InfraSettings]:
    """A database and a topic namespace of its own for one hypothesis example."""
    name = f"o_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres.url())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield InfraSettings(
            database_url=postgres.url(name),
            kafka_bootstrap_servers=kafka_bootstrap,
            kafka_topic_namespace=f"o{uuid.uuid4().hex[:8]}.",
        )
    finally:
        admin = await asyncpg.connect(postgres.url())
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def _observed(url: str, http: httpx.AsyncClient) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        certs = await conn.fetch("SELECT cohort_code, nip, status FROM certification.certificates")
        decisions = await conn.fetch(
            "SELECT cohort_code, nip, completed FROM certification.decisions"
        )
        outcomes: Counter[tuple[str, str]] = Counter()
        for service, prefixes in OWNER_TYPES.items():
            rows = await conn.fetch(f"SELECT event_type, outcome FROM {service}.processed_events")
            outcomes.update(
                (service, r["outcome"]) for r in rows if r["event_type"].startswith(prefixes)
            )
    finally:
        await conn.close()
    ledger = {}
    for nip in PEOPLE:
        response = await http.get(f"/api/v1/asn/{nip}")
        if response.status_code == 200:
            ledger[nip] = [(y["year"], y["jp"]) for y in response.json()["jp_per_year"]]
    return {
        "valid_certificates": {
            (r["cohort_code"], r["nip"]) for r in certs if r["status"] == "valid"
        },
        "certificate_rows": len(certs),
        "completed": {(r["cohort_code"], r["nip"]): r["completed"] for r in decisions},
        "outcomes": outcomes,
        "ledger": ledger,
    }


def _expected() -> dict[str, Any]:
    certificates = expected_certificates()
    distinct: Counter[tuple[str, str]] = Counter()
    for events in STREAMS.values():
        for event in events:
            owner = next(s for s, p in OWNER_TYPES.items() if event["type"].startswith(p))
            distinct[(owner, "applied")] += 1  # every event is valid: each applied once
    return {
        "valid_certificates": certificates,
        "certificate_rows": len(certificates),
        "completed": {(c.code, nip): c.completed(nip) for c in SCENARIO for nip in c.region},
        "outcomes": distinct,
        "ledger": expected_ledger(),
    }


def test_the_scenario_has_passes_and_failures_for_every_reason():
    completed = [c.completed(nip) for c in SCENARIO for nip in c.region]
    assert 0 < sum(completed) < len(completed)
    assert expected_ledger()[P[0]] == [(2024, 20.0), (2025, 12.0)]
    assert expected_ledger()[P[5]] == [(2024, 0.0)]


@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=deliveries())
async def test_any_interleaving_and_resending_reaches_the_same_certificates_and_jp(
    postgres, kafka_bootstrap, plan
):
    expected = _expected()
    async with contextlib.AsyncExitStack() as stack:
        infra = await stack.enter_async_context(fresh_infra(postgres, kafka_bootstrap))
        await prepare_topics(infra, PUBLISHERS)
        runtimes = [
            await stack.enter_async_context(running(d, infra, api_tokens=TOKENS))
            for d in (ENROLMENT, ATTENDANCE, CERTIFICATION, CONSOLIDATION)
        ]
        http = await stack.enter_async_context(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=runtimes[3].http_app()),
                base_url="http://t",
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
        )
        publisher = await stack.enter_async_context(Publisher(infra))
        for source, event in plan:
            await publisher.send(source, event)

        async def settled() -> bool:
            return await _observed(infra.database_url, http) == expected

        with contextlib.suppress(AssertionError):
            await eventually(settled, 60, "the expected final state", interval=0.25)
        # Compared once more outside the poll, so a failure shows the difference.
        assert await _observed(infra.database_url, http) == expected
