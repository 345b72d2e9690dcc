"""The benchmarks: ingest throughput against a raw baseline, close -> certificate latency,
national rebuild rate, peak RSS and scale-out; on request (`--only national`) the 20 JP
compliance views over a national roster. Results go to bench/results.json and
docs/benchmarks.md (see `python -m bench --help`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from collections.abc import Awaitable, Sequence
from pathlib import Path
from typing import Any

from bench.figures import machine
from bench.infra import ROOT
from bench.infra import stack as open_stack
from bench.ingest import attendance_figures, enrolment_figures, enrolment_side_by_side
from bench.latency import latency_figures
from bench.national import national_figures
from bench.rebuild import rebuild_figures
from bench.report import write_markdown
from bench.scenario import Scale

__all__ = ["Scale", "main", "run_all"]

RESULTS = ROOT / "bench" / "results.json"
DOC = ROOT / "docs" / "benchmarks.md"


# `national` takes hours at the sizes: run only when asked for (`--only national`).
DEFAULT = {"attendance", "enrolment", "scale_out", "latency", "rebuild"}


async def run_all(
    scale: Scale, use_kafka: bool, only: set[str] | None = None, before: Path | None = None
) -> dict[str, Any]:
    want = only or DEFAULT
    results: dict[str, Any] = {"scale": scale.__dict__, "started": time.strftime("%FT%T%z")}
    with open_stack(use_kafka) as stack:
        results["broker"] = stack.broker_name
        rss: dict[str, list[float]] = {}
        if "attendance" in want or "scale_out" in want:
            results |= await attendance_figures(stack, scale, "scale_out" in want, rss)
        if "enrolment" in want and before is not None:
            side_by_side = await enrolment_side_by_side(stack, scale, rss, before)
            results["enrolment_ingest"] = side_by_side["after"]
            results["enrolment_ingest_before"] = side_by_side["before"]
        elif "enrolment" in want:
            results["enrolment_ingest"] = await enrolment_figures(stack, scale, rss)
        if "latency" in want:
            results |= await latency_figures(stack, scale, rss)
        if "rebuild" in want:
            results["rebuild"] = await rebuild_figures(stack, scale, rss)
        if "national" in want:
            results["national"] = await national_figures(stack, scale)
        results["peak_rss_mb"] = {k: max(v) for k, v in rss.items()}
    results["machine"] = machine()
    return results


async def _stoppable(work: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    """Run `work`, cancelled by SIGTERM or SIGINT: the stack and the services it started are
    then stopped by their context managers instead of being left running without a parent."""
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    return await task


def _beside_the_others(results: dict[str, Any], path: Path) -> dict[str, Any]:
    """The national figures added to the file's other figures, which stay as they were: the
    national section carries its own sizes, start time and machine."""
    kept: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    return kept | {"national": results["national"]} if kept else results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a quarter to a tenth of the issue's sizes (national: a hundredth)",
    )
    parser.add_argument("--kafka", action="store_true", help="Apache Kafka instead of Tansu")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--only", nargs="*", help="attendance enrolment scale_out latency rebuild national"
    )
    parser.add_argument(
        "--before",
        type=Path,
        help="another commit's source tree (e.g. `git archive` of it): enrolment runs from it "
        "and from this tree in turn, side by side in one run",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--doc", type=Path, default=DOC)
    args = parser.parse_args(argv)
    scale = Scale.quick(args.repeats) if args.quick else Scale(repeats=args.repeats)
    only = set(args.only) if args.only else None
    try:
        results = asyncio.run(_stoppable(run_all(scale, args.kafka, only, args.before)))
    except asyncio.CancelledError:
        sys.exit("bench: stopped by a signal; everything it started is stopped, nothing written")
    if only == {"national"}:
        results = _beside_the_others(results, args.out)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    write_markdown(results, args.doc)
    print(json.dumps(results, indent=2))
