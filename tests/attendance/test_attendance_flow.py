"""Attendance on real Kafka and Postgres: marks, corrections, parking, rejections, finalisation,
the sheet in the venue's zone, and a replay that must change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx
import pytest

from builders.calendar import T0
from builders.domain import cancelled, closed, enrolled, scheduled, send_domain, withdrawn
from builders.ingest import ingest_event, mark
from builders.nips import numbered_nip as nip
from services.attendance.entrypoints.app import DEFINITION
from shared.runtime import ServiceRuntime
from shared.topics import ATTENDANCE_EVENTS
from tests.support import Feedback, Publisher, TopicReader, eventually, prepare_topics, running

pytestmark = pytest.mark.integration
TOKENS = "nat=national,p73=publisher:73,p74=publisher:74,p91=publisher:91"
D5, D6, D7 = dt.date(2024, 3, 5), dt.date(2024, 3, 6), dt.date(2024, 3, 7)
# 10 JP in all: missing the 1-JP session leaves exactly 90 %, the 1.05-JP one 89.5 %.
WITA_SESSIONS = [
    (1, D5, "07:30", "09:00", "1.00"),
    (2, D5, "09:00", "10:00", "1.05"),
    (3, D6, "08:00", "11:00", "3.00"),
    (4, D7, "08:00", "14:00", "4.95"),
]


async def _fetch(runtime: ServiceRuntime, sql: str, *args: Any) -> list[dict[str, Any]]:
    async with runtime.pool.acquire() as conn:
        return [dict(r) for r in await conn.fetch(sql, *args)]


async def _get(runtime: ServiceRuntime, path: str, token: str | None = "nat") -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=runtime.http_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get(path, headers=headers)


def _all_outcomes(feedback: Feedback, event_id: str) -> list[str]:
    return [
        e["data"]["outcome"]
        for e in feedback.events
        if e["type"].endswith("outcome.v1") and e["data"]["event_id"] == event_id
    ]


def _participants(out: TopicReader) -> list[dict[str, Any]]:
    """Each participant's figures from the cohorts' finalisations (v2, one event per part)."""
    return [
        {"cohort_code": x["data"]["cohort_code"], **figures}
        for x in out.of_type("cohort_finalised.v2")
        for figures in x["data"]["results"]
    ]


def _assert_finalised(out: TopicReader, a: str, b: str, c: str, d: str, e: str) -> None:
    """Once each: A 100 %, B exactly 90 %, C 89.5 %, D (nothing recorded) 0 %, E 100 %."""
    finalised = {x["nip"]: x for x in _participants(out)}
    assert len(_participants(out)) == 5
    assert len(out.of_type("cohort_finalised.v2")) == 1
    assert {p: Decimal(x["rate_pct"]) for p, x in finalised.items()} == {
        a: 100,
        b: 90,
        c: Decimal("89.5"),
        d: 0,
        e: 100,
    }
    assert finalised[b]["missed_by_status"]["IZIN"] == 1
    assert finalised[c]["missed_by_status"]["SAKIT"] == 1
    assert finalised[d]["missed_by_status"]["UNRECORDED"] == 4
    assert Decimal(finalised[d]["jp_total"]) == 10


async def _assert_sheet_summary_and_daily(
    runtime: ServiceRuntime, code: str, a: str, b: str, c: str
) -> None:
    sheet = (await _get(runtime, f"/api/v1/cohorts/{code}/sheet")).json()
    first = sheet["sessions"][0]
    # 07:30 WITA on 5 March is 23:30 UTC on 4 March: the sheet shows the venue's date.
    assert (first["date"], first["start"]) == ("2024-03-05", "07:30 WITA")
    assert first["starts_at"].startswith("2024-03-04T23:30")
    rows = {r["nip"]: r for r in sheet["participants"]}
    assert rows[a]["statuses"] == ["HADIR", "TERLAMBAT", "HADIR", "HADIR"]
    assert rows[b]["statuses"][0] == "IZIN" and rows[c]["statuses"][1] == "SAKIT"
    summary = (await _get(runtime, f"/api/v1/cohorts/{code}/participants/{b}", "p73")).json()
    assert (Decimal(summary["rate_pct"]), summary["finalised"]) == (90, True)
    days = (await _get(runtime, f"/api/v1/cohorts/{code}/daily")).json()["days"]
    assert [(x["date"], x["present"]) for x in days] == [
        ("2024-03-05", 6),
        ("2024-03-06", 4),
        ("2024-03-07", 4),
    ]
    assert (await _get(runtime, f"/api/v1/cohorts/{code}/sheet", "p74")).status_code == 403
    assert (await _get(runtime, f"/api/v1/cohorts/{code}/sheet", None)).status_code == 401


async def test_wita_cohort_marks_corrections_rejections_and_a_single_finalisation(infra):
    code = "73/TEKNIS/2024/I"
    a, b, c, d, e, f, h = (nip(i) for i in range(1, 8))
    t1, t2 = T0, T0 + dt.timedelta(hours=1)
    await prepare_topics(infra, ["73", "74"])
    async with (
        running(DEFINITION, infra, api_tokens=TOKENS) as runtime,
        Publisher(infra) as pub,
        Feedback(infra, "73") as fb,
        Feedback(infra, "74") as fb74,
        TopicReader(infra, ATTENDANCE_EVENTS) as out,
    ):
        await send_domain(pub, scheduled(code, "73", "Asia/Makassar", WITA_SESSIONS))
        for p in (a, b, c, d, f):
            await send_domain(pub, enrolled(code, "73", p))
        await send_domain(pub, withdrawn(code, "73", f))
        await eventually(
            lambda: _fetch(
                runtime, "SELECT 1 FROM enrolments WHERE nip = $1 AND withdrawn_at IS NOT NULL", f
            ),
            what="roster",
        )

        full = [mark(code, "73", p, n, "HADIR") for p in (a, e) for n in (1, 2, 3, 4)]
        full[1] = mark(code, "73", a, 2, "TERLAMBAT")
        b_marks = [mark(code, "73", b, 1, "HADIR", t1), mark(code, "73", b, 1, "IZIN", t2)]
        b_marks += [mark(code, "73", b, n, "HADIR") for n in (2, 3, 4)]
        # C's correction arrives before the mark it corrects: the later `time` still wins.
        c_marks = [mark(code, "73", c, 2, "SAKIT", t2), mark(code, "73", c, 2, "HADIR", t1)]
        c_marks += [mark(code, "73", c, n, "HADIR") for n in (1, 3, 4)]
        unknown_session = mark(code, "73", a, 9, "HADIR")
        after_withdrawal = mark(code, "73", f, 1, "HADIR")
        never_enrolled = mark(code, "73", h, 1, "HADIR")
        not_owner = mark(code, "74", a, 1, "HADIR")
        await pub.send(
            "73",
            *full[:4],
            full[0],
            *b_marks,
            *c_marks,
            unknown_session,
            after_withdrawal,
            *full[4:],
            never_enrolled,
        )
        await pub.send("74", not_owner)

        settled = [m["id"] for m in full[1:4] + b_marks + c_marks]  # full[0] is resent
        outcomes = await fb.wait_for_outcomes(
            [*settled, unknown_session["id"], after_withdrawal["id"]]
        )
        assert {outcomes[i]["outcome"] for i in settled} == {"applied"}
        assert outcomes[unknown_session["id"]]["reason"] == "UNKNOWN_SESSION"
        assert outcomes[after_withdrawal["id"]]["reason"] == "NOT_ENROLLED"
        await fb.wait_for(
            lambda _: _all_outcomes(fb, full[0]["id"]) == ["applied", "duplicate"],
            what="duplicate reported",
        )
        owner = await fb74.wait_for_outcomes([not_owner["id"]])
        assert owner[not_owner["id"]]["reason"] == "NOT_OWNER"
        # Before enrolment: parked, then applied when the enrolment arrives.
        waiting = [m["id"] for m in full[4:]] + [never_enrolled["id"]]
        parked = await fb.wait_for_outcomes(waiting, final=False)
        assert {o["outcome"] for o in parked.values()} == {"parked"}
        await send_domain(pub, enrolled(code, "73", e))
        applied = await fb.wait_for_outcomes([m["id"] for m in full[4:]])
        assert {o["outcome"] for o in applied.values()} == {"applied"}

        close = ingest_event("cohort.closed", {"cohort_code": code}, "73")
        late = mark(code, "73", a, 4, "ALPA", t2)
        await pub.send("73", close, late, close)
        closed_id = await send_domain(pub, closed(code, "73", close["id"]))
        await send_domain(pub, closed(code, "73", close["id"]), event_id=closed_id)
        again_id = await send_domain(pub, closed(code, "73", close["id"]))

        rejected = await fb.wait_for_outcomes([late["id"], never_enrolled["id"]])
        assert rejected[late["id"]]["reason"] == "COHORT_CLOSED"
        assert rejected[never_enrolled["id"]]["reason"] == "NOT_ENROLLED"
        await out.wait_for(
            lambda evs: any(x["type"].endswith("cohort_finalised.v2") for x in evs),
            what="cohort finalised",
        )
        await eventually(
            lambda: _fetch(runtime, "SELECT 1 FROM processed_events WHERE event_id = $1", again_id),
            what="repeated close",
        )
        await eventually(
            lambda: _fetch(runtime, "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM outbox)"),
            what="outbox drained",
        )
        await out.poll()

        _assert_finalised(out, a, b, c, d, e)
        await _assert_sheet_summary_and_daily(runtime, code, a, b, c)


async def test_wit_cohort_heard_of_after_its_marks_parks_them_and_keeps_venue_dates(infra):
    code, cancelled_code = "91/LATSAR/2024/II", "91/BATAL/2024/I"
    p = nip(11)
    # 06:00 WIT on 1 July is 21:00 UTC on 30 June.
    sessions = [
        (1, dt.date(2024, 7, 1), "06:00", "08:00", "2"),
        (2, dt.date(2024, 7, 2), "13:00", "15:00", "2"),
    ]
    await prepare_topics(infra, ["91"])
    async with (
        running(DEFINITION, infra, api_tokens=TOKENS) as runtime,
        Publisher(infra) as pub,
        Feedback(infra, "91") as fb,
    ):
        early = [mark(code, "91", p, 1, "HADIR"), mark(code, "91", p, 2, "ALPA")]
        await pub.send("91", *early)
        parked = await fb.wait_for_outcomes([m["id"] for m in early], final=False)
        assert {o["outcome"] for o in parked.values()} == {"parked"}
        await send_domain(pub, scheduled(code, "91", "Asia/Jayapura", sessions))
        await send_domain(pub, enrolled(code, "91", p))
        applied = await fb.wait_for_outcomes([m["id"] for m in early])
        assert {o["outcome"] for o in applied.values()} == {"applied"}

        await send_domain(pub, scheduled(cancelled_code, "91", "Asia/Jayapura", sessions))
        await send_domain(pub, enrolled(cancelled_code, "91", p))
        await send_domain(pub, cancelled(cancelled_code, "91"))
        await eventually(
            lambda: _fetch(runtime, "SELECT 1 FROM cohorts WHERE status = 'cancelled'"),
            what="cancellation",
        )
        too_late = mark(cancelled_code, "91", p, 1, "HADIR")
        await pub.send("91", too_late)
        outcome = (await fb.wait_for_outcomes([too_late["id"]]))[too_late["id"]]
        assert outcome["reason"] == "COHORT_CANCELLED"

        sheet = (await _get(runtime, f"/api/v1/cohorts/{code}/sheet", "p91")).json()
        assert sheet["zone"] == "WIT"
        assert [(s["date"], s["start"]) for s in sheet["sessions"]] == [
            ("2024-07-01", "06:00 WIT"),
            ("2024-07-02", "13:00 WIT"),
        ]
        assert sheet["participants"][0]["statuses"] == ["HADIR", "ALPA"]
        days = (await _get(runtime, f"/api/v1/cohorts/{code}/daily", "p91")).json()["days"]
        assert [(x["date"], x["present"], x["absent_by_status"]["ALPA"]) for x in days] == [
            ("2024-07-01", 1, 0),
            ("2024-07-02", 0, 1),
        ]
        summary = (await _get(runtime, f"/api/v1/cohorts/{code}/participants/{p}")).json()
        assert (Decimal(summary["rate_pct"]), summary["finalised"]) == (50, False)


async def test_a_replay_of_the_whole_log_by_a_new_consumer_group_changes_nothing(infra):
    code = "15/PKA/2024/IV"
    p, q = nip(21), nip(22)
    sessions = [
        (1, dt.date(2024, 5, 6), "08:00", "12:00", "4"),
        (2, dt.date(2024, 5, 7), "08:00", "12:00", "4"),
    ]
    state = (
        "SELECT nip, rate_pct, finalised_at FROM finalisations ORDER BY nip",
        "SELECT nip, session_no, status, event_id FROM attendance ORDER BY 1, 2",
        "SELECT count(*) AS n FROM processed_events",
    )
    await prepare_topics(infra, ["15"])
    async with Publisher(infra) as pub, TopicReader(infra, ATTENDANCE_EVENTS) as out:
        async with running(DEFINITION, infra) as runtime, Feedback(infra, "15") as fb:
            await send_domain(pub, scheduled(code, "15", "Asia/Jakarta", sessions))
            for x in (p, q):
                await send_domain(pub, enrolled(code, "15", x))
            marks = [mark(code, "15", p, 1, "HADIR"), mark(code, "15", p, 2, "SAKIT")]
            await eventually(
                lambda: _fetch(runtime, "SELECT 1 FROM enrolments WHERE nip = $1", q), what="roster"
            )
            await pub.send("15", *marks)
            await fb.wait_for_outcomes([m["id"] for m in marks])
            close = ingest_event("cohort.closed", {"cohort_code": code}, "15")
            await pub.send("15", close)
            await send_domain(pub, closed(code, "15", close["id"]))
            await out.wait_for(
                lambda evs: any(x["type"].endswith("cohort_finalised.v2") for x in evs),
                what="finalised",
            )
            before = [await _fetch(runtime, sql) for sql in state]

        async with running(DEFINITION, infra, consumer_group="attendance-replay") as replay:
            # Markers behind everything else in the cohort's partitions: once they are in the
            # inbox, the replay of the earlier records is done.
            marker_domain = await send_domain(pub, closed(code, "15", close["id"]))
            marker_ingest = mark(code, "15", q, 1, "HADIR")
            await pub.send("15", marker_ingest)
            await eventually(
                lambda: _fetch(
                    replay,
                    "SELECT 1 FROM processed_events WHERE "
                    "event_id = ANY($1::text[]) HAVING count(*) = 2",
                    [marker_domain, marker_ingest["id"]],
                ),
                what="replay reached the markers",
            )
            await eventually(
                lambda: _fetch(replay, "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM outbox)"),
                what="outbox drained",
            )
            after = [await _fetch(replay, sql) for sql in state]
        await out.poll()

    assert after[:2] == before[:2]
    assert after[2][0]["n"] == before[2][0]["n"] + 2
    assert len(_participants(out)) == 2
    assert len(out.of_type("cohort_finalised.v2")) == 1


async def test_cohorts_closed_together_are_finalised_once_each(infra):
    """Closes already on the log when the service starts arrive as runs: each cohort is still
    finalised once, a participant with no marks at rate 0, a withdrawn one not at all."""
    codes = ["35/TEKNIS/2024/I", "35/TEKNIS/2024/II", "35/TEKNIS/2024/III"]
    sessions = [(1, D5, "08:00", "12:00", "4"), (2, D6, "08:00", "12:00", "4")]
    present, absent, gone = nip(31), nip(32), nip(33)
    closes = [ingest_event("cohort.closed", {"cohort_code": c}, "35") for c in codes]
    await prepare_topics(infra, ["35"])
    async with Publisher(infra) as pub, TopicReader(infra, ATTENDANCE_EVENTS) as out:
        for code in codes:
            await send_domain(pub, scheduled(code, "35", "Asia/Jakarta", sessions))
            for p in (present, absent, gone):
                await send_domain(pub, enrolled(code, "35", p))
            await send_domain(pub, withdrawn(code, "35", gone))
        await pub.send("35", *[mark(c, "35", present, 1, "HADIR") for c in codes], *closes)
        for code, close in zip(codes, closes, strict=True):
            await send_domain(pub, closed(code, "35", close["id"]))
        again_id = await send_domain(pub, closed(codes[0], "35", closes[0]["id"]))
        async with running(DEFINITION, infra) as runtime:
            await eventually(
                lambda: _fetch(
                    runtime, "SELECT 1 FROM processed_events WHERE event_id = $1", again_id
                ),
                what="repeated close",
            )
            await out.wait_for(
                lambda evs: sum(x["type"].endswith("cohort_finalised.v2") for x in evs) == 3,
                what="three cohorts finalised",
            )
            await eventually(
                lambda: _fetch(runtime, "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM outbox)"),
                what="outbox drained",
            )
        await out.poll()

    finalised = [(x["cohort_code"], x["nip"], Decimal(x["rate_pct"])) for x in _participants(out)]
    assert sorted(finalised) == sorted(
        [(c, present, Decimal(50)) for c in codes] + [(c, absent, Decimal(0)) for c in codes]
    )
    assert [x["data"]["participants"] for x in out.of_type("cohort_finalised.v2")] == [2, 2, 2]
