"""The seals of this process, built once from DIKLAT_CERTIFICATION_SEAL_* (settings.py): the part
of the composition root that the entrypoints reach (bootstrap imports them, so they cannot
import it). The service process seals what the API renders on the spot; the renderer process
builds its own from the settings it is handed (entrypoints/pdf_worker.py).

pyHanko and reportlab (~30 MB between them) are imported where a PDF is sealed or checked, not
at the service's start: the consumers never use them (bench/notes.md, session 15)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import asyncpg

from services.certification.adapters.postgres.seal_check import StoredPdfSealCheck
from services.certification.adapters.seals import FileSeals
from services.certification.settings import seal_settings

if TYPE_CHECKING:
    from services.certification.adapters.pades import Sealing


@functools.cache
def sealing() -> Sealing:
    from services.certification.adapters.pades import Sealing

    return Sealing.from_settings(seal_settings())


@functools.cache
def credential_keys() -> FileSeals:
    """The publishers' credential keys (their seals' EC keys), from the same settings."""
    return FileSeals.from_settings(seal_settings())


def seal_check(pool: Callable[[], asyncpg.Pool]) -> StoredPdfSealCheck:
    """The SealCheck port (ports.py) over this service's stored PDFs and its trust roots (read,
    or the authority created, now: a wrong seal configuration fails at the service's start)."""
    return StoredPdfSealCheck(pool, credential_keys().trust_roots())


def render_sealed_now(content: dict[str, Any], url: str, publisher: str) -> bytes:
    """`render_sealed` with this process's seals, built (and pyHanko and reportlab imported) in
    the calling thread on first use: the API's on-the-spot render, off the event loop."""
    return render_sealed(content, url, publisher, sealing())


def render_sealed(content: dict[str, Any], url: str, publisher: str, seals: Sealing) -> bytes:
    """The certificate's PDF, sealed with its publisher's seal. Blocking, with its own event
    loop for the signer: run it in a thread or the renderer process."""
    from services.certification.adapters.pdf import render_certificate

    return asyncio.run(seals.seal(render_certificate(content, url), publisher))
