"""Enrolment's repository contract (repository_contract.py) on the Postgres adapter, in one
transaction on a freshly migrated schema."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.enrolment.adapters.postgres import PostgresEnrolmentRepository
from tests.enrolment.repository_contract import EnrolmentRepositoryContract
from tests.repository_support import service_transaction

pytestmark = pytest.mark.integration


class TestPostgresEnrolmentRepository(EnrolmentRepositoryContract):
    @pytest.fixture
    async def repo(self, database_url: str) -> AsyncIterator[PostgresEnrolmentRepository]:
        async with service_transaction(database_url, "enrolment") as conn:
            yield PostgresEnrolmentRepository(conn)
