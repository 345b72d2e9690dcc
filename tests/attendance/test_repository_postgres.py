"""Attendance's repository contract (repository_contract.py) on the Postgres adapter, in one
transaction on a freshly migrated schema."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.attendance.adapters.postgres import PostgresAttendanceRepository
from shared import db
from tests.attendance.repository_contract import AttendanceRepositoryContract

pytestmark = pytest.mark.integration
SCHEMA = "attendance"
MIGRATIONS = "services.attendance.adapters.migrations"


class TestPostgresAttendanceRepository(AttendanceRepositoryContract):
    @pytest.fixture
    async def repo(self, database_url: str) -> AsyncIterator[PostgresAttendanceRepository]:
        admin = await asyncpg.connect(database_url)
        try:
            await admin.execute(f"CREATE SCHEMA {SCHEMA}")
            await db.migrate(admin, SCHEMA, db.service_migrations(SCHEMA, MIGRATIONS))
        finally:
            await admin.close()
        pool = await db.create_pool(database_url, SCHEMA, max_size=1)
        try:
            async with pool.acquire() as conn, conn.transaction():
                yield PostgresAttendanceRepository(conn)
        finally:
            await pool.close()
