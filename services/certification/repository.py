"""How handlers and admin commands reach the repository: `of(uow)`, one factory from the unit of
work, Postgres on its connection unless the bootstrap or a unit test `use`s another (the
handler signature stays (uow, event))."""

from __future__ import annotations

from collections.abc import Callable

from services.certification.adapters.postgres import PostgresRepository
from services.certification.ports import CertificationRepository
from shared.consumer import UnitOfWork

RepositoryFactory = Callable[[UnitOfWork], CertificationRepository]


def on_its_connection(uow: UnitOfWork) -> CertificationRepository:
    """The Postgres repository on the unit of work's transaction."""
    return PostgresRepository(uow.conn)


_factory: RepositoryFactory = on_its_connection


def of(uow: UnitOfWork) -> CertificationRepository:
    """The repository of this unit of work."""
    return _factory(uow)


def use(factory: RepositoryFactory) -> RepositoryFactory:
    """Make `of` build repositories with `factory`; returns the one used until now."""
    global _factory
    previous, _factory = _factory, factory
    return previous
