"""Completion at close on real Kafka and Postgres: boundaries, evaluation rules, exactly-once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from builders.ingest import ingest_event
from services.certification.entrypoints.app import DEFINITION
from shared.runtime import ServiceRuntime
from shared.topics import CERTIFICATION_EVENTS
from tests.certification import builders as b
from tests.support import Feedback, Publisher, TopicReader, eventually, prepare_topics, running

pytestmark = pytest.mark.integration

CODE = "15/PKA/2022/IV"
NIPS = {
    "at_minimum": "198609262015051001",
    "below_minimum": "198701012010011002",
    "score_below_pass": "198802022011021003",
    "withdrawn": "198903032012031004",
    "no_score": "199004042013041005",
    "good": "199105052014051006",
}
STRANGER = "199206062015061007"
TOKENS = "nat=national,p15=publisher:15,p16=publisher:16,adm=admin"


async def _count(runtime: ServiceRuntime, sql: str, *args: Any) -> int:
    async with runtime.pool.acquire() as conn:
        return int(await conn.fetchval(sql, *args))


def _evaluation(nip: str, score: str | float, minute: int, publisher: str = "15") -> dict[str, Any]:
    return ingest_event(
        "evaluation.recorded",
        {"cohort_code": CODE, "nip": nip, "score": score},
        publisher,
        time_=dt.datetime(2022, 5, 20, 9, minute, tzinfo=dt.UTC),
    )


async def test_completion_is_decided_at_the_boundaries_and_certified_exactly_once(infra):
    await prepare_topics(infra, ["15", "16"])
    async with (
        running(DEFINITION, infra, api_tokens=TOKENS, park_timeout_s=3) as svc,
        Publisher(infra) as pub,
        Feedback(infra, "15") as feedback,
        Feedback(infra, "16") as feedback16,
        TopicReader(infra, CERTIFICATION_EVENTS) as announced,
    ):
        await b.send_domain(pub, b.cohort(CODE, "15", evaluation_required=True))
        for label, nip in NIPS.items():
            await b.send_domain(pub, b.enrolled(CODE, "15", nip, f"Peserta {label}"))
        await b.send_domain(pub, b.withdrawn(CODE, "15", NIPS["withdrawn"]))
        await eventually(
            lambda: _count(svc, "SELECT count(*) FROM enrolments WHERE withdrawn"),
            what="roster known",
        )

        await _send_evaluations_and_check_their_outcomes(pub, feedback, feedback16)

        close = ingest_event("cohort.closed", {"cohort_code": CODE}, "15")
        late = _evaluation(NIPS["score_below_pass"], 100, 59)
        await pub.send("15", close, late)
        # The late score waits for enrolment's word on the close, then is rejected by it.
        await b.send_domain(pub, b.closed(CODE, "15", close["id"], enrolled=6))
        late_outcome = await feedback.wait_for_outcomes([late["id"]], "certification")
        assert late_outcome[late["id"]]["reason"] == "COHORT_CLOSED"
        assert "waited too long" not in late_outcome[late["id"]]["message_en"]
        assert close["id"] not in feedback.outcomes("certification")  # enrolment reports it

        jp = {
            "at_minimum": "18",
            "below_minimum": "17.99",
            "score_below_pass": "20",
            "no_score": "20",
            "good": "19",
        }
        redelivered = await b.send_domain(pub, b.finalised(CODE, "15", NIPS["at_minimum"], "18"))
        for label, present in jp.items():
            await b.send_domain(pub, b.finalised(CODE, "15", NIPS[label], present))
        await b.send_domain(pub, b.finalised(CODE, "15", NIPS["at_minimum"], "18"), redelivered)
        await b.send_domain(pub, b.cohort_finalised(CODE, "15", 5))

        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=svc.http_app()), base_url="http://t"
        )
        async with client:

            async def all_decided() -> list[dict[str, Any]] | None:
                response = await client.get(
                    f"/api/v1/cohorts/{CODE}/decisions", headers={"Authorization": "Bearer p15"}
                )
                rows: list[dict[str, Any]] = response.json()
                return rows if len(rows) == len(NIPS) else None

            decisions = {d["nip"]: d for d in await eventually(all_decided, what="decisions")}
            forbidden = await client.get(
                f"/api/v1/cohorts/{CODE}/decisions", headers={"Authorization": "Bearer p16"}
            )
            assert forbidden.status_code == 403

        _assert_decisions(decisions)

        assert await _count(svc, "SELECT count(*) FROM certificates") == 2
        async with svc.pool.acquire() as conn:
            numbers = await conn.fetchval(
                "SELECT array_agg(number ORDER BY number) FROM certificates"
            )
        assert numbers == ["800/0001/BPSDM-15/2022", "800/0002/BPSDM-15/2022"]

        await announced.wait_for(
            lambda _: (
                len(announced.within("cohort_decided.v1", "certificates")) == 2
                and len(announced.within("cohort_decided.v1", "decisions")) == 6
            ),
            what="certification events",
        )

        await feedback.wait_for(
            lambda _: (
                len(feedback.notices("certificate_issued")) == 2
                and len(feedback.notices("completion_failed")) == 4
            ),
            what="notices",
        )
        failed = " ".join(n["message_id"] for n in feedback.notices("completion_failed"))
        assert "nilai 60 < 60,01" in failed
        assert all(n["nip_masked"].count("*") == 10 for n in feedback.notices("completion_failed"))
        # The results name each participant by the full NIP the publisher sent, once each.
        told = feedback.notices("certificate_issued") + feedback.notices("completion_failed")
        assert sorted(n["nip"] for n in told) == sorted(NIPS.values())
        assert feedback.of_type("notice.v1") == []  # per cohort now, not per participant
        # Nothing more than one decision and one certificate per participant was announced.
        assert len(announced.within("cohort_decided.v1", "certificates")) == 2
        assert len(announced.within("cohort_decided.v1", "decisions")) == 6
        assert announced.of_type("certificate_issued.v1") == []


async def _send_evaluations_and_check_their_outcomes(
    pub: Publisher, feedback: Feedback, feedback16: Feedback
) -> None:
    # A later `time` supersedes: 50 then 60.01 (sent in reverse) leaves 60.01.
    superseding = _evaluation(NIPS["at_minimum"], "60.01", 30)
    superseded = _evaluation(NIPS["at_minimum"], 50, 10)
    evaluations = [
        superseding,
        superseded,
        _evaluation(NIPS["below_minimum"], 95, 1),
        _evaluation(NIPS["score_below_pass"], "60.00", 1),
        _evaluation(NIPS["withdrawn"], 90, 1),
        _evaluation(NIPS["good"], 75, 1),
    ]
    out_of_range = _evaluation(NIPS["good"], 101, 2)
    not_enrolled = _evaluation(STRANGER, 80, 1)
    await pub.send("15", *evaluations, out_of_range, not_enrolled)
    not_owner = _evaluation(NIPS["good"], 99, 3, publisher="16")
    await pub.send("16", not_owner)

    outcomes = await feedback.wait_for_outcomes(
        [e["id"] for e in [*evaluations, out_of_range, not_enrolled]], "certification"
    )
    assert {outcomes[e["id"]]["outcome"] for e in evaluations} == {"applied"}
    assert outcomes[out_of_range["id"]]["reason"] == "SCHEMA_INVALID"
    assert outcomes[not_enrolled["id"]]["reason"] == "NOT_ENROLLED"  # parked, then expired
    owner = await feedback16.wait_for_outcomes([not_owner["id"]], "certification")
    assert owner[not_owner["id"]]["reason"] == "NOT_OWNER"


def _assert_decisions(decisions: dict[str, dict[str, Any]]) -> None:
    completed = {label for label, nip in NIPS.items() if decisions[nip]["completed"]}
    assert completed == {"at_minimum", "good"}
    assert decisions[NIPS["at_minimum"]]["predicate"] == "Kurang Memuaskan"
    assert decisions[NIPS["good"]]["predicate"] == "Cukup Memuaskan"
    assert all(d["policy_version"] == 1 for d in decisions.values())
    explanation = {label: decisions[nip]["explanation_id"] for label, nip in NIPS.items()}
    assert "kehadiran 90% ≥ 90%" in explanation["at_minimum"]
    assert "nilai 60,01 ≥ 60,01" in explanation["at_minimum"]
    assert "kehadiran 89,9% < 90%" in explanation["below_minimum"]
    assert "nilai 60 < 60,01" in explanation["score_below_pass"]
    assert "mengundurkan diri" in explanation["withdrawn"]
    assert "nilai belum ada" in explanation["no_score"]
    assert "score 60 < 60.01" in decisions[NIPS["score_below_pass"]]["explanation_en"]


async def test_evaluation_waiting_for_an_enrolment_is_rejected_when_the_roster_is_final(infra):
    await prepare_topics(infra, ["15"])
    async with (
        running(DEFINITION, infra, park_timeout_s=600),
        Publisher(infra) as pub,
        Feedback(infra, "15") as feedback,
    ):
        await b.send_domain(pub, b.cohort(CODE, "15", evaluation_required=True))
        stray = _evaluation(STRANGER, 80, 1)
        await pub.send("15", stray)
        parked = await feedback.wait_for_outcomes([stray["id"]], "certification", final=False)
        assert parked[stray["id"]]["outcome"] == "parked"
        # The domain close names the roster final: waiting the 600 s out cannot help.
        await b.send_domain(pub, b.closed(CODE, "15", cause_event_id="no-barrier-yet"))
        final = await feedback.wait_for_outcomes([stray["id"]], "certification", timeout=20)
        assert (final[stray["id"]]["outcome"], final[stray["id"]]["reason"]) == (
            "rejected",
            "NOT_ENROLLED",
        )


async def test_a_participant_enrolled_again_after_withdrawing_is_certified(infra):
    await prepare_topics(infra, ["15"])
    code, nip = "15/PKA/2022/V", NIPS["good"]
    async with running(DEFINITION, infra) as svc, Publisher(infra) as pub:
        await b.send_domain(pub, b.cohort(code, "15"))
        await b.send_domain(pub, b.enrolled(code, "15", nip, "Peserta kembali"))
        await b.send_domain(pub, b.withdrawn(code, "15", nip))
        await b.send_domain(pub, b.enrolled(code, "15", nip, "Peserta kembali"))
        close = ingest_event("cohort.closed", {"cohort_code": code}, "15")
        await pub.send("15", close)
        await b.send_domain(pub, b.closed(code, "15", close["id"], enrolled=1))
        await b.send_domain(pub, b.finalised(code, "15", nip, "20"))
        await b.send_domain(pub, b.cohort_finalised(code, "15", 1))

        async def decided() -> bool:
            return await _count(svc, "SELECT count(*) FROM decisions") == 1

        await eventually(decided, what="the decision")
        sql = "SELECT count(*) FROM decisions WHERE completed AND nip = $1"
        assert await _count(svc, sql, nip) == 1
        assert await _count(svc, "SELECT count(*) FROM certificates WHERE nip = $1", nip) == 1


async def test_a_burst_of_closes_decides_every_cohort_once_in_a_few_statements(infra):
    """Everything is on the topics before the service starts, so the closes, finalisations and
    cohort finalisations of several cohorts arrive together and take the set-based paths."""
    await prepare_topics(infra, ["15"])
    codes = [f"15/PKA/2022/B{i}" for i in range(4)]
    staying, leaving = NIPS["good"], NIPS["withdrawn"]
    async with Publisher(infra) as pub:
        for code in codes:
            await b.send_domain(pub, b.cohort(code, "15"))
            await b.send_domain(pub, b.enrolled(code, "15", staying, "Peserta tetap"))
            await b.send_domain(pub, b.enrolled(code, "15", leaving, "Peserta keluar"))
            await b.send_domain(pub, b.withdrawn(code, "15", leaving))
            await b.send_domain(pub, b.finalised(code, "15", staying, "20"))
        for code in codes:
            close = ingest_event("cohort.closed", {"cohort_code": code}, "15")
            await pub.send("15", close)
            await b.send_domain(pub, b.closed(code, "15", close["id"], enrolled=2))
            await b.send_domain(pub, b.cohort_finalised(code, "15", 2))
        async with running(DEFINITION, infra) as svc:

            async def all_decided() -> bool:
                return await _count(svc, "SELECT count(*) FROM decisions") == 2 * len(codes)

            await eventually(all_decided, what="every participant of every cohort decided")
            async with svc.pool.acquire() as conn:
                decisions = await conn.fetch("SELECT cohort_code, nip, completed FROM decisions")
                numbers = await conn.fetch("SELECT cohort_code, nip, number FROM certificates")
    assert sorted((d["cohort_code"], d["nip"], d["completed"]) for d in decisions) == sorted(
        [(code, staying, True) for code in codes] + [(code, leaving, False) for code in codes]
    )
    assert {(n["cohort_code"], n["nip"]) for n in numbers} == {(code, staying) for code in codes}
    # One counter draw for the run: the organiser's sequence has no gap and no repeat.
    sequence = sorted(int(n["number"].split("/")[1]) for n in numbers)
    assert sequence == list(range(sequence[0], sequence[0] + len(codes)))


async def test_a_cohort_finalised_before_its_schedule_arrived_waits_for_it(infra):
    """Attendance's topic can run ahead of enrolment's here (a lagging consumer, a replay):
    its CohortFinalised must not be lost, or the withdrawn are never decided."""
    await prepare_topics(infra, ["15"])
    code, staying, leaving = "15/PKA/2022/VI", NIPS["good"], NIPS["withdrawn"]
    async with running(DEFINITION, infra) as svc, Publisher(infra) as pub:
        await b.send_domain(pub, b.cohort_finalised(code, "15", 2))

        async def parked() -> bool:
            return await _count(svc, "SELECT count(*) FROM parked_events") == 1

        await eventually(parked, what="the early cohort finalisation parked")
        await b.send_domain(pub, b.cohort(code, "15"))
        await b.send_domain(pub, b.enrolled(code, "15", staying, "Peserta tetap"))
        await b.send_domain(pub, b.enrolled(code, "15", leaving, "Peserta keluar"))
        await b.send_domain(pub, b.withdrawn(code, "15", leaving))
        await b.send_domain(pub, b.finalised(code, "15", staying, "20"))
        close = ingest_event("cohort.closed", {"cohort_code": code}, "15")
        await pub.send("15", close)
        await b.send_domain(pub, b.closed(code, "15", close["id"], enrolled=2))

        async def both_decided() -> bool:
            return await _count(svc, "SELECT count(*) FROM decisions") == 2

        await eventually(both_decided, what="the staying and the withdrawn participant decided")
        sql = "SELECT count(*) FROM decisions WHERE completed = $1 AND nip = $2"
        assert await _count(svc, sql, True, staying) == 1
        assert await _count(svc, sql, False, leaving) == 1
