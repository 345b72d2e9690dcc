"""`python -m bench.sealing [--count N]`: certificate PDFs rendered and sealed per second by the
PDF worker's renderer process (one process, so one core), in the worker's batches, and that
process's peak RSS; beside it, rendering alone in this process, for the seal's share."""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import psutil

from builders.sttp import numbered_content
from services.certification.adapters.pdf import render_certificate
from services.certification.certificates import verification_url
from services.certification.entrypoints.pdf_worker import BATCH, Item, render_many, renderer
from services.certification.settings import SealSettings

BASE_URL = "https://sttp.example.go.id"


def items(count: int) -> list[Item]:
    return [
        (numbered_content(i), verification_url(BASE_URL, f"7KQ2-M9XD-RT4H-WP3N-{i:04d}"), "15")
        for i in range(count)
    ]


def peak_rss_mib(pid: int) -> float:
    """The process's high-water resident set (VmHWM), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


async def sealed_rate(count: int, seal_dir: Path) -> tuple[float, float, float, int]:
    """(PDFs per wall second, per CPU second of the renderer, its peak RSS MiB, mean bytes)."""
    executor = renderer(SealSettings(mode="local-ca", dir=seal_dir))
    loop = asyncio.get_running_loop()
    try:
        pid = await loop.run_in_executor(executor, os.getpid)
        await loop.run_in_executor(executor, render_many, items(BATCH))  # imports, seal issued
        process = psutil.Process(pid)
        cpu_before = sum(process.cpu_times()[:2])
        started = time.perf_counter()
        sizes = 0
        work = items(count)
        for first in range(0, count, BATCH):
            pdfs = await loop.run_in_executor(executor, render_many, work[first : first + BATCH])
            sizes += sum(len(p or b"") for p in pdfs)
        wall = time.perf_counter() - started
        cpu = sum(process.cpu_times()[:2]) - cpu_before
        return count / wall, count / cpu, peak_rss_mib(pid), sizes // count
    finally:
        executor.shutdown()


def rendered_rate(count: int) -> float:
    work = items(count)
    started = time.process_time()
    for item_content, url, _ in work:
        render_certificate(item_content, url)
    return count / (time.process_time() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300, help="PDFs to render and seal")
    count = parser.parse_args().count
    with tempfile.TemporaryDirectory(prefix="bench-seals-") as seal_dir:
        wall_rate, cpu_rate, peak, size = asyncio.run(sealed_rate(count, Path(seal_dir)))
    render_only = rendered_rate(count)
    print(
        f"rendered and sealed (PAdES B-B, local EC P-256 seal), {count} PDFs in batches of {BATCH}:"
    )
    print(f"  {wall_rate:.1f} PDFs/s wall, {cpu_rate:.1f} PDFs/s per CPU second of the renderer")
    print(f"  renderer process peak RSS {peak:.0f} MiB; mean sealed PDF {size / 1024:.1f} KiB")
    print(f"rendered only (no seal), this process: {render_only:.1f} PDFs/s per CPU second")


if __name__ == "__main__":
    main()
