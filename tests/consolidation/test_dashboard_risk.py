"""The at-risk list's and ASN page's content, pure (issue 21): the position a form or a link
gives, the breadcrumb from the credential's own level, the pages' links, the downloads at each
level, the reason codes in words."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from services.consolidation.compliance import Counted, Reason, Standing
from services.consolidation.entrypoints.dashboard.atrisk import (
    AtRiskList,
    Links,
    OverviewLinks,
    Position,
    downloads,
    position_of,
    sort_of,
    trail,
)
from services.consolidation.entrypoints.dashboard.listing import PAGE_SIZE, page_number
from services.consolidation.entrypoints.dashboard.words import COUNTED, REASONS, STANDINGS
from shared.auth import Principal

NATIONAL = Principal("national")
JAMBI = Principal("publisher", "15")
TUBAN = Principal("publisher", "35.23")


def test_the_position_is_the_one_asked_for_else_the_credentials_own():
    assert position_of(NATIONAL, 2024, None, None, None) == Position(2024)
    assert position_of(JAMBI, 2024, None, None, None) == Position(2024, "15")
    assert position_of(TUBAN, 2024, None, None, None) == Position(2024, None, "35.23")
    assert position_of(NATIONAL, 2024, None, "35.23", "Dinas") == Position(
        2024, None, "35.23", "Dinas"
    )


def test_what_lies_below_a_level_the_form_emptied_or_changed_is_dropped():
    assert position_of(NATIONAL, 2024, "15", "35.23", "Dinas") == Position(2024, "15")
    assert position_of(NATIONAL, 2024, "", "35.23", "Dinas") == Position(2024)
    assert position_of(NATIONAL, 2024, "35", "", "Dinas") == Position(2024, "35")
    assert position_of(NATIONAL, 2024, "35", "35.23", "") == Position(2024, "35", "35.23")


def test_the_breadcrumb_starts_at_the_credentials_own_level_and_names_each_place():
    at = Position(2024, None, "35.23", "Dinas Pendidikan")
    steps = trail(NATIONAL, at, Links)
    assert [name for _, name, _ in steps] == [
        "Nasional",
        "Jawa Timur",
        "Kabupaten Tuban",
        "Dinas Pendidikan",
    ]
    assert steps[1][0] == "/dasbor/berisiko?year=2024&province=35"
    assert [name for _, name, _ in trail(TUBAN, at, Links)] == [
        "Kabupaten Tuban",
        "Dinas Pendidikan",
    ]
    overview = trail(NATIONAL, at, OverviewLinks)
    assert [href for href, _, _ in overview] == [
        "/dasbor?year=2024",
        "/dasbor/provinsi/35?year=2024",
        "/dasbor/wilayah/35.23?year=2024",
        "/dasbor/wilayah/35.23/instansi/Dinas%20Pendidikan?year=2024",
    ]


def listing(total: int, page: int) -> AtRiskList:
    return AtRiskList(
        Position(2024, "15"), "jp", total, (page - 1) * PAGE_SIZE, [], [2024], [], [], [], []
    )


def test_the_pages_are_the_first_the_last_and_those_nearby_each_keeping_the_order():
    many = listing(20 * PAGE_SIZE + 1, 10)
    assert [p.label for p in many.pages()] == ["1", "8", "9", "10", "11", "12", "21"]
    assert [p.label for p in many.pages() if p.current] == ["10"]
    query = parse_qs(urlsplit(many.pages()[-1].href).query)
    assert query == {"year": ["2024"], "province": ["15"], "sort": ["jp"], "page": ["21"]}
    assert "page=" not in many.page_href(0)
    assert listing(PAGE_SIZE, 1).next_href() is None
    assert listing(PAGE_SIZE, 1).previous_href() is None
    assert listing(PAGE_SIZE + 1, 2).previous_href() == many.page_href(0)
    assert listing(0, 1).pages() == [] and listing(0, 1).shown == (0, 0)


def test_a_page_or_sort_that_is_none_is_the_first_page_by_shortfall():
    assert [page_number(v) for v in (None, "", "0", "-1", "x", "3", "٣")] == [1, 1, 1, 1, 1, 3, 1]
    assert [sort_of(v) for v in (None, "agency; drop", "name", "jp")] == [
        "shortfall", "shortfall", "name", "jp"
    ]  # fmt: skip


def test_the_downloads_are_the_same_list_and_the_siasn_export_of_a_whole_kabupaten_kota():
    national = downloads(Position(2024))
    assert [href for href, _, _ in national] == [
        "/api/v1/compliance/at-risk?year=2024&sort=shortfall&format=csv",
        "/api/v1/compliance/at-risk?year=2024&sort=shortfall&format=xlsx",
    ]
    tuban = [href for href, _, _ in downloads(Position(2024, None, "35.23"), "name")]
    assert tuban[0] == "/api/v1/compliance/at-risk?year=2024&region=35.23&sort=name&format=csv"
    assert tuban[2:] == [
        "/api/v1/exports/siasn?region=35.23&year=2024",
        "/api/v1/exports/siasn?region=35.23&year=2024&format=xlsx",
    ]
    assert len(downloads(Position(2024, None, "35.23", "Dinas"))) == 2


def test_every_standing_reason_and_verdict_has_its_words_in_both_languages():
    for table, codes in ((STANDINGS, Standing), (REASONS, Reason), (COUNTED, Counted)):
        assert set(table) == {c.value for c in codes}
        assert all(indonesian != english for indonesian, english in table.values())
