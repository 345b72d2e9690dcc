"""The figures made of the runs' measurements: medians with their range, latency
percentiles, throughput ratios, CPU per event, and the machine they were taken on."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections.abc import Iterable, Sequence
from typing import Any


def spread(values: Sequence[float]) -> dict[str, Any]:
    """Median and the run-to-run range, so a reader sees how noisy the figure is."""
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
        "runs": [round(v, 2) for v in values],
    }


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p95, p99 of the run's latencies (all of them: the inclusive method) and the max."""
    if not values:
        return {}
    # Python 3.11's quantiles wants two data points; one is every percentile of itself.
    cuts = statistics.quantiles(
        values * 2 if len(values) == 1 else values, n=100, method="inclusive"
    )
    return {
        "p50": round(cuts[49], 3),
        "p95": round(cuts[94], 3),
        "p99": round(cuts[98], 3),
        "max": round(max(values), 3),
    }


def median_percentiles(runs: Iterable[dict[str, float]]) -> dict[str, float]:
    listed = list(runs)
    return {q: round(statistics.median(r[q] for r in listed), 3) for q in listed[0]}


def throughput(service: list[float], raw: list[float]) -> dict[str, Any]:
    return {
        "service_eps": spread(service),
        "raw_eps": spread(raw),
        "ratio": spread([s / r for s, r in zip(service, raw, strict=True)]),
    }


def cpu_per_event(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median µs of CPU per event of each process tree, for the service and the raw loop."""

    def per_event(key: str) -> dict[str, float]:
        trees = runs[0][key].keys()
        return {
            tree: round(statistics.median(r[key][tree] / r["events"] * 1e6 for r in runs), 1)
            for tree in trees
        }

    return {"cpu_us_per_event": {"service": per_event("cpu"), "raw": per_event("raw_cpu")}}


def cpu_runs(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """µs of CPU per event of each process tree, median and range over the runs, for the
    service run and its raw loop."""
    return {
        f"{side}.{tree}": spread([r[key][tree] / r["events"] * 1e6 for r in runs])
        for side, key in (("service", "cpu"), ("raw", "raw_cpu"))
        for tree in runs[0][key]
    }


def machine() -> dict[str, str]:
    def sh(*argv: str) -> str:
        try:
            return subprocess.run(argv, capture_output=True, text=True, check=False).stdout
        except OSError:
            return ""

    model = [line for line in sh("lscpu").splitlines() if line.startswith("Model name")]
    mem = [line for line in sh("free", "-m").splitlines() if line.startswith("Mem:")]
    return {
        "nproc": sh("nproc").strip(),
        "cpu": model[0].split(":", 1)[1].strip() if model else "",
        "memory_mb": mem[0].split()[1] if mem else "",
        "python": sys.version.split()[0],
        "os": os.uname().release,
    }
