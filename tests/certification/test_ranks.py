"""A rank as the STTP prints it (services/certification/ranks.py)."""

from __future__ import annotations

import pytest

from services.certification.ranks import PANGKAT, rank_with_name

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("given", "printed"),
    [
        ("IV/a", "Pembina, IV/a"),
        ("iv / A", "Pembina, IV/a"),
        ("III/d", "Penata Tingkat I, III/d"),
        ("I/a", "Juru Muda, I/a"),
        ("IV/e", "Pembina Utama, IV/e"),
        ("II-b", "Pengatur Muda Tingkat I, II/b"),
    ],
)
def test_a_pns_golongan_is_printed_with_its_pangkat_name(given, printed):
    assert rank_with_name(given) == printed


@pytest.mark.parametrize(
    "given",
    ["IX", "XVII", "Pembina, IV/a", "Penata Muda (III/a)", "III/e", "V/a", "lainnya"],
)
def test_anything_else_is_printed_as_given(given):
    # PPPK golongan I..XVII have no pangkat name; III/e does not exist.
    assert rank_with_name(given) == given


def test_no_rank_stays_none():
    assert rank_with_name(None) is None


def test_every_pns_golongan_has_a_name():
    assert len(PANGKAT) == 17 and all(PANGKAT.values())
