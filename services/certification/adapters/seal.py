"""The seal check while no PDF is sealed: every certificate answers "not sealed yet". The
sealing adapter replaces it in the composition root (bootstrap.py: `dependencies`)."""

from __future__ import annotations

import uuid

from services.certification.ports import SealStatus


class NotSealed:
    """`SealCheck` for a service that does not seal its PDFs (yet)."""

    async def check(self, certificate_id: uuid.UUID) -> SealStatus | None:
        return None
