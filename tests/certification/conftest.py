"""Certification tests seal with a stand-in CA of their own, never the local stack's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.certification.sealing import sealing
from services.certification.settings import seal_settings


@pytest.fixture(scope="session", autouse=True)
def test_seals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """DIKLAT_CERTIFICATION_SEAL_DIR for this run (the renderer process inherits it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIKLAT_CERTIFICATION_SEAL_DIR", str(tmp_path_factory.mktemp("seals")))
        seal_settings.cache_clear()
        sealing.cache_clear()
        yield
    seal_settings.cache_clear()
    sealing.cache_clear()
