"""No input stops the ingest gate: hypothesis sends arbitrary bytes, arbitrary JSON, CloudEvents
with any attribute or field replaced by any JSON value (NUL, lone surrogates, huge numbers,
long text) and binary-mode records with any header bytes, each followed by a valid
registration on the same partition, to the running enrolment service on the real broker.
Every record gets exactly one outcome on the feedback topic and every valid registration is
applied.

One broker round per example; no shrinking (a stuck partition would fail every later example
too, and each would wait for its deadline): a failure reports the records of its example.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from builders.ingest import cohort_data, daily_sessions, ingest_event, participant_data
from builders.nips import nips
from services.enrolment.entrypoints.app import DEFINITION
from shared.envelope import STRUCTURED_HEADERS
from shared.topics import ingest_topic, physical
from tests.support import (
    Feedback,
    Publisher,
    eventually,
    prepare_topics,
    running,
    wait_until_assigned,
)

pytestmark = [
    pytest.mark.integration,
    # The service's clients draw from `random` on the loop while hypothesis generates the next
    # example in its thread; hypothesis takes that for a strategy using `random`.
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]
JAMBI = "15"
CODE = "15/PROPERTI/2024/I"
TOPIC = ingest_topic(JAMBI)
Spec = tuple[str, Any]  # (kind, what): see `_record`

_TEXT = st.text(
    st.characters(exclude_categories=()) | st.sampled_from(["\0", "\ud800", "\udfff", "'", '"']),
    max_size=30,
)
_NUMBER = (
    st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([2**31, 2**63, 10**30, 1e308, -1e308, 5e-324])
)
_JSON = st.recursive(
    st.none() | st.booleans() | _NUMBER | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=12,
)
_PATHS = [
    ("id",),
    ("source",),
    ("type",),
    ("subject",),
    ("time",),
    ("specversion",),
    ("data",),
    ("data", "cohort_code"),
    ("data", "nip"),
    ("data", "name"),
    ("data", "agency"),
    ("data", "region"),
    ("data", "catatan"),
]
_HEADERS = ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject"]
_SPEC: st.SearchStrategy[Spec] = st.one_of(
    st.tuples(st.just("bytes"), st.binary(max_size=120)),
    st.tuples(st.just("json"), st.tuples(_JSON, st.booleans())),
    st.tuples(st.just("mutated"), st.tuples(st.sampled_from(_PATHS), _JSON, st.booleans())),
    st.tuples(
        st.just("binary"),
        st.dictionaries(st.sampled_from(_HEADERS), st.binary(max_size=40), max_size=3),
    ),
    st.tuples(st.just("deep"), st.integers(min_value=1, max_value=1100)),
)


def _registration(nip: str) -> dict[str, Any]:
    return ingest_event("participant.registered", participant_data(CODE, nip, region=JAMBI), JAMBI)


def _encode(value: Any, ascii_only: bool) -> bytes:
    # ASCII: lone surrogates travel as \ud800 escapes; else as raw (invalid UTF-8) bytes.
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def _record(spec: Spec, people: Iterator[str]) -> tuple[bytes | None, list[Any], str | None]:
    """The record's value, its headers and its own id (the outcome names the record by that
    id or by its position)."""
    kind, what = spec
    structured = list(STRUCTURED_HEADERS)
    if kind == "bytes":
        return what, structured, None
    if kind == "json":
        value, ascii_only = what
        own = value.get("id") if isinstance(value, dict) else None
        return _encode(value, ascii_only), structured, own if isinstance(own, str) else None
    event = _registration(next(people))
    if kind == "mutated":
        path, value, ascii_only = what
        target = event
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        own = event.get("id")
        return _encode(event, ascii_only), structured, own if isinstance(own, str) else None
    if kind == "binary":
        headers = {f"ce_{k}": str(event[k]).encode() for k in ("specversion", "id", "source")}
        headers |= {f"ce_{k}": str(event[k]).encode() for k in ("type", "time", "subject")}
        headers |= what
        own = headers["ce_id"].decode(errors="replace")
        data = json.dumps(event["data"]).encode()
        return data, [*headers.items(), ("content-type", b"application/json")], own
    assert kind == "deep"
    body = json.dumps({**event, "data": "DATA"}).encode()
    nested = b'{"lampiran": ' + b"[" * what + b"]" * what + b"}"
    return body.replace(b'"DATA"', nested), structured, event["id"]


_ISSUE_CASES: list[Spec] = [
    ("mutated", (("id",), "nul\0id", False)),
    ("mutated", (("subject",), CODE + "\0", False)),
    ("mutated", (("type",), "diklat.participant\0.registered.v1", True)),
    ("mutated", (("source",), "/publishers/15\0", False)),
    ("mutated", (("data", "agency"), "Dinas\0Pendidikan", False)),
    ("mutated", (("data", "cohort_code"), CODE + "\0", False)),
    ("mutated", (("data", "name"), "lone \ud800 surrogate", True)),
    ("mutated", (("data", "name"), "lone \udfff surrogate", False)),
    ("mutated", (("data", "catatan"), {"k\0": [10**30, 1e308]}, True)),
    ("mutated", (("time",), "0001-01-01T00:00:00+07:00", True)),
    ("binary", {"ce_id": b"nul\x00id", "ce_subject": b"\xff\xfe"}),
    ("deep", 1000),
    ("deep", 1100),
    ("json", ({"specversion": "1.0", "id": "\0", "data": [2**70]}, True)),
    ("bytes", b"\x00\xff{"),
]


async def test_every_record_gets_one_outcome_and_every_valid_event_after_it_is_applied(infra):
    await prepare_topics(infra, [JAMBI])
    people = iter(nips(3000, women=1500))
    loop = asyncio.get_running_loop()
    async with (
        running(DEFINITION, infra) as svc,
        Publisher(infra) as pub,
        Feedback(infra, JAMBI) as feedback,
    ):
        await wait_until_assigned(svc)
        schedule = cohort_data(CODE, JAMBI, quota=10_000, sessions=daily_sessions(days=2))
        cohort = ingest_event("cohort.scheduled", schedule, JAMBI)
        await pub.send(JAMBI, cohort)
        await feedback.wait_for_outcomes([cohort["id"]], "enrolment")
        sent = 1  # records on the topic so far, each owed exactly one outcome
        rounds = 0

        async def one_round(specs: list[Spec]) -> None:
            nonlocal sent, rounds
            rounds += 1
            hostile: list[tuple[str, str | None]] = []  # (position, own id)
            followers: list[str] = []
            deliveries = []
            for spec in specs:
                value, headers, own = _record(spec, people)
                follower = _registration(next(people))
                followers.append(follower["id"])
                for record_value, record_headers in (
                    (value, headers),
                    (json.dumps(follower).encode(), list(STRUCTURED_HEADERS)),
                ):
                    deliveries.append(
                        await pub.producer.send(
                            physical(infra.kafka_topic_namespace, TOPIC),
                            value=record_value,
                            key=CODE.encode(),
                            headers=record_headers,
                        )
                    )
                hostile.append(("", own))
            metadata = await asyncio.gather(*deliveries)
            hostile = [
                (f"{TOPIC}/{m.partition}/{m.offset}", own)
                for m, (_, own) in zip(metadata[::2], hostile, strict=True)
            ]
            sent += len(deliveries)

            def every_outcome() -> list[dict[str, Any]]:
                return [e["data"] for e in feedback.events if e["data"]["service"] == "enrolment"]

            async def all_decided() -> bool:
                await feedback.poll()
                return len(every_outcome()) >= sent

            await eventually(all_decided, 60, f"{sent} outcomes for the records of {specs!r}")
            outcomes = every_outcome()
            assert len(outcomes) == sent, f"more outcomes than records for {specs!r}"
            by_id = {o["event_id"]: o for o in outcomes}
            assert all(by_id[f]["outcome"] == "applied" for f in followers), specs
            for (position, own), spec in zip(hostile, specs, strict=True):
                assert position in by_id or own in by_id, f"no outcome for {spec!r}"

        @settings(
            max_examples=40,
            deadline=None,
            database=None,
            phases=(Phase.explicit, Phase.generate),
            suppress_health_check=list(HealthCheck),
        )
        @example(specs=_ISSUE_CASES)
        @given(specs=st.lists(_SPEC, min_size=1, max_size=6))
        def every_input(specs: list[Spec]) -> None:
            asyncio.run_coroutine_threadsafe(one_round(specs), loop).result(timeout=120)

        # Hypothesis drives the rounds from a thread; the service runs on this loop meanwhile.
        await asyncio.to_thread(every_input)
        assert rounds > 30
