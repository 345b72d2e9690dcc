"""Issue 17 on the real broker and Postgres: a cohort code belongs to the publisher whose id
prefixes it (nobody can take another's code first), and a close timed before the cohort's
first session is refused instead of dating certificates before the training."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from builders.ingest import cohort_data, ingest_event, participant_data, withdrawal_data
from builders.nips import nips
from services.enrolment.entrypoints.app import DEFINITION
from shared.topics import ENROLMENT_EVENTS
from tests.support import Feedback, Publisher, TopicReader, prepare_topics, running

pytestmark = pytest.mark.integration
JAMBI, SUMSEL, KOTA_JAMBI = "15", "16", "15.71"
WIB = dt.timezone(dt.timedelta(hours=7))


def _reason(outcome: dict[str, Any]) -> str:
    return str(outcome["reason"] or outcome["outcome"])


async def test_a_publisher_cannot_take_another_publishers_cohort_code_first(infra):
    await prepare_topics(infra, [JAMBI, SUMSEL, KOTA_JAMBI, "nasional"])
    code = "15/PKA/2024/I"
    squat = ingest_event("cohort.scheduled", cohort_data(code, SUMSEL), SUMSEL)
    own = ingest_event("cohort.scheduled", cohort_data(code, JAMBI), JAMBI)
    # 15.71 is not 15: Kota Jambi's codes start with '15.71/', and Jambi's never do.
    by_kota = ingest_event(
        "cohort.scheduled", cohort_data("15/KOTA/2024/I", KOTA_JAMBI), KOTA_JAMBI
    )
    by_province = ingest_event("cohort.scheduled", cohort_data("15.71/X/2024/I", JAMBI), JAMBI)
    bare = ingest_event("cohort.scheduled", cohort_data("PKA/2024/I", JAMBI), JAMBI)
    national = ingest_event(
        "cohort.scheduled", cohort_data("nasional/SEKDA/2024/I", "nasional"), "nasional"
    )
    kota_own = ingest_event(
        "cohort.scheduled", cohort_data("15.71/TEKNIS/2024/I", KOTA_JAMBI), KOTA_JAMBI
    )
    # Events from 16 naming Jambi's codes: NOT_OWNER whether or not the cohort exists yet,
    # at once (a code 16 may never schedule is not parked waiting for it).
    later = "15/LATER/2024/I"
    nip = next(nips(1))
    foreign = [
        ingest_event("participant.registered", participant_data(code, nip, region="16"), SUMSEL),
        ingest_event("participant.registered", participant_data(later, nip, region="16"), SUMSEL),
        ingest_event("participant.withdrawn", withdrawal_data(later, nip), SUMSEL),
        ingest_event("cohort.cancelled", {"cohort_code": later, "reason": "x"}, SUMSEL),
        ingest_event("cohort.closed", {"cohort_code": later}, SUMSEL),
    ]
    # Jambi's own unknown code is still just unknown.
    unknown = ingest_event("cohort.closed", {"cohort_code": later}, JAMBI)
    async with (
        running(DEFINITION, infra, park_timeout_s=1.0),
        Publisher(infra) as pub,
        Feedback(infra, JAMBI) as jambi,
        Feedback(infra, SUMSEL) as sumsel,
        Feedback(infra, KOTA_JAMBI) as kota,
        Feedback(infra, "nasional") as nasional,
        TopicReader(infra, ENROLMENT_EVENTS) as domain_events,
    ):
        await pub.send(SUMSEL, squat)
        squatted = (await sumsel.wait_for_outcomes([squat["id"]]))[squat["id"]]
        await pub.send(JAMBI, own, by_province, bare, unknown)
        await pub.send(KOTA_JAMBI, by_kota, kota_own)
        await pub.send("nasional", national)
        mine = await jambi.wait_for_outcomes([own["id"], by_province["id"], bare["id"]])
        await pub.send(SUMSEL, *foreign)
        theirs = await sumsel.wait_for_outcomes([e["id"] for e in foreign])
        kotas = await kota.wait_for_outcomes([by_kota["id"], kota_own["id"]])
        nationals = await nasional.wait_for_outcomes([national["id"]])
        unknowns = await jambi.wait_for_outcomes([unknown["id"]])
        scheduled = await domain_events.wait_for(
            lambda evs: len([e for e in evs if e["type"].endswith("cohort_scheduled.v1")]) == 3,
            what="three cohorts scheduled",
        )

    assert _reason(squatted) == "SCHEMA_INVALID"
    assert "harus diawali '16/'" in squatted["message_id"]
    assert "must start with '16/'" in squatted["message_en"]
    assert [_reason(o) for o in mine.values()] == ["applied", "SCHEMA_INVALID", "SCHEMA_INVALID"]
    assert "'15/'" in mine[by_province["id"]]["message_en"]
    assert [_reason(o) for o in kotas.values()] == ["SCHEMA_INVALID", "applied"]
    assert "'15.71/'" in kotas[by_kota["id"]]["message_en"]
    assert _reason(nationals[national["id"]]) == "applied"
    assert [_reason(o) for o in theirs.values()] == ["NOT_OWNER"] * 5
    assert "'16/'" in theirs[foreign[1]["id"]]["message_en"]
    parked = [e for e in sumsel.events if e["data"]["outcome"] == "parked"]
    assert parked == []
    assert _reason(unknowns[unknown["id"]]) == "UNKNOWN_COHORT"
    owners = {
        e["data"]["cohort_code"]: e["data"]["publisher"]
        for e in scheduled
        if e["type"].endswith("cohort_scheduled.v1")
    }
    assert owners == {
        code: JAMBI,
        "15.71/TEKNIS/2024/I": KOTA_JAMBI,
        "nasional/SEKDA/2024/I": "nasional",
    }


async def test_a_close_timed_before_the_first_session_is_rejected_naming_its_date(infra):
    await prepare_topics(infra, [JAMBI])
    code = "15/TEKNIS/2024/II"
    schedule = ingest_event(
        "cohort.scheduled", cohort_data(code, JAMBI, start=dt.date(2024, 3, 4), days=5), JAMBI
    )
    register = ingest_event("participant.registered", participant_data(code, next(nips(1))), JAMBI)
    register["data"]["region"] = JAMBI
    early = ingest_event(
        "cohort.closed",
        {"cohort_code": code},
        JAMBI,
        time_=dt.datetime(2023, 1, 1, 9, tzinfo=WIB),
    )
    # A minute before the first session (08:00 WIB on 4 March) is still before it.
    just_before = ingest_event(
        "cohort.closed",
        {"cohort_code": code},
        JAMBI,
        time_=dt.datetime(2024, 3, 4, 7, 59, tzinfo=WIB),
    )
    close = ingest_event(
        "cohort.closed",
        {"cohort_code": code},
        JAMBI,
        time_=dt.datetime(2024, 3, 11, 16, tzinfo=WIB),
    )
    async with (
        running(DEFINITION, infra),
        Publisher(infra) as pub,
        Feedback(infra, JAMBI) as feedback,
        TopicReader(infra, ENROLMENT_EVENTS) as domain_events,
    ):
        await pub.send(JAMBI, schedule, register, early, just_before)
        refused = await feedback.wait_for_outcomes(
            [schedule["id"], register["id"], early["id"], just_before["id"]]
        )
        await pub.send(JAMBI, close)
        accepted = await feedback.wait_for_outcomes([close["id"]])
        events = await domain_events.wait_for(
            lambda evs: any(e["type"].endswith("cohort_closed.v1") for e in evs),
            what="the cohort closed",
        )

    assert [_reason(o) for o in refused.values()] == [
        "applied",
        "applied",
        "SCHEMA_INVALID",
        "SCHEMA_INVALID",
    ]
    message = refused[early["id"]]
    assert "2024-03-04 08:00 WIB" in message["message_id"]
    assert "2023-01-01T09:00+07:00" in message["message_en"]
    assert "before the first session" in message["message_en"]
    assert _reason(accepted[close["id"]]) == "applied"
    (closed,) = [e["data"] for e in events if e["type"].endswith("cohort_closed.v1")]
    # Only the real close closed the cohort: its day dates the certificates, not the early ones.
    assert closed["cause"]["event_id"] == close["id"]
    closed_at = dt.datetime.fromisoformat(closed["closed_at"].replace("Z", "+00:00"))
    assert closed_at == dt.datetime(2024, 3, 11, 16, tzinfo=WIB)
