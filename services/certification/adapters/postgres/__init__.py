"""Certification on Postgres: `PostgresRepository` implements the repository port
(services/certification/ports.py) on one transaction's connection, by subject (cohorts.py,
decisions.py, certificates.py, profiles.py, status_lists.py); views.py holds what the HTTP API
and the PDF worker read and store."""

from __future__ import annotations

from services.certification.adapters.postgres.certificates import PostgresCertificates
from services.certification.adapters.postgres.cohorts import PostgresCohorts, PostgresEvaluations
from services.certification.adapters.postgres.decisions import PostgresDecisions
from services.certification.adapters.postgres.profiles import PostgresProfiles
from services.certification.adapters.postgres.status_lists import PostgresStatusLists
from shared.db import Connection

__all__ = ["PostgresRepository"]


class PostgresRepository(
    PostgresCohorts,
    PostgresEvaluations,
    PostgresDecisions,
    PostgresCertificates,
    PostgresProfiles,
    PostgresStatusLists,
):
    """The whole repository on the unit of work's connection (each part keeps `conn`)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
