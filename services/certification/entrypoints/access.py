"""Who may fetch a certificate by its id over the API: its publisher, or the national BPSDM."""

from __future__ import annotations

import uuid

from fastapi import HTTPException, status

from services.certification.adapters.postgres import views
from services.certification.ports import Certificate
from shared.auth import Principal, require_publisher_access
from shared.db import Connection


async def certificate_for(
    conn: Connection, certificate_id: uuid.UUID, principal: Principal
) -> Certificate:
    """The certificate, if this principal may see it (404 unknown, 403 another's)."""
    certificate = await views.get_certificate(conn, certificate_id)
    if certificate is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown certificate")
    require_publisher_access(principal, certificate.publisher)
    return certificate
