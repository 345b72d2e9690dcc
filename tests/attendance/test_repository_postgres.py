"""Attendance's repository contract (repository_contract.py) on the Postgres adapter, in one
transaction on a freshly migrated schema."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.attendance.adapters.postgres import PostgresAttendanceRepository
from tests.attendance.repository_contract import AttendanceRepositoryContract
from tests.repository_support import service_transaction

pytestmark = pytest.mark.integration


class TestPostgresAttendanceRepository(AttendanceRepositoryContract):
    @pytest.fixture
    async def repo(self, database_url: str) -> AsyncIterator[PostgresAttendanceRepository]:
        async with service_transaction(database_url, "attendance") as conn:
            yield PostgresAttendanceRepository(conn)
