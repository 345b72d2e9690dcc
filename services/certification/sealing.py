"""The seals of this process, built once from DIKLAT_CERTIFICATION_SEAL_* (settings.py): the part
of the composition root that the entrypoints reach (bootstrap imports them, so they cannot
import it). The service process seals what the API renders on the spot; the renderer process
builds its own from the settings it is handed (entrypoints/pdf_worker.py)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

import asyncpg

from services.certification.adapters.pades import Sealing
from services.certification.adapters.pdf import render_certificate
from services.certification.adapters.seal_check import StoredPdfSealCheck
from services.certification.adapters.seals import FileSeals
from services.certification.settings import seal_settings


@functools.cache
def sealing() -> Sealing:
    return Sealing.from_settings(seal_settings())


@functools.cache
def credential_keys() -> FileSeals:
    """The publishers' credential keys (their seals' EC keys), from the same settings."""
    return FileSeals.from_settings(seal_settings())


def seal_check(pool: Callable[[], asyncpg.Pool]) -> StoredPdfSealCheck:
    """The SealCheck port (ports.py) over this service's stored PDFs and its trust roots."""
    return StoredPdfSealCheck(pool, sealing().trust_roots)


def render_sealed(content: dict[str, Any], url: str, publisher: str, seals: Sealing) -> bytes:
    """The certificate's PDF, sealed with its publisher's seal. Blocking, with its own event
    loop for the signer: run it in a thread or the renderer process."""
    return asyncio.run(seals.seal(render_certificate(content, url), publisher))
