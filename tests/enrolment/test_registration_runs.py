"""A batch's registrations are validated in one call and written in one statement (real
Postgres, the service's own routes and repository): a bad registration among good ones is
rejected with its own reason while the others are applied, a replay of the batch changes
nothing, and the announcement built from the validated data is the contract's model byte
for byte."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import orjson
import pytest

from builders.ingest import TUBAN, TUBAN_COHORT, cohort_data, participant_data
from builders.nips import nips
from services.enrolment.entrypoints.app import DEFINITION
from services.enrolment.registrations import Announcements
from shared import db
from shared.consumer import BatchProcessor
from shared.envelope import MAX_RECORD_BYTES, CloudEvent, to_structured
from shared.events import domain as events
from shared.events.ingest import ParticipantRegistered
from shared.events.per_cohort import MAX_PER_PART
from shared.outbox import MAX_MESSAGE_BYTES
from tests.handler_fakes import logged

pytestmark = pytest.mark.integration
SENT = dt.datetime(2017, 9, 1, tzinfo=dt.UTC)
A, B, C, D = nips(4)
_offsets = itertools.count()


def _ingest(kind: str, data: dict[str, Any], event_id: str) -> CloudEvent:
    return logged(kind, data, TUBAN, event_id=event_id, offset=next(_offsets), time=SENT)


def _registration(event_id: str, nip: str, subject: str | None = None, **data: Any) -> CloudEvent:
    event = _ingest("participant.registered", participant_data(TUBAN_COHORT, nip, **data), event_id)
    event.subject = subject or event.subject
    return event


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute("CREATE SCHEMA enrolment")
        migrations = db.service_migrations("enrolment", DEFINITION.migrations_package)
        await db.migrate(admin, "enrolment", migrations)
    finally:
        await admin.close()
    pool = await db.create_pool(database_url, "enrolment", max_size=2)
    try:
        yield pool
    finally:
        await pool.close()


def _processor(pool: asyncpg.Pool) -> BatchProcessor:
    return BatchProcessor(
        "enrolment",
        pool,
        DEFINITION.ingest_routes,
        reports_envelope_errors=True,
        cohorts_commute=DEFINITION.cohorts_commute,
        repository=DEFINITION.repository,
    )


async def _state(pool: asyncpg.Pool) -> tuple[Any, ...]:
    async with pool.acquire() as conn:
        outcomes = await conn.fetch(
            'SELECT event_id, outcome, reason FROM processed_events ORDER BY "offset"'
        )
        enrolled = await conn.fetch("SELECT nip, status FROM enrolments ORDER BY nip")
        seats = await conn.fetchval("SELECT enrolled FROM cohorts")
        announced = await conn.fetch("SELECT event_id, payload FROM outbox ORDER BY id")
    return [tuple(r) for r in outcomes], [tuple(r) for r in enrolled], seats, announced


async def test_a_bad_registration_is_rejected_alone_and_a_replay_changes_nothing(pool):
    batch = [
        _ingest("cohort.scheduled", cohort_data(quota=3), "schedule"),
        _registration("good-a", A),
        _registration("short-nip", B[:-1]),  # the contract's schema refuses it
        _registration("good-b", B),
        _registration("wrong-subject", C, subject="35.23/OTHER/2017/I"),
        _registration("other-region", C, region="15"),  # not the organiser's area
        _registration("good-c", C),
        _registration("over-quota", D),
    ]
    processor = _processor(pool)
    counts = await processor.process_items(list(batch))
    first = await _state(pool)
    outcomes, enrolled, seats, announced = first
    assert outcomes == [
        ("schedule", "applied", None),
        ("good-a", "applied", None),
        ("short-nip", "rejected", "SCHEMA_INVALID"),
        ("good-b", "applied", None),
        ("wrong-subject", "rejected", "SCHEMA_INVALID"),
        ("other-region", "rejected", "REGION_NOT_ALLOWED"),
        ("good-c", "applied", None),
        ("over-quota", "rejected", "QUOTA_FULL"),
    ]
    assert counts == {"applied": 4, "rejected": 4}
    assert enrolled == sorted((nip, "ENROLLED") for nip in (A, B, C))
    assert seats == 3
    enrolments = [orjson.loads(r["payload"]) for r in announced]
    (run,) = [e["data"] for e in enrolments if e["type"] == events.ENROLMENT_PARTICIPANTS_ENROLLED]
    assert [p["nip"] for p in run["participants"]] == [A, B, C]
    replayed = await _processor(pool).process_items(list(batch))
    assert replayed == {"replayed": len(batch)}
    assert await _state(pool) == first


async def test_a_registration_refused_by_the_schema_says_which_field(pool):
    batch = [
        _ingest("cohort.scheduled", cohort_data(), "schedule"),
        _registration("no-name", A, name=""),
        _registration("good", B),
    ]
    await _processor(pool).process_items(list(batch))
    async with pool.acquire() as conn:
        payloads = await conn.fetch(
            "SELECT payload FROM outbox WHERE topic LIKE 'diklat.feedback%'"
        )
    outcomes = {
        o["event_id"]: o
        for row in payloads
        for o in orjson.loads(row["payload"])["data"]["outcomes"]
    }
    assert outcomes["no-name"]["reason"] == "SCHEMA_INVALID"
    assert "data.name" in outcomes["no-name"]["message_en"]
    assert outcomes["good"]["outcome"] == "applied"


def _announced(at: dt.datetime, *registrations: CloudEvent) -> list[Any]:
    announcements = Announcements("enrolment", at)
    for registration in registrations:
        data = ParticipantRegistered.model_validate(registration.data)
        announcements.add(registration, data, TUBAN)
    return announcements.rows()


@pytest.mark.parametrize("rank", ["III/c", None])
def test_the_announcement_is_the_contract_models_event(rank: str | None) -> None:
    registrations = [_registration("r", A, rank=rank), _registration("s", B)]
    at = dt.datetime(2026, 3, 2, 1, 30, 15, 123456, tzinfo=dt.UTC)
    (row,) = _announced(at, *registrations)
    datas = [ParticipantRegistered.model_validate(r.data) for r in registrations]
    model = events.ParticipantsEnrolled(
        cohort_code=TUBAN_COHORT,
        publisher=TUBAN,
        participants=[
            events.Participant.model_validate(d.model_dump(exclude={"cohort_code"})) for d in datas
        ],
        enrolled_at=at,
    )
    expected = CloudEvent(
        id=row.event_id,
        source="/services/enrolment",
        type=events.type_of(model),
        time=at,
        data=model.model_dump(mode="json"),
        subject=TUBAN_COHORT,
    )
    assert (row.topic, row.key) == ("diklat.domain.enrolment", TUBAN_COHORT)
    assert row.payload == to_structured(expected)
    assert _announced(at, *registrations) == [row]  # replay-stable


def test_a_part_too_large_for_a_reader_is_halved_until_each_fits() -> None:
    hostile = "\x01" * 200  # written as JSON escapes of 6 bytes each
    many = list(nips(MAX_PER_PART))
    texts = {"name": hostile, "position": hostile, "agency": hostile, "rank": hostile}
    registrations = [_registration(f"r{i}", nip, **texts) for i, nip in enumerate(many)]
    rows = _announced(SENT, *registrations)
    assert len(rows) > 1
    assert all(len(row.payload) <= MAX_MESSAGE_BYTES < MAX_RECORD_BYTES for row in rows)
    parts = [orjson.loads(row.payload)["data"]["participants"] for row in rows]
    assert [p["nip"] for part in parts for p in part] == many
    assert len({row.event_id for row in rows}) == len(rows)


def test_a_runs_cohorts_are_announced_apart_with_ids_of_their_own_registrations() -> None:
    other = "35.23/TEKNIS-2/2017/I"
    a1, b1, a2 = _registration("a1", A), _registration("b1", B), _registration("a2", C)
    b1.data["cohort_code"] = b1.subject = other
    rows = _announced(SENT, a1, b1, a2)
    announced = {row.key: orjson.loads(row.payload)["data"]["participants"] for row in rows}
    assert {k: [p["nip"] for p in v] for k, v in announced.items()} == {
        TUBAN_COHORT: [A, C],
        other: [B],
    }
    # A later run of the same cohort and size is another event: its id is its registrations'.
    (later,) = _announced(SENT, _registration("a3", D))
    (first,) = _announced(SENT, _registration("a4", D))
    assert later.event_id != first.event_id


def test_a_run_of_more_than_a_part_is_announced_in_parts_in_order() -> None:
    many = list(nips(MAX_PER_PART + 3))
    registrations = [_registration(f"r{i}", nip) for i, nip in enumerate(many)]
    rows = _announced(SENT, *registrations)
    parts = [orjson.loads(row.payload)["data"]["participants"] for row in rows]
    assert [len(p) for p in parts] == [MAX_PER_PART, 3]
    assert [p["nip"] for part in parts for p in part] == many
    assert len({row.event_id for row in rows}) == 2
    assert {row.key for row in rows} == {TUBAN_COHORT}
