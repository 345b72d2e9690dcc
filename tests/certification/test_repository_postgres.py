"""Certification's repository contract (repository_contract.py) on the Postgres adapter, on a
fresh database migrated as the service migrates its schema."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.certification.adapters.postgres import PostgresRepository
from shared import db
from tests.certification.repository_contract import (
    BarriersContract,
    CertificatesContract,
    CohortsContract,
    DecisionsContract,
    EvaluationsContract,
    ProfilesContract,
    StatusListsContract,
)

pytestmark = pytest.mark.integration
SCHEMA = "certification"
MIGRATIONS = "services.certification.adapters.migrations"


class PostgresAdapter:
    @pytest.fixture
    async def repo(self, database_url: str) -> AsyncIterator[PostgresRepository]:
        admin = await asyncpg.connect(database_url)
        try:
            await admin.execute(f"CREATE SCHEMA {SCHEMA}")
            await db.migrate(admin, SCHEMA, db.service_migrations(SCHEMA, MIGRATIONS))
        finally:
            await admin.close()
        pool = await db.create_pool(database_url, SCHEMA, max_size=1)
        try:
            async with pool.acquire() as conn:
                yield PostgresRepository(conn)
        finally:
            await pool.close()


class TestPostgresCohorts(PostgresAdapter, CohortsContract):
    pass


class TestPostgresBarriers(PostgresAdapter, BarriersContract):
    pass


class TestPostgresEvaluations(PostgresAdapter, EvaluationsContract):
    pass


class TestPostgresDecisions(PostgresAdapter, DecisionsContract):
    pass


class TestPostgresCertificates(PostgresAdapter, CertificatesContract):
    pass


class TestPostgresProfiles(PostgresAdapter, ProfilesContract):
    pass


class TestPostgresStatusLists(PostgresAdapter, StatusListsContract):
    pass
