"""Attendance's repository contract (repository_contract.py) on the in-memory adapter."""

from __future__ import annotations

import pytest

from services.attendance.adapters.memory import AttendanceMemory, MemoryAttendanceRepository
from tests.attendance.repository_contract import AttendanceRepositoryContract

pytestmark = pytest.mark.unit


class TestMemoryAttendanceRepository(AttendanceRepositoryContract):
    @pytest.fixture
    def repo(self) -> MemoryAttendanceRepository:
        return AttendanceMemory().repository()
