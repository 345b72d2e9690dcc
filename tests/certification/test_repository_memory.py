"""Certification's repository contract (repository_contract.py) on the in-memory adapter."""

from __future__ import annotations

import pytest

from services.certification.adapters.memory import MemoryRepository
from tests.certification.repository_contract import (
    BarriersContract,
    CertificatesContract,
    CohortsContract,
    DecisionsContract,
    EvaluationsContract,
    ProfilesContract,
    StatusListsContract,
)

pytestmark = pytest.mark.unit


class MemoryAdapter:
    @pytest.fixture
    def repo(self) -> MemoryRepository:
        return MemoryRepository()


class TestMemoryCohorts(MemoryAdapter, CohortsContract):
    pass


class TestMemoryBarriers(MemoryAdapter, BarriersContract):
    pass


class TestMemoryEvaluations(MemoryAdapter, EvaluationsContract):
    pass


class TestMemoryDecisions(MemoryAdapter, DecisionsContract):
    pass


class TestMemoryCertificates(MemoryAdapter, CertificatesContract):
    pass


class TestMemoryProfiles(MemoryAdapter, ProfilesContract):
    pass


class TestMemoryStatusLists(MemoryAdapter, StatusListsContract):
    pass
