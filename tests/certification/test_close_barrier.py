"""The close barrier across enrolment, attendance and certification on the real broker and
Postgres: only the owner's close that enrolment accepted closes a cohort for marks and scores.

A close enrolment did not apply (data SCHEMA_INVALID, or an id used before by another record of
the publisher) neither rejects later marks and scores nor finalises; a close another publisher
sends with the owner's close id does not take the owner's barrier."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from builders.ingest import cohort_data, daily_sessions, ingest_event, participant_data
from builders.nips import nips
from services.attendance.entrypoints.app import DEFINITION as ATTENDANCE
from services.certification.entrypoints.app import DEFINITION as CERTIFICATION
from services.enrolment.entrypoints.app import DEFINITION as ENROLMENT
from shared.runtime import ServiceRuntime
from tests.support import Feedback, Publisher, eventually, prepare_topics, running

pytestmark = pytest.mark.integration
JAMBI, SUMSEL = "15", "16"
START = dt.date(2024, 3, 4)


async def _rows(runtime: ServiceRuntime, sql: str, *args: Any) -> list[dict[str, Any]]:
    async with runtime.pool.acquire() as conn:
        return [dict(r) for r in await conn.fetch(sql, *args)]


def _cohort(code: str) -> dict[str, Any]:
    return ingest_event(
        "cohort.scheduled",
        cohort_data(
            code,
            JAMBI,
            sessions=daily_sessions(START, days=2),
            completion={"min_attendance_pct": "90", "evaluation_required": True},
        ),
        JAMBI,
    )


def _mark(code: str, nip: str, session: int, status: str = "HADIR") -> dict[str, Any]:
    data = {"cohort_code": code, "nip": nip, "session_no": session, "status": status}
    return ingest_event("attendance.recorded", data, JAMBI)


def _score(code: str, nip: str, score: str, minute: int) -> dict[str, Any]:
    # Later scores correct earlier ones by `time`: a late one would win if it were applied.
    at = dt.datetime(2024, 3, 6, 9, minute, tzinfo=dt.UTC)
    data = {"cohort_code": code, "nip": nip, "score": score}
    return ingest_event("evaluation.recorded", data, JAMBI, time_=at)


async def _scheduled_with_one_participant(
    pub: Publisher,
    services: tuple[ServiceRuntime, ServiceRuntime],
    code: str,
    registration_id: str,
) -> str:
    nip = next(nips(1))
    registration = participant_data(code, nip, region="15.71")
    await pub.send(
        JAMBI,
        _cohort(code),
        ingest_event("participant.registered", registration, JAMBI, event_id=registration_id),
    )
    for service in services:
        await eventually(
            lambda s=service: _rows(s, "SELECT 1 FROM enrolments WHERE cohort_code = $1", code),
            what=f"{service.name} knows the enrolment",
        )
    return nip


def _answers(feedback: Feedback, event_id: str) -> list[str]:
    """Enrolment's outcomes for this id, in order."""
    return [
        e["data"]["outcome"]
        for e in feedback.events
        if e["type"].endswith("outcome.v1")
        and e["data"]["event_id"] == event_id
        and e["data"]["service"] == "enrolment"
    ]


async def _decision(certification: ServiceRuntime, code: str) -> dict[str, Any]:
    rows = await eventually(
        lambda: _rows(
            certification,
            "SELECT completed, score, rate_pct FROM decisions WHERE cohort_code = $1",
            code,
        ),
        what="the participant decided",
    )
    return rows[0]


async def test_closes_enrolment_did_not_apply_close_nothing(infra):
    code = "15/PKA/2024/I"
    await prepare_topics(infra, [JAMBI])
    async with (
        running(ENROLMENT, infra),
        running(ATTENDANCE, infra) as attendance,
        running(CERTIFICATION, infra) as certification,
        Publisher(infra) as pub,
        Feedback(infra, JAMBI) as feedback,
    ):
        nip = await _scheduled_with_one_participant(
            pub, (attendance, certification), code, "15-reg-1"
        )
        invalid_close = ingest_event("cohort.closed", {}, JAMBI)
        invalid_close["subject"] = code  # the cohort is named, the data is not valid
        duplicate_close = ingest_event(
            "cohort.closed", {"cohort_code": code}, JAMBI, event_id="15-reg-1"
        )
        first = [_mark(code, nip, 1), _score(code, nip, "70", 1)]
        second = [_mark(code, nip, 2), _score(code, nip, "80", 2)]
        await pub.send(JAMBI, invalid_close, *first, duplicate_close, *second)

        said = await feedback.wait_for_outcomes([invalid_close["id"]], "enrolment")
        assert (said[invalid_close["id"]]["outcome"], said[invalid_close["id"]]["reason"]) == (
            "rejected",
            "SCHEMA_INVALID",
        )
        # The id is the registration's: enrolment answers the close `duplicate`.
        await feedback.wait_for(
            lambda _: _answers(feedback, "15-reg-1") == ["applied", "duplicate"],
            what="the duplicate close answered",
        )
        # Marks and scores sent after them are applied: the cohort is open, as enrolment says.
        outcomes = await feedback.wait_for_outcomes([e["id"] for e in first + second])
        assert {e: o["outcome"] for e, o in outcomes.items()} == {
            e["id"]: "applied" for e in first + second
        }
        assert await _rows(
            attendance,
            "SELECT 1 FROM cohorts WHERE cohort_code = $1 AND status = 'scheduled'",
            code,
        )
        assert not await _rows(attendance, "SELECT 1 FROM finalisations")
        assert not await _rows(certification, "SELECT 1 FROM decisions")

        # The real close closes it: what came after is rejected, what came before counts.
        close = ingest_event("cohort.closed", {"cohort_code": code}, JAMBI)
        late = [_mark(code, nip, 1, "ALPA"), _score(code, nip, "10", 3)]
        await pub.send(JAMBI, close, *late)
        rejected = await feedback.wait_for_outcomes([e["id"] for e in late])
        assert {o["reason"] for o in rejected.values()} == {"COHORT_CLOSED"}
        decision = await _decision(certification, code)
        assert (decision["completed"], decision["score"], decision["rate_pct"]) == (
            True,
            Decimal(80),
            Decimal(100),
        )


