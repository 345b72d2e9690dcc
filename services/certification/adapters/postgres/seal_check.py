"""`StoredPdfSealCheck`: the `SealCheck` port (ports.py) over the certificate PDFs stored in
Postgres, validated with pyHanko (adapters/seal_check.py)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence

import asyncpg

from services.certification.adapters.postgres import views
from services.certification.ports import SealStatus


class StoredPdfSealCheck:
    """SealCheck over the stored PDFs: None while a certificate has no PDF yet."""

    def __init__(self, pool: Callable[[], asyncpg.Pool], trust_roots: Sequence[bytes]) -> None:
        self.pool = pool  # the runtime's, opened after the composition root is built
        self.trust_roots = tuple(trust_roots)

    async def check(self, certificate_id: uuid.UUID) -> SealStatus | None:
        async with self.pool().acquire() as conn:
            pdf = await views.pdf_of(conn, certificate_id)
        if pdf is None:
            return None
        return await asyncio.to_thread(_seal_status, pdf, self.trust_roots)


def _seal_status(pdf: bytes, trust_roots: Sequence[bytes]) -> SealStatus:
    # pyHanko's validator is imported on the first verification, in its thread, not at the
    # service's start: ~20 MB of a peak of ~200 (bench/notes.md, session 15).
    from services.certification.adapters.seal_check import seal_status

    return seal_status(pdf, trust_roots)
