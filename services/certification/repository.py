"""How handlers and admin commands reach the repository: `of(uow)`, the one the unit of work
was given (the composition root names the Postgres adapter; unit tests an in-memory one), as
attendance's and enrolment's `repository(uow)` do."""

from __future__ import annotations

from typing import cast

from services.certification.ports import CertificationRepository
from shared.consumer import UnitOfWork


def of(uow: UnitOfWork) -> CertificationRepository:
    """The repository of this unit of work."""
    return cast(CertificationRepository, uow.repository)
