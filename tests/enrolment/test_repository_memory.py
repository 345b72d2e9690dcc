"""Enrolment's repository contract (repository_contract.py) on the in-memory adapter."""

from __future__ import annotations

import pytest

from services.enrolment.adapters.memory import EnrolmentMemory, MemoryEnrolmentRepository
from tests.enrolment.repository_contract import EnrolmentRepositoryContract

pytestmark = pytest.mark.unit


class TestMemoryEnrolmentRepository(EnrolmentRepositoryContract):
    @pytest.fixture
    def repo(self) -> MemoryEnrolmentRepository:
        return EnrolmentMemory().repository()
