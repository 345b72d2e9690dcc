"""Hostile and broken input through the real broker into the running enrolment service (the
ingest gate): each record gets its specific reason code on the feedback topic, the service
stays up, and a valid event sent right after each one (same key, so same partition, behind
it) is applied. Names with quotes, SQL and Indonesian titles are stored and shown verbatim.

The broker is the first guard: a 5 MB record never reaches a service (the broker's default
`message.max.bytes` is ~1 MB); the envelope's own limit (shared.envelope.MAX_RECORD_BYTES,
512 KiB) catches what the broker lets through.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import httpx
import pytest
from aiokafka.errors import MessageSizeTooLargeError

from builders.ingest import cohort_data, daily_sessions, ingest_event, participant_data
from builders.nips import nips
from services.enrolment.entrypoints.app import DEFINITION
from shared.envelope import MAX_RECORD_BYTES, STRUCTURED_HEADERS
from shared.topics import ingest_topic, physical
from tests.support import (
    Feedback,
    Publisher,
    eventually,
    prepare_topics,
    running,
    wait_until_assigned,
)

pytestmark = pytest.mark.integration
JAMBI = "15"
CODE = "15/LATSAR/2024/I"
TOPIC = ingest_topic(JAMBI)
PEOPLE = iter(nips(150, women=75))
VERBATIM_NAMES = [
    "Hj. Tarbiyah, S.Pd",
    "Dr. Ir. Budi Wiyana, M.Si",
    "Ni Luh Putu Ayu Saraswati, S.E., M.Ak.",
    "R.A. Siti Nur'aini",
    "Robert'); DROP TABLE enrolments;--",
    'Agus "Gus" Salim \' OR 1=1 --',
    "Ṡúṗàrṁàn ✓ 王 \\x00",
]


def _event(event_type: str, data: dict[str, Any], **attrs: Any) -> dict[str, Any]:
    event = ingest_event(event_type, data, JAMBI)
    event.update(attrs)
    return event


def _registration(name: str = "Peserta Uji") -> dict[str, Any]:
    return _event(
        "participant.registered", participant_data(CODE, next(PEOPLE), name=name, region=JAMBI)
    )


def _valid_cohort(**changes: Any) -> dict[str, Any]:
    return cohort_data(CODE, JAMBI, **{"quota": 150, **changes})


Case = tuple[str, bytes | None, list[tuple[str, bytes]], str | None, str]


def _case(what: str, event: dict[str, Any], code: str, headers: Any = None) -> Case:
    # The gate names a record by its id only where the inbox can key it; else by position.
    usable = isinstance(event.get("id"), str) and "\0" not in event["id"]
    event_id = event["id"] if usable and len(event["id"]) <= 200 else None
    body = json.dumps(event, ensure_ascii=False).encode()
    return (what, body, list(STRUCTURED_HEADERS) if headers is None else headers, event_id, code)


def _hostile_cases() -> list[Case]:
    """(what, value, headers, event id if it has one, expected reason code)."""
    structured = list(STRUCTURED_HEADERS)
    cases: list[Case] = []

    def add(what: str, event: dict[str, Any], code: str, headers: Any = None) -> None:
        cases.append(_case(what, event, code, headers))

    cases.append(("invalid JSON", b'{"specversion": "1.0", "id": ', structured, None, "MALFORMED"))
    cases.append(("not UTF-8", b"\xff\xfe\x00garbage", structured, None, "MALFORMED"))
    cases.append(("tombstone", None, structured, None, "MALFORMED"))
    cases.append(("JSON array", b"[1, 2, 3]", structured, None, "MALFORMED"))
    big = _registration("x")
    big["data"]["padding"] = "x" * (900 * 1024)  # accepted by the broker, not by the envelope
    add("900 KB record", big, "MALFORMED")
    add("wrong content type", _registration(), "MALFORMED", [("content-type", b"text/plain")])
    add("header not UTF-8", _registration(), "MALFORMED", [("content-type", b"\xff\xfe")])
    missing = _registration()
    del missing["data"]["nip"]
    add("missing field", missing, "SCHEMA_INVALID")
    mistyped = _event("cohort.scheduled", {**_valid_cohort(), "quota": "banyak"})
    add("mistyped field", mistyped, "SCHEMA_INVALID")
    no_id = _registration()
    del no_id["id"]
    add("missing envelope id", no_id, "SCHEMA_INVALID")
    add("unknown type", _event("diklat.cohort.exploded.v1", {"cohort_code": CODE}), "UNKNOWN_TYPE")
    add("unknown spec version", _registration() | {"specversion": "0.3"}, "SCHEMA_INVALID")
    add(
        "source of another publisher",
        _registration() | {"source": "/publishers/16"},
        "SOURCE_MISMATCH",
    )
    add("10,000-character name", _registration("A" * 10_000), "SCHEMA_INVALID")
    long_code = _event("cohort.scheduled", _valid_cohort(location="Jambi " * 2000))
    add("10,000-character location", long_code, "SCHEMA_INVALID")
    add("time without offset", _registration() | {"time": "2024-05-06T08:00:00"}, "SCHEMA_INVALID")
    add(
        "timezone outside WIB/WITA/WIT",
        _event("cohort.scheduled", _valid_cohort(timezone="Asia/Singapore")),
        "SCHEMA_INVALID",
    )
    add(
        "cohort with 0 sessions",
        _event("cohort.scheduled", _valid_cohort(sessions=[], year=2024)),
        "SCHEMA_INVALID",
    )
    negative = daily_sessions(days=2)
    negative[1]["jp"] = "-6"
    add(
        "negative JP",
        _event("cohort.scheduled", _valid_cohort(sessions=negative)),
        "SCHEMA_INVALID",
    )
    return cases + _unstorable_cases()


def _unstorable_cases() -> list[Case]:
    """Text Postgres cannot store (NUL) anywhere, and values Python or Postgres cannot hold:
    each a specific rejection, where a NUL failed the cohort lock or the inbox insert outside
    any savepoint and the partition was redelivered forever."""
    cases: list[Case] = []

    def add(what: str, event: dict[str, Any], code: str, headers: Any = None) -> None:
        cases.append(_case(what, event, code, headers))

    for attribute in ("id", "subject", "type", "source"):
        nul = _registration()
        nul[attribute] = nul[attribute][:4] + "\u0000" + nul[attribute][4:]
        add(f"NUL in {attribute}", nul, "SCHEMA_INVALID")
    nul_agency = _registration()
    nul_agency["data"]["agency"] = "Dinas\u0000Pendidikan"
    add("NUL in data.agency", nul_agency, "SCHEMA_INVALID")
    nul_code = _registration()
    nul_code["data"]["cohort_code"] = nul_code["subject"] = CODE + "\u0000"
    add("NUL in the cohort code", nul_code, "SCHEMA_INVALID")
    nul_key = _registration()
    nul_key["data"]["catatan\u0000"] = "x"
    add("NUL in a field name", nul_key, "SCHEMA_INVALID")
    binary = _registration()
    binary_headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", binary["id"].encode() + b"\x00"),
        ("ce_source", binary["source"].encode()),
        ("ce_type", binary["type"].encode()),
        ("ce_time", binary["time"].encode()),
        ("ce_subject", binary["subject"].encode()),
        ("content-type", b"application/json"),
    ]
    cases.append(
        (
            "binary mode, NUL in ce_id",
            json.dumps(binary["data"]).encode(),
            binary_headers,
            None,
            "SCHEMA_INVALID",
        )
    )
    year_zero = daily_sessions(days=2)
    year_zero[0].update(date="0001-01-01", start="00:00", end="01:00")
    add(
        "session on 0001-01-01 00:00 WIB (UTC year 0)",
        _event("cohort.scheduled", _valid_cohort(sessions=year_zero)),
        "SCHEMA_INVALID",
    )
    far = daily_sessions(days=2)
    far[1]["date"] = "9999-12-31"
    add(
        "session in 9999", _event("cohort.scheduled", _valid_cohort(sessions=far)), "SCHEMA_INVALID"
    )
    add(
        "time in year 1 at +07:00",
        _registration() | {"time": "0001-01-01T00:00:00+07:00"},
        "SCHEMA_INVALID",
    )
    offset_clock = daily_sessions(days=2)
    offset_clock[0]["start"] = "08:00:00+07:00"
    add(
        "session start with an offset",
        _event("cohort.scheduled", _valid_cohort(sessions=offset_clock)),
        "SCHEMA_INVALID",
    )
    add(
        "quota beyond int4",
        _event("cohort.scheduled", _valid_cohort(quota=2**40)),
        "SCHEMA_INVALID",
    )
    huge = daily_sessions(days=2)
    huge[0]["no"] = 10**30
    add(
        "session number 10^30",
        _event("cohort.scheduled", _valid_cohort(sessions=huge)),
        "SCHEMA_INVALID",
    )
    fullwidth = _registration()
    fullwidth["data"]["nip"] = "１" * 18
    add("NIP in fullwidth digits", fullwidth, "SCHEMA_INVALID")
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(300):  # orjson reads it; as jsonb (a parked event) it could not be written
        node["x"] = {}
        node = node["x"]
    nested = _registration()
    nested["data"]["lampiran"] = deep
    add("data nested 300 deep", nested, "SCHEMA_INVALID")
    add("type of 300 KB", _registration() | {"type": "t" * 300_000}, "SCHEMA_INVALID")
    add("id of 300 KB", _registration() | {"id": "i" * 300_000}, "SCHEMA_INVALID")
    add("subject of 300 KB", _registration() | {"subject": "s" * 300_000}, "SCHEMA_INVALID")
    add("time of 300 KB", _registration() | {"time": "2" * 300_000}, "SCHEMA_INVALID")
    return cases


async def _send(pub: Publisher, value: bytes | None, headers: list[tuple[str, bytes]]) -> str:
    """Send keyed by the cohort code; returns the reference the gate uses for id-less records."""
    metadata = await pub.producer.send_and_wait(
        physical(pub.infra.kafka_topic_namespace, TOPIC),
        value=value,
        key=CODE.encode(),
        headers=headers,
    )
    return f"{TOPIC}/{metadata.partition}/{metadata.offset}"


async def test_broker_refuses_a_5mb_record_before_any_service_sees_it(infra):
    await prepare_topics(infra, [JAMBI])
    async with Publisher(infra) as pub:  # the client allows 8 MB; the broker does not
        record = _registration("x")
        record["data"]["padding"] = "x" * (5 * 1024 * 1024)
        with pytest.raises(MessageSizeTooLargeError):
            await _send(pub, json.dumps(record).encode(), list(STRUCTURED_HEADERS))


async def test_each_hostile_record_is_rejected_with_its_reason_and_nothing_after_it_is_lost(infra):
    assert MAX_RECORD_BYTES < 900 * 1024
    await prepare_topics(infra, [JAMBI])
    cases = _hostile_cases()
    async with (
        running(DEFINITION, infra, api_tokens="nat=national") as svc,
        Publisher(infra) as pub,
        Feedback(infra, JAMBI) as feedback,
    ):
        await wait_until_assigned(svc)
        cohort = _event("cohort.scheduled", _valid_cohort())
        await pub.send(JAMBI, cohort)
        expected: dict[str, tuple[str, str | None]] = {cohort["id"]: ("applied", None)}
        for what, value, headers, event_id, code in cases:
            reference = await _send(pub, value, headers)
            # A MALFORMED record is never parsed, so even a present id is unknown: the gate
            # names it by its position.
            expected[reference if code == "MALFORMED" else event_id or reference] = (
                "rejected",
                code,
            )
            follower = _registration(f"Peserta setelah {what}")
            await pub.send(JAMBI, follower)
            expected[follower["id"]] = ("applied", None)
        verbatim = [_registration(name) for name in VERBATIM_NAMES]
        await pub.send(JAMBI, *verbatim)
        expected.update({e["id"]: ("applied", None) for e in verbatim})

        async def all_decided() -> bool:
            decided = feedback.outcomes("enrolment")
            await feedback.poll()
            return all(i in decided for i in expected)

        with contextlib.suppress(AssertionError):  # the comparison below names what is missing
            await eventually(all_decided, 60, "every outcome")
        outcomes = feedback.outcomes("enrolment")
        got = {
            i: (outcomes[i]["outcome"], outcomes[i]["reason"]) for i in expected if i in outcomes
        }
        assert got == expected
        # Every rejection explains itself in both languages without echoing the input.
        for event_id, (outcome, _) in expected.items():
            if outcome == "rejected":
                assert outcomes[event_id]["message_id"] and outcomes[event_id]["message_en"]
                assert "x" * 100 not in outcomes[event_id]["message_en"]
                assert (
                    len(outcomes[event_id]["message_id"] + outcomes[event_id]["message_en"]) < 1000
                )

        transport = httpx.ASGITransport(app=svc.http_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            assert (await http.get("/health")).status_code == 200
            response = await http.get(
                f"/api/v1/cohorts/{CODE}", headers={"Authorization": "Bearer nat"}
            )
        assert response.status_code == 200
        names = {entry["name"] for entry in response.json()["roster"]}
        assert set(VERBATIM_NAMES) <= names
        assert len(names) == len(cases) + len(VERBATIM_NAMES)

        async def accounted() -> bool:
            async with svc.pool.acquire() as conn:
                tables = await conn.fetchval(
                    "SELECT count(*) FROM pg_tables WHERE tablename = 'enrolments'"
                )
                rows = await conn.fetchval("SELECT count(*) FROM processed_events")
            return bool(tables == 1 and rows == len(expected))

        await eventually(accounted, what="every record once in the inbox, tables intact")


async def test_outcomes_of_a_batch_of_hostile_records_fit_the_brokers_message_limit(infra):
    """400 records with 200-character ids and types of control characters (each escaped to 6
    bytes in JSON, and echoed in the message): one feedback message for all their outcomes
    would pass the broker's 1 MB limit, and the relay would retry it forever with every row
    behind it. They are told in messages that fit."""
    await prepare_topics(infra, [JAMBI])
    data = participant_data(CODE, "198503122010011003", region=JAMBI)
    noisy = [
        _event("diklat." + "\x01" * 193, data, id="\x01" * 190 + f"{i:010d}") for i in range(400)
    ]
    async with Publisher(infra) as pub:
        await pub.send(JAMBI, *noisy)  # all waiting before the gate starts: few large batches
    async with running(DEFINITION, infra), Feedback(infra, JAMBI) as feedback:
        outcomes = await feedback.wait_for_outcomes([e["id"] for e in noisy], timeout=60)
    assert {o["reason"] for o in outcomes.values()} == {"UNKNOWN_TYPE"}
