"""Background PDF rendering and sealing: certificates are issued without a PDF and rendered here,
then sealed with their publisher's seal (adapters/pades.py), off the consumer's hot path;
several instances share the work through SKIP LOCKED. Only certificates still valid get one
(certificates.gets_a_sealed_pdf).

Rendering (reportlab, qrcode) and sealing (pyHanko) are CPU-bound Python. In a thread of the
service process they hold the GIL in 5 ms slices, and every await of the consumers (each
socket read and write) then waits for them: a burst of certificates delayed the next decisions
by seconds. So they run in a separate, lower-priority process, which builds its own seals from
the settings it is handed; the service only claims rows and stores the bytes.

Even so it took ~2 s of CPU (and Postgres' time to store the PDFs) from a burst of 15,000
certificates on two cores, so it waits until the consumers have been quiet for a moment: the
certificates are issued first and rendered after. A PDF asked for before it is rendered is
rendered and sealed on the spot by the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
import os
import threading
import time
from collections.abc import Collection
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncpg

from services.certification.adapters.postgres import views
from services.certification.adapters.seals import NoSeal
from services.certification.certificates import verification_url
from services.certification.sealing import credential_keys, render_sealed
from services.certification.settings import SealSettings, seal_settings
from shared.logging import get_logger
from shared.retry import renewing, through_outside_trouble
from shared.runtime import ServiceRuntime

if TYPE_CHECKING:
    from services.certification.adapters.pades import Sealing

log = get_logger(__name__)
BATCH = 20
POLL_S = 1.0
QUIET_S = 0.5  # no batch handled for this long: the consumers are idle
MAX_DEFER_S = 10.0  # under sustained load, one batch of PDFs this often all the same
# The lowest priority: sealing doubled the renderer's CPU, and at nice 10 it still slowed a
# burst's certificates (bench/notes.md, session 11).
NICENESS = 19

# (content, verification URL, publisher) of one certificate to render and seal.
Item = tuple[dict[str, Any], str, str]


@dataclass
class RendererSeals:
    """The renderer process's seals, built by its initializer."""

    sealing: Sealing | None = None


RENDERER_SEALS = RendererSeals()


def render_many(items: list[Item]) -> list[bytes | None]:
    """Render and seal each item; None where its publisher has no seal. Runs in the renderer
    process."""
    seals = RENDERER_SEALS.sealing
    if seals is None:
        raise RuntimeError("the renderer process was started without its seals")
    return [_render_one(item, seals) for item in items]


def _render_one(item: Item, seals: Sealing) -> bytes | None:
    content, url, publisher = item
    try:
        return render_sealed(content, url, publisher, seals)
    except NoSeal:
        return None


def _renderer_init(parent: int, settings: SealSettings) -> None:
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    # pyHanko and reportlab are imported here, in the renderer, not in the service process.
    from services.certification.adapters.pades import Sealing

    RENDERER_SEALS.sealing = Sealing.from_settings(settings)

    def exit_with_parent() -> None:
        # A killed service leaves no renderer behind.
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=exit_with_parent, daemon=True).start()


def renderer(settings: SealSettings) -> ProcessPoolExecutor:
    """One renderer process (spawned: the service process has threads and an event loop)."""
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_renderer_init,
        initargs=(os.getpid(), settings),
    )


async def render_pending(
    pool: asyncpg.Pool,
    public_base_url: str,
    executor: ProcessPoolExecutor,
    limit: int = BATCH,
    without: Collection[str] = (),
) -> tuple[int, set[str]]:
    """Render and seal up to `limit` pending PDFs in the renderer process, skipping the
    publishers `without` a seal; returns how many were stored and the publishers found to
    have no seal (their certificates stay pending)."""
    async with pool.acquire() as conn, conn.transaction():
        pending = await views.claim_pending_pdfs(conn, limit, without)
        if not pending:
            return 0, set()
        items = [
            (c.content, verification_url(public_base_url, c.verification_code), c.publisher)
            for c in pending
        ]
        pdfs = await asyncio.get_running_loop().run_in_executor(executor, render_many, items)
        for certificate, pdf in zip(pending, pdfs, strict=True):
            if pdf is not None:
                await views.store_pdf(conn, certificate.id, pdf)
    unsealed = {c.publisher for c, pdf in zip(pending, pdfs, strict=True) if pdf is None}
    stored = len(pending) - sum(pdf is None for pdf in pdfs)
    if unsealed:
        log.warning("no seal for these publishers: no PDF yet", publishers=sorted(unsealed))
    if stored:
        log.info("certificate PDFs rendered and sealed", count=stored)
    return stored, unsealed


@dataclass
class Renderer:
    """The renderer process of one worker, replaced when it dies, and the publishers it found
    without a seal (skipped until the service restarts, so they cannot hold up the others)."""

    settings: SealSettings
    unsealed: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.executor = renderer(self.settings)

    def renew(self) -> None:
        self.shutdown()
        self.executor = renderer(self.settings)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


async def pdf_worker(runtime: ServiceRuntime) -> None:
    """Render pending PDFs for the life of the service: Postgres trouble is waited out, a
    renderer process that died is replaced (shared/retry.py)."""
    # A wrong seal configuration fails here, where failures pause before a retry, and not in
    # a renderer process that would be replaced at once, again and again: the authority's
    # certificate and key are read as the renderer's seals read them.
    credential_keys().trust_roots()
    rendering = Renderer(seal_settings())
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
                rendered, unsealed = await render_pending(
                    runtime.pool,
                    runtime.settings.public_base_url,
                    rendering.executor,
                    BATCH,
                    rendering.unsealed,
                )
                rendering.unsealed |= unsealed
                if rendered < BATCH and not unsealed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), POLL_S)
        finally:
            with contextlib.suppress(Exception):
                await listener.remove_listener(channel, on_notify)
