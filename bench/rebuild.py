"""The national rebuild rate: consolidation rebuilt from a domain-event history in a child
process (bench/rebuild_child.py), with its peak RSS."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from typing import Any

from bench import workload as wl
from bench.figures import spread
from bench.infra import ROOT, RssSampler, Stack, service_env
from bench.scenario import Scale, fresh
from shared.settings import InfraSettings


async def rebuild_run(stack: Stack, scale: Scale, *, per_cohort: bool = False) -> dict[str, Any]:
    infra = await fresh(stack)
    history = wl.national_history(uuid.uuid4().hex[:6], scale.rebuild, per_cohort=per_cohort)
    await wl.produce(infra, history)
    timing, rss = await rebuild_in_child(stack, infra, "bench")
    seconds = timing["seconds"]
    return {"events": timing["records"], "eps": timing["records"] / seconds, "seconds": seconds,
            "rss": rss}  # fmt: skip


async def rebuild_in_child(
    stack: Stack, infra: InfraSettings, run: str
) -> tuple[dict[str, Any], float]:
    """Rebuild consolidation in a child process: its timing line and its peak RSS in MB."""
    env = service_env("consolidation", infra, stack.workdir, run)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.rebuild_child", env=env, cwd=ROOT, stdout=subprocess.PIPE
    )
    with RssSampler([proc.pid]) as rss:
        out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"rebuild ({run}) failed with exit code {proc.returncode}")
    return json.loads(out.decode().strip().splitlines()[-1]), rss.peak_mb(proc.pid)


async def rebuild_figures(
    stack: Stack, scale: Scale, rss: dict[str, list[float]]
) -> dict[str, Any]:
    """`rebuild` over one run fewer than `scale.repeats` (at least one), and once over the same
    cohorts as today's services publish them (one finalisation per cohort); each run's peak RSS
    goes into `rss`."""
    runs = [await rebuild_run(stack, scale) for _ in range(max(1, scale.repeats - 1))]
    today = await rebuild_run(stack, scale, per_cohort=True)
    rss.setdefault("consolidation (rebuild)", []).extend(r["rss"] for r in [*runs, today])
    return {
        "events": runs[0]["events"],
        "eps": spread([r["eps"] for r in runs]),
        "seconds": spread([r["seconds"] for r in runs]),
        "per_cohort": {k: round(today[k], 1) for k in ("events", "eps", "seconds")},
    }
