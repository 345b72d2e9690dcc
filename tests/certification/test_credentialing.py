"""Certificates get their status-list places on first request (services/certification/
credentialing.py), on the in-memory repository: drawn once, kept, per publisher."""

from __future__ import annotations

import random

import pytest

from services.certification import credentialing
from services.certification.adapters.memory import MemoryRepository
from tests.certification.repository_contract import JAMBI, NIP1, NIP2, NIP3, certificate

pytestmark = pytest.mark.unit


async def test_places_are_drawn_once_then_kept():
    repo = MemoryRepository()
    held = [certificate(NIP1, "n1"), certificate(NIP2, "n2")]
    await repo.insert_certificates(held)
    first = await credentialing.status_positions(repo, held, random.Random(1))
    assert set(first) == {c.id for c in held}
    assert len({p.index for p in first.values()}) == 2
    assert len({p.salt for p in first.values()}) == 2
    again = await credentialing.status_positions(repo, held, random.Random(2))
    assert again == first
    assert await repo.open_status_list(JAMBI) == (1, {p.index for p in first.values()})


async def test_a_later_certificate_gets_a_free_place_of_its_publishers_list():
    repo = MemoryRepository()
    one, two = certificate(NIP1, "n1"), certificate(NIP3, "n3")
    await repo.insert_certificates([one, two])
    first = await credentialing.status_positions(repo, [one], random.Random(3))
    both = await credentialing.status_positions(repo, [one, two], random.Random(3))
    assert both[one.id] == first[one.id]
    assert both[two.id].index != first[one.id].index
