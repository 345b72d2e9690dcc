"""Background PDF rendering: certificates are issued without a PDF and rendered here, off the
consumer's hot path; several instances share the work through SKIP LOCKED."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg

from services.certification.adapters import postgres as repo
from services.certification.adapters.pdf import render_certificate, verification_url
from shared.logging import get_logger
from shared.runtime import ServiceRuntime

log = get_logger(__name__)
BATCH = 20
POLL_S = 1.0


async def render_pending(pool: asyncpg.Pool, public_base_url: str, limit: int = BATCH) -> int:
    """Render up to `limit` pending PDFs; returns how many were rendered."""
    async with pool.acquire() as conn, conn.transaction():
        pending = await repo.claim_pending_pdfs(conn, limit)
        for certificate in pending:
            url = verification_url(public_base_url, certificate.verification_code)
            # reportlab is CPU-bound and synchronous: keep the event loop (and consumers) free.
            pdf = await asyncio.to_thread(render_certificate, certificate.content, url)
            await repo.store_pdf(conn, certificate.id, pdf)
    if pending:
        log.info("certificate PDFs rendered", count=len(pending))
    return len(pending)


async def pdf_worker(runtime: ServiceRuntime) -> None:
    wake = asyncio.Event()
    channel = f"{runtime.name}_pdf"

    def on_notify(*_: object) -> None:
        wake.set()

    while True:
        try:
            async with runtime.pool.acquire() as listener:
                await listener.add_listener(channel, on_notify)
                try:
                    while True:
                        wake.clear()
                        if (
                            await render_pending(runtime.pool, runtime.settings.public_base_url)
                            < BATCH
                        ):
                            with contextlib.suppress(TimeoutError):
                                await asyncio.wait_for(wake.wait(), POLL_S)
                finally:
                    with contextlib.suppress(Exception):
                        await listener.remove_listener(channel, on_notify)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("PDF worker lost its connection; retrying", error=str(exc))
            await asyncio.sleep(POLL_S)
