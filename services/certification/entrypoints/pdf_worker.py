"""Background PDF rendering: certificates are issued without a PDF and rendered here, off the
consumer's hot path; several instances share the work through SKIP LOCKED.

Rendering (reportlab, qrcode) is CPU-bound Python. In a thread of the service process it holds
the GIL in 5 ms slices, and every await of the consumers (each socket read and write) then
waits for it: a burst of certificates delayed the next decisions by seconds. So it runs in a
separate, lower-priority process; the service only claims rows and stores the bytes.

Even so it took ~2 s of CPU (and Postgres' time to store the PDFs) from a burst of 15,000
certificates on two cores, so it waits until the consumers have been quiet for a moment: the
certificates are issued first and rendered after. A PDF asked for before it is rendered is
rendered on the spot by the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import asyncpg

from services.certification.adapters.pdf import render_certificate, verification_url
from services.certification.adapters.postgres import views
from shared.logging import get_logger
from shared.retry import renewing, through_outside_trouble
from shared.runtime import ServiceRuntime

log = get_logger(__name__)
BATCH = 20
POLL_S = 1.0
QUIET_S = 0.5  # no batch handled for this long: the consumers are idle
MAX_DEFER_S = 10.0  # under sustained load, one batch of PDFs this often all the same
NICENESS = 10  # below the consumers, Postgres and the broker when CPU is short


def render_many(items: list[tuple[dict[str, Any], str]]) -> list[bytes]:
    """Render (content, verification URL) pairs; runs in the renderer process."""
    return [render_certificate(content, url) for content, url in items]


def _renderer_init(parent: int) -> None:
    with contextlib.suppress(OSError):
        os.nice(NICENESS)

    def exit_with_parent() -> None:
        # A killed service leaves no renderer behind.
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=exit_with_parent, daemon=True).start()


def renderer() -> ProcessPoolExecutor:
    """One renderer process (spawned: the service process has threads and an event loop)."""
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_renderer_init,
        initargs=(os.getpid(),),
    )


async def render_pending(
    pool: asyncpg.Pool,
    public_base_url: str,
    limit: int = BATCH,
    executor: ProcessPoolExecutor | None = None,
) -> int:
    """Render up to `limit` pending PDFs (in `executor`, else a thread); returns how many."""
    async with pool.acquire() as conn, conn.transaction():
        pending = await views.claim_pending_pdfs(conn, limit)
        if pending:
            items = [
                (c.content, verification_url(public_base_url, c.verification_code)) for c in pending
            ]
            if executor is None:
                pdfs = await asyncio.to_thread(render_many, items)
            else:
                pdfs = await asyncio.get_running_loop().run_in_executor(
                    executor, render_many, items
                )
            for certificate, pdf in zip(pending, pdfs, strict=True):
                await views.store_pdf(conn, certificate.id, pdf)
    if pending:
        log.info("certificate PDFs rendered", count=len(pending))
    return len(pending)


class Renderer:
    """The renderer process of one worker, replaced when it dies."""

    def __init__(self) -> None:
        self.executor = renderer()

    def renew(self) -> None:
        self.shutdown()
        self.executor = renderer()

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


async def pdf_worker(runtime: ServiceRuntime) -> None:
    """Render pending PDFs for the life of the service: Postgres trouble is waited out, a
    renderer process that died is replaced (shared/retry.py)."""
    rendering = Renderer()
    try:
        await through_outside_trouble(
            "PDF worker",
            functools.partial(_renewing_the_renderer, runtime, rendering),
            POLL_S,
            said="PDF worker lost its connection; retrying",
        )
    finally:
        rendering.shutdown()


async def _renewing_the_renderer(runtime: ServiceRuntime, rendering: Renderer) -> None:
    await renewing(
        "PDF worker",
        (BrokenProcessPool,),
        rendering.renew,
        functools.partial(_listen_and_render, runtime, rendering),
        said="PDF renderer process died; starting a new one",
    )


async def _listen_and_render(runtime: ServiceRuntime, rendering: Renderer) -> None:
    """Render whenever the consumers are quiet, woken by new certificates or the poll."""
    wake = asyncio.Event()
    channel = f"{runtime.name}_pdf"

    def on_notify(*_: object) -> None:
        wake.set()

    async with runtime.pool.acquire() as listener:
        await listener.add_listener(channel, on_notify)
        try:
            while True:
                wake.clear()
                await runtime.activity.until_quiet(QUIET_S, MAX_DEFER_S)
                rendered = await render_pending(
                    runtime.pool, runtime.settings.public_base_url, BATCH, rendering.executor
                )
                if rendered < BATCH:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), POLL_S)
        finally:
            with contextlib.suppress(Exception):
                await listener.remove_listener(channel, on_notify)
