"""The demo end to end on the real broker and Postgres: the seeds' spreadsheets published through
`diklat publish`'s code path reach a national view with the hand-computed numbers."""

from __future__ import annotations

import contextlib
from collections import Counter

import httpx
import pytest

from diklat.demo import ORGANISERS, national_summary, publish_demo, wait_for_national_view
from services.attendance.entrypoints.app import DEFINITION as ATTENDANCE
from services.certification.entrypoints.app import DEFINITION as CERTIFICATION
from services.consolidation.entrypoints.app import DEFINITION as CONSOLIDATION
from services.enrolment.entrypoints.app import DEFINITION as ENROLMENT
from tests.support import eventually, prepare_topics, running

pytestmark = pytest.mark.e2e

# (enrolled, completed, certificates, JP, rejections) from demo/build.py:
# 16: 31 rows, one NIP whose gender digit contradicts the form; 2 miss a 7-JP day of 6 (83%).
# 35.23: a row pasted twice (duplicate); 2 below 90% (87.5%, 75%); a correction after the close.
# nasional: IV and V, 30 each; one below 90% in each; 5 days × 8 JP.
# 15: PKA (15 × 8 JP, evaluated): one at 86.7%, one scoring 58.50; camat visit (4 × 8 JP): one 75%.
EXPECTED = {
    "16": (30, 28, 28, 28 * 42, {"INVALID_NIP": 1}),
    "35.23": (30, 28, 28, 28 * 48, {"COHORT_CLOSED": 1}),
    "nasional": (60, 58, 58, 58 * 40, {}),
    "15": (60, 57, 57, 28 * 120 + 29 * 32, {}),
}


async def test_demo_publishes_the_seeds_and_the_national_view_adds_up(infra):
    await prepare_topics(infra, [o.publisher for o in ORGANISERS])
    async with contextlib.AsyncExitStack() as stack:
        runtimes = [
            await stack.enter_async_context(running(d, infra, api_tokens="nat=national"))
            for d in (ENROLMENT, ATTENDANCE, CERTIFICATION, CONSOLIDATION)
        ]
        lines: list[str] = []
        reports = await publish_demo(infra, lines.append, timeout=120, progress=False)
        outcomes = {p: sum((r.counts() for r in rs), Counter[str]()) for p, rs in reports.items()}
        assert outcomes["35.23"]["duplicate"] == 1, lines
        assert outcomes["35.23"]["rejected COHORT_CLOSED"] == 1, lines
        assert outcomes["16"]["rejected INVALID_NIP"] == 1, lines
        assert not any("tidak dijawab" in k for c in outcomes.values() for k in c), lines

        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=runtimes[3].http_app()),
            base_url="http://t",
            headers={"Authorization": "Bearer nat"},
        ) as http:

            async def summary() -> dict[str, tuple[object, ...]]:
                return {
                    r.publisher: (r.enrolled, r.completed, r.certificates, r.jp, r.rejected)
                    for r in await national_summary(http)
                }

            async def as_expected() -> bool:
                # Consolidation reads the feedback topics on its own: poll until it caught up.
                return await summary() == EXPECTED

            rows, complete = await wait_for_national_view(http, timeout=90)
            assert complete, rows
            await eventually(as_expected, 30, "the national summary")

            # Publishing everything again changes nothing: every event is a duplicate.
            again = await publish_demo(infra, lines.append, timeout=120, progress=False)
            for publisher_reports in again.values():
                for report in publisher_reports:
                    assert set(report.counts()) == {"duplicate"}, report.counts()
            await eventually(as_expected, 30, "the same national summary after a rerun")
            assert await summary() == EXPECTED
