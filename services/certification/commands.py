"""Certification's admin commands: revoke a certificate, re-issue it corrected. Each runs in
the caller's unit of work under the cohort lock; the HTTP API is the caller."""

from __future__ import annotations

import uuid

from services.certification import certificates, repository
from services.certification.announcements import (
    announce_issued,
    announce_revoked,
    announce_superseded,
)
from services.certification.ports import Certificate
from shared.consumer import UnitOfWork


async def revoke(uow: UnitOfWork, certificate_id: uuid.UUID, reason: str) -> Certificate | None:
    """Revoke a valid certificate; None if it is not (any longer) valid."""
    repo = repository.of(uow)
    old = await repo.get_certificate(certificate_id, for_update=True)
    if old is None or not await repo.set_status(old.id, "revoked", reason, uow.now):
        return None
    announce_revoked(uow, old, reason)
    return old


async def reissue(
    uow: UnitOfWork, certificate_id: uuid.UUID, correction: certificates.Correction
) -> Certificate | None:
    """A new version replacing a valid certificate; None if it is not (any longer) valid."""
    repo = repository.of(uow)
    old = await repo.get_certificate(certificate_id, for_update=True)
    if old is None or old.status != "valid":
        return None
    version = old.version + 1
    number = certificates.versioned_number(old.content["base_number"], version)
    new = Certificate(
        id=uuid.uuid4(),
        cohort_code=old.cohort_code,
        nip=old.nip,
        publisher=old.publisher,
        number=number,
        version=version,
        verification_code=certificates.new_verification_code(),
        status="valid",
        content=certificates.corrected_content(old.content, correction, number, uow.now.date()),
        issued_at=uow.now,
        previous_id=old.id,
    )
    # Supersede first: the partial unique index admits one valid certificate at a time.
    await repo.set_status(old.id, "superseded", correction.reason, uow.now, new.id)
    announce_superseded(uow, old, new.id, correction.reason)
    if await repo.insert_certificate(new):
        announce_issued(uow, new)
    return new
