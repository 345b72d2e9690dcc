"""The benchmark harness at a tiny scale, so it keeps working: shape and sanity, not speed."""

from __future__ import annotations

import pytest

from bench.harness import Scale, run_all

pytestmark = pytest.mark.integration


async def test_harness_produces_every_figure_at_small_scale():
    scale = Scale(
        attendance=500,
        registrations=300,
        cohorts_closed=3,
        rebuild=1000,
        repeats=1,
        burst_sweep=(2,),
    )
    results = await run_all(scale, use_kafka=False)
    for key in ("attendance_ingest", "enrolment_ingest"):
        figures = results[key]
        assert figures["service_eps"]["median"] > 0
        assert figures["raw_eps"]["median"] > 0
        assert figures["ratio"]["median"] > 0
    assert results["scale_out"]["two_instances_eps"]["median"] > 0
    latency = results["latency"]
    assert latency["certificates"] == 3 * 30
    assert 0 < latency["close_to_certificate_s"]["p50"] <= latency["close_to_certificate_s"]["p99"]
    [sweep] = results["latency_sweep"]
    assert (sweep["cohorts"], sweep["certificates"]) == (2, 2 * 30)
    p99 = sweep["close_to_certificate_s"]["p99"]
    assert p99 > 0
    assert sweep["p99_s"]["median"] == pytest.approx(p99, abs=0.01)  # spread() rounds to 0.01
    paced = results["latency_paced"]
    assert (paced["certificates"], paced["closes_per_s"]) == (3 * 30, scale.closes_per_s)
    assert set(paced["rss"]) == {"enrolment", "attendance", "certification"}
    assert results["rebuild"]["events"] >= 1000
    assert results["rebuild"]["eps"]["median"] > 0
    today = results["rebuild"]["per_cohort"]
    # The same cohorts with one enrolment event and one finalisation each instead of 30 each.
    assert 0 < today["events"] < results["rebuild"]["events"]
    assert set(results["peak_rss_mb"]) >= {"attendance", "enrolment", "certification"}
    assert all(0 < mb < 2000 for mb in results["peak_rss_mb"].values())
    assert results["machine"]["nproc"]
