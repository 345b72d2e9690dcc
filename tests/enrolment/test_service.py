"""The enrolment service end to end on real Apache Kafka and Postgres: seeds 001 and 002, the
rules and their reason codes, out-of-order arrival, the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from builders.ingest import (
    TUBAN,
    TUBAN_COHORT,
    cohort_data,
    ingest_event,
    participant_data,
    withdrawal_data,
)
from builders.nips import nips
from services.enrolment.entrypoints.app import DEFINITION
from shared.runtime import ServiceRuntime
from shared.topics import ENROLMENT_EVENTS, ingest_topic
from tests.enrolment.service_output import data_of, enrolled_of, reasons
from tests.support import (
    Feedback,
    Publisher,
    TopicReader,
    prepare_topics,
    running,
)

pytestmark = pytest.mark.integration
TOKENS = "nat=national,tub=publisher:35.23,jam=publisher:15"


def _api(runtime: ServiceRuntime, token: str | None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=runtime.http_app()), base_url="http://t", headers=headers
    )


def _first_outcomes(feedback: Feedback) -> dict[str, dict[str, Any]]:
    """Outcome per event id as first decided (a later duplicate does not overwrite it)."""
    first: dict[str, dict[str, Any]] = {}
    for event in feedback.events:
        first.setdefault(event["data"]["event_id"], event["data"])
    return first


async def _api_shows_roster_and_guards_it(runtime: ServiceRuntime, people: list[str]) -> None:
    async with _api(runtime, "tub") as owner:
        detail = (await owner.get(f"/api/v1/cohorts/{TUBAN_COHORT}")).json()
        listing = (await owner.get(f"/api/v1/publishers/{TUBAN}/cohorts")).json()
        counts = (await owner.get(f"/api/v1/publishers/{TUBAN}/outcomes")).json()
        across = await owner.get(f"/api/v1/participants/{people[0]}/enrolments")
    enrolled = [p for p in detail["roster"] if p["status"] == "ENROLLED"]
    assert (detail["status"], detail["quota"], detail["seats_left"]) == ("CLOSED", 30, 0)
    assert len(enrolled) == 30 and len(detail["roster"]) == 31
    assert sum(p["gender"] == "P" for p in enrolled) == 7
    assert enrolled[0]["nip"] == people[0]  # full NIP for the owner
    assert [c["cohort_code"] for c in listing] == [TUBAN_COHORT]
    assert {"outcome": "rejected", "reason": "QUOTA_FULL", "count": 1} in counts
    assert across.status_code == 403
    async with _api(runtime, "jam") as other, _api(runtime, None) as anonymous:
        assert (await other.get(f"/api/v1/cohorts/{TUBAN_COHORT}")).status_code == 403
        assert (await other.get(f"/api/v1/publishers/{TUBAN}/cohorts")).status_code == 403
        assert (await anonymous.get(f"/api/v1/cohorts/{TUBAN_COHORT}")).status_code == 401
    async with _api(runtime, "nat") as national:
        mine = (await national.get(f"/api/v1/participants/{people[0]}/enrolments")).json()
        assert (await national.get("/api/v1/cohorts/none/such")).status_code == 404
    assert [(e["cohort_code"], e["status"]) for e in mine] == [(TUBAN_COHORT, "ENROLLED")]


async def test_seed_001_tuban_cohort_enrols_30_and_rejects_each_rule_breach(infra):
    await prepare_topics(infra, [TUBAN, "15"])
    people = list(nips(31, women=7))
    schedule = ingest_event("cohort.scheduled", cohort_data(), TUBAN)
    regs = [
        ingest_event("participant.registered", participant_data(TUBAN_COHORT, n), TUBAN)
        for n in people
    ]
    twice = ingest_event("participant.registered", participant_data(TUBAN_COHORT, people[1]), TUBAN)
    bad_month = ingest_event(
        "participant.registered", participant_data(TUBAN_COHORT, "198609262015131001"), TUBAN
    )
    mismatch = ingest_event(
        "participant.registered", participant_data(TUBAN_COHORT, people[20], gender="P"), TUBAN
    )
    foreign_reg = ingest_event(
        "participant.registered", participant_data(TUBAN_COHORT, people[30], region="15"), "15"
    )
    foreign_schedule = ingest_event("cohort.scheduled", cohort_data(publisher="15"), "15")
    async with (
        running(DEFINITION, infra, api_tokens=TOKENS) as runtime,
        Publisher(infra) as pub,
        Feedback(infra, TUBAN) as feedback,
        Feedback(infra, "15") as feedback_15,
        TopicReader(infra, ENROLMENT_EVENTS) as domain_events,
    ):
        await pub.send(TUBAN, schedule, *regs, regs[0], twice, bad_month, mismatch)
        await feedback.wait_for_outcomes([schedule["id"]])
        await pub.send("15", foreign_reg, foreign_schedule)

        await feedback.wait_for(lambda evs: len(evs) >= 36, what="36 outcomes")
        outcomes = _first_outcomes(feedback)
        assert [outcomes[r["id"]]["outcome"] for r in regs[:30]] == ["applied"] * 30
        assert outcomes[regs[30]["id"]]["reason"] == "QUOTA_FULL"
        assert [
            e["data"]["outcome"] for e in feedback.events if e["data"]["event_id"] == regs[0]["id"]
        ] == ["applied", "duplicate"]
        assert outcomes[twice["id"]]["reason"] == "ALREADY_ENROLLED"
        assert outcomes[bad_month["id"]]["reason"] == "INVALID_NIP"
        assert "bulan 13" in outcomes[bad_month["id"]]["message_id"]
        assert outcomes[mismatch["id"]]["reason"] == "INVALID_NIP"
        assert "gender L" in outcomes[mismatch["id"]]["message_en"]
        foreign = await feedback_15.wait_for_outcomes([foreign_reg["id"], foreign_schedule["id"]])
        # Issue 17: a schedule whose code lacks the sender's prefix is invalid in itself.
        assert reasons(foreign) == {
            foreign_reg["id"]: "NOT_OWNER",
            foreign_schedule["id"]: "SCHEMA_INVALID",
        }

        # A withdrawal frees a seat, so the 31st gets in when it tries again.
        leave = ingest_event(
            "participant.withdrawn", withdrawal_data(TUBAN_COHORT, people[29]), TUBAN
        )
        retry = ingest_event(
            "participant.registered", participant_data(TUBAN_COHORT, people[30]), TUBAN
        )
        close = ingest_event("cohort.closed", {"cohort_code": TUBAN_COHORT}, TUBAN)
        close_again = ingest_event("cohort.closed", {"cohort_code": TUBAN_COHORT}, TUBAN)
        late = ingest_event(
            "participant.registered", participant_data(TUBAN_COHORT, "198001012005031002"), TUBAN
        )
        await pub.send(TUBAN, leave, retry, close, close_again, late)
        later = await feedback.wait_for_outcomes(
            [leave["id"], retry["id"], close["id"], close_again["id"], late["id"]]
        )
        assert list(reasons(later).values()) == [
            "applied",
            "applied",
            "applied",
            "applied",
            "COHORT_CLOSED",
        ]

        events = await domain_events.wait_for(
            # The close is on the cohort's key after everything else of it: seen last.
            lambda evs: len(data_of(evs, "cohort_closed.v1")) == 1,
            what="enrolment domain events",
        )
        assert len(enrolled_of(events)) == 31
        assert len(data_of(events, "participant_withdrawn.v1")) == 1
        (scheduled,) = data_of(events, "cohort_scheduled.v1")
        assert scheduled["total_jp"] == "48"
        assert (scheduled["start_date"], scheduled["end_date"]) == ("2017-09-25", "2017-10-04")
        assert scheduled["sessions"][0]["starts_at"].startswith("2017-09-25T01:00:00")
        (closed,) = data_of(events, "cohort_closed.v1")
        assert (closed["enrolled"], closed["withdrawn"]) == (30, 1)
        assert closed["cause"]["event_id"] == close["id"]
        assert closed["cause"]["topic"] == ingest_topic(TUBAN)

        await _api_shows_roster_and_guards_it(runtime, people)


async def test_seed_002_nasional_cohort_and_province_rules(infra):
    """Registrations sent before their cohort park and end enrolled; the nasional cohort takes
    15 provinces; a province cohort keeps to its region, its past schedule is frozen, and a
    cancelled cohort accepts nothing."""
    await prepare_topics(infra, ["nasional", "15"])
    national_code = "nasional/SEKDA/2024/IV"
    provinces = [str(p) for p in (11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35)]
    future = dt.date.today() + dt.timedelta(days=60)
    early = [
        ingest_event(
            "participant.registered",
            participant_data(national_code, nip, region=province),
            "nasional",
        )
        for nip, province in zip(nips(15, women=4), provinces, strict=True)
    ]
    early_leave = ingest_event(
        "participant.withdrawn", withdrawal_data(national_code, early[0]["data"]["nip"]), "nasional"
    )
    national = ingest_event(
        "cohort.scheduled",
        cohort_data(
            national_code,
            "nasional",
            start=future,
            days=20,
            quota=60,
            category="manajerial",
            timezone="Asia/Makassar",
            angkatan="IV",
        ),
        "nasional",
    )
    amended = ingest_event(
        "cohort.scheduled",
        cohort_data(
            national_code,
            "nasional",
            start=future,
            days=21,
            quota=60,
            category="manajerial",
            timezone="Asia/Makassar",
            angkatan="IV",
        ),
        "nasional",
    )

    jambi_code = "15/PKA/2022/IV"
    jambi = ingest_event(
        "cohort.scheduled",
        cohort_data(
            jambi_code,
            "15",
            start=dt.date(2022, 2, 15),
            days=10,
            category="kepemimpinan_pka",
            angkatan="IV",
        ),
        "15",
    )
    later = list(nips(3, first_seq=500))
    from_kota_jambi = ingest_event(
        "participant.registered", participant_data(jambi_code, later[0], region="15.71"), "15"
    )
    from_sumsel = ingest_event(
        "participant.registered", participant_data(jambi_code, later[1], region="16"), "15"
    )
    reschedule = ingest_event(
        "cohort.scheduled", cohort_data(jambi_code, "15", start=dt.date(2022, 3, 1), days=10), "15"
    )
    not_enrolled = ingest_event(
        "participant.withdrawn", withdrawal_data(jambi_code, later[2]), "15"
    )
    cancel = ingest_event(
        "cohort.cancelled", {"cohort_code": jambi_code, "reason": "anggaran"}, "15"
    )
    after_cancel = ingest_event(
        "participant.registered", participant_data(jambi_code, later[2], region="15"), "15"
    )
    close_unknown = ingest_event("cohort.closed", {"cohort_code": "15/NONE/2022/I"}, "15")
    async with (
        running(DEFINITION, infra),
        Publisher(infra) as pub,
        Feedback(infra, "nasional") as feedback,
        Feedback(infra, "15") as feedback_15,
        TopicReader(infra, ENROLMENT_EVENTS) as domain_events,
    ):
        await pub.send("nasional", *early, early_leave)
        parked = await feedback.wait_for_outcomes([e["id"] for e in early], final=False)
        assert {o["outcome"] for o in parked.values()} == {"parked"}
        await pub.send("nasional", national, amended)
        await pub.send(
            "15",
            jambi,
            from_kota_jambi,
            from_sumsel,
            reschedule,
            not_enrolled,
            cancel,
            after_cancel,
            close_unknown,
        )

        final = await feedback.wait_for_outcomes(
            [e["id"] for e in early] + [early_leave["id"], national["id"], amended["id"]]
        )
        assert set(reasons(final).values()) == {"applied"}
        jambi_outcomes = reasons(
            await feedback_15.wait_for_outcomes(
                [
                    jambi["id"],
                    from_kota_jambi["id"],
                    from_sumsel["id"],
                    reschedule["id"],
                    not_enrolled["id"],
                    cancel["id"],
                    after_cancel["id"],
                    close_unknown["id"],
                ]
            )
        )
        assert list(jambi_outcomes.values()) == [
            "applied",
            "applied",
            "REGION_NOT_ALLOWED",
            "AMENDMENT_WINDOW_CLOSED",
            "NOT_ENROLLED",
            "applied",
            "COHORT_CANCELLED",
            "UNKNOWN_COHORT",
        ]

        events = await domain_events.wait_for(
            lambda evs: (
                len(data_of(evs, "cohort_cancelled.v1")) == 1
                and len(data_of(evs, "cohort_amended.v1")) == 1
                and len(enrolled_of(evs)) == 16
            ),
            what="domain events",
        )
        enrolled_national = [d for d in enrolled_of(events) if d["cohort_code"] == national_code]
        assert {d["participant"]["region"] for d in enrolled_national} == set(provinces)
        (amendment,) = data_of(events, "cohort_amended.v1")
        assert (amendment["policy_version"], amendment["total_jp"]) == (2, "126")
        # 08:00 WITA is 00:00 UTC.
        assert amendment["sessions"][0]["starts_at"].endswith("T00:00:00Z")
        assert len(data_of(events, "participant_withdrawn.v1")) == 1
