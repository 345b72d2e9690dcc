"""The national scenario at a tiny size, so it keeps working: it loads, serves every view and
writes every figure the issue asks for (shape and sanity, not speed)."""

from __future__ import annotations

import pytest

from bench.harness import Scale, run_all
from bench.report import render

pytestmark = pytest.mark.integration

VIEWS = {
    "national",
    "province",
    "kabupaten_kota",
    "agency",
    "asn",
    "at_risk_first_page",
    "at_risk_page_50",
    "at_risk_by_name",
    "provinces",
    "below_minimum",
}


async def test_national_scenario_loads_serves_and_writes_its_figures():
    scale = Scale(repeats=1, national_asn=1500, national_enrolments=2000)
    results = await run_all(scale, use_kafka=False, only={"national"})
    national = results["national"]
    assert (national["asn"], national["enrolments"]) == (1500, 2000)
    assert national["asn_years"] >= national["at_risk"] > 0
    assert national["load"]["events"] >= 1500 + 2 * 2000
    assert national["load"]["eps"] > 0
    assert national["load"]["determine_everyone_s"] > 0
    assert set(national["views"]) == VIEWS
    for view in national["views"].values():
        assert 0 < view["p50_ms"] <= view["p95_ms"] <= view["max_ms"]
    assert 0 < national["rss_mb"]["load"] < 2000
    assert 0 < national["rss_mb"]["requests"] < 2000
    assert 0 < national["db_size_mb"]["consolidation"] <= national["db_size_mb"]["database"]
    assert "National 20 JP compliance" in render(results)