async def test_another_publishers_close_with_the_owners_id_does_not_take_the_barrier(infra):
    code = "15/PKA/2024/II"
    await prepare_topics(infra, [JAMBI, SUMSEL])
    async with (
        running(ENROLMENT, infra),
        running(ATTENDANCE, infra) as attendance,
        running(CERTIFICATION, infra) as certification,
        Publisher(infra) as pub,
        Feedback(infra, JAMBI) as feedback,
        Feedback(infra, SUMSEL) as feedback16,
    ):
        nip = await _scheduled_with_one_participant(
            pub, (attendance, certification), code, "15-reg-2"
        )
        sent = [_mark(code, nip, 1), _mark(code, nip, 2), _score(code, nip, "80", 1)]
        await pub.send(JAMBI, *sent)
        await feedback.wait_for_outcomes([e["id"] for e in sent])

        # Sumatera Selatan sends Jambi's close (same content, so the same id) first.
        close_id = "close-15-PKA-2024-II"
        spoof = ingest_event("cohort.closed", {"cohort_code": code}, SUMSEL, event_id=close_id)
        await pub.send(SUMSEL, spoof)
        refused = await feedback16.wait_for_outcomes([close_id], "enrolment")
        assert refused[close_id]["reason"] == "NOT_OWNER"
        for service in (attendance, certification):
            await eventually(
                lambda s=service: _rows(
                    s,
                    "SELECT 1 FROM processed_events WHERE source = $1 AND event_id = $2",
                    f"/publishers/{SUMSEL}",
                    close_id,
                ),
                what=f"{service.name} passed the other publisher's close",
            )

        close = ingest_event("cohort.closed", {"cohort_code": code}, JAMBI, event_id=close_id)
        late = [_mark(code, nip, 1, "ALPA"), _score(code, nip, "10", 2)]
        await pub.send(JAMBI, close, *late)
        rejected = await feedback.wait_for_outcomes([e["id"] for e in late])
        assert {o["reason"] for o in rejected.values()} == {"COHORT_CLOSED"}
        decision = await _decision(certification, code)
        assert (decision["completed"], decision["score"], decision["rate_pct"]) == (
            True,
            Decimal(80),
            Decimal(100),
        )


async def test_a_close_reusing_a_marks_id_still_closes_for_attendance(infra):
    """Enrolment never saw the mark, so it accepts the close; attendance's inbox calls the close
    a duplicate of the mark, yet the record is on the log and the cohort still finalises."""
    code = "15/PKA/2024/III"
    await prepare_topics(infra, [JAMBI])
    async with (
        running(ENROLMENT, infra),
        running(ATTENDANCE, infra) as attendance,
        running(CERTIFICATION, infra) as certification,
        Publisher(infra) as pub,
        Feedback(infra, JAMBI) as feedback,
    ):
        nip = await _scheduled_with_one_participant(
            pub, (attendance, certification), code, "15-reg-3"
        )
        marks = [_mark(code, nip, 1), _mark(code, nip, 2)]
        close = ingest_event("cohort.closed", {"cohort_code": code}, JAMBI, event_id=marks[0]["id"])
        await pub.send(JAMBI, *marks, _score(code, nip, "75", 1), close)
        await feedback.wait_for(
            lambda _: _answers(feedback, close["id"]) == ["applied"], what="the close applied"
        )
        decision = await _decision(certification, code)
        assert (decision["completed"], decision["score"], decision["rate_pct"]) == (
            True,
            Decimal(75),
            Decimal(100),
        )
