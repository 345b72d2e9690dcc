"""Enrolment's repository contract (repository_contract.py) on the Postgres adapter, in one
transaction on a freshly migrated schema."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.enrolment.adapters.postgres import PostgresEnrolmentRepository
from shared import db
from tests.enrolment.repository_contract import EnrolmentRepositoryContract

pytestmark = pytest.mark.integration
SCHEMA = "enrolment"
MIGRATIONS = "services.enrolment.adapters.migrations"


class TestPostgresEnrolmentRepository(EnrolmentRepositoryContract):
    @pytest.fixture
    async def repo(self, database_url: str) -> AsyncIterator[PostgresEnrolmentRepository]:
        admin = await asyncpg.connect(database_url)
        try:
            await admin.execute(f"CREATE SCHEMA {SCHEMA}")
            await db.migrate(admin, SCHEMA, db.service_migrations(SCHEMA, MIGRATIONS))
        finally:
            await admin.close()
        pool = await db.create_pool(database_url, SCHEMA, max_size=1)
        try:
            async with pool.acquire() as conn, conn.transaction():
                yield PostgresEnrolmentRepository(conn)
        finally:
            await pool.close()
