"""The seal check contract (seal_check_contract.py) on each adapter."""

from __future__ import annotations

import uuid

import pytest

from services.certification.adapters.seal import NotSealed
from tests.certification.seal_check_contract import SealCheckContract

pytestmark = pytest.mark.unit


class TestNotSealed(SealCheckContract):
    @pytest.fixture
    def seal_check(self) -> NotSealed:
        return NotSealed()

    @pytest.fixture
    def unsealed(self) -> uuid.UUID:
        return uuid.uuid4()
