"""The overview's content, pure (issue 21): which year, the shares, the ranking, the links,
the chart data safe inside its script element."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from services.consolidation.entrypoints.dashboard import links
from services.consolidation.entrypoints.dashboard.overview import (
    Overview,
    Part,
    chosen_year,
    ranked,
    statuses,
)
from services.consolidation.entrypoints.schemas import ComplianceCounts, Statistics, TrendRow

TODAY = dt.date(2026, 12, 3)


def counts(key: str, met: int, below: int, zero: int, **more: int) -> ComplianceCounts:
    assessed = met + below + zero
    return ComplianceCounts(
        key=key,
        name=f"Wilayah {key}",
        roster=more.get("roster", assessed),
        met=met,
        below=below,
        zero=zero,
        exempt=more.get("exempt", 0),
        not_in_roster=more.get("not_in_roster", 0),
        compliance_pct=round(100 * met / assessed, 1) if assessed else None,
        median_jp=None,
        mean_jp=None,
    )


def trend(*years: int) -> list[TrendRow]:
    return [TrendRow(year=y, **counts(str(y), 1, 0, 0).model_dump()) for y in years]


def test_the_year_is_the_one_asked_for_else_the_latest_with_data_up_to_this_one():
    assert chosen_year("2024", trend(2025), TODAY) == 2024
    assert chosen_year(None, trend(2024, 2025, 2099), TODAY) == 2025
    assert chosen_year("next", trend(2024), TODAY) == 2024
    assert chosen_year(None, [], TODAY) == 2026
    assert chosen_year("1999", trend(2099), TODAY) == 2026


def test_each_standing_has_its_share_and_its_list():
    shown = {
        s.key: s
        for s in statuses(
            counts("t", 3, 1, 2, roster=8, exempt=2, not_in_roster=2), 2024, "15", None
        )
    }
    assert shown["met"].share == Decimal("50.0")
    assert (shown["below"].share, shown["zero"].share) == (Decimal("16.7"), Decimal("33.3"))
    assert shown["exempt"].share == Decimal("25.0")  # of the roster
    assert shown["not_in_roster"].share == Decimal("20.0")  # of the ASN known
    assert shown["below"].href == "/dasbor/berisiko?year=2024&province=15"
    assert shown["not_in_roster"].href == "/dasbor/kualitas-data?publisher=15"


def test_parts_rank_most_compliant_first_and_lead_one_level_down():
    rows = [counts("15", 1, 1, 0), counts("31", 0, 0, 0), counts("35", 3, 0, 1)]
    parts = ranked(rows, "province", 2024, None)
    assert [p.key for p in parts] == ["35", "15", "31"]
    assert parts[0].href == "/dasbor/provinsi/35?year=2024"
    agencies = ranked([counts("Dinas Pendidikan/Kota", 1, 0, 0)], "agency", 2024, "15.71")
    assert agencies[0].href == "/dasbor/wilayah/15.71/instansi/Dinas%20Pendidikan%2FKota?year=2024"


def test_the_drill_down_addresses():
    assert links.at_risk(2024, region="35.23") == "/dasbor/berisiko?year=2024&region=35.23"
    assert links.asn("198703152010012002") == "/dasbor/asn/198703152010012002"
    assert links.certificates(2024) == "/dasbor/sertifikat?year=2024"


def test_chart_data_cannot_end_its_script_element():
    sneaky = counts("x", 1, 0, 0).model_copy(update={"name": "</script><b>&"})
    page = Overview(
        year=2024,
        province=None,
        region=None,
        years=[2024],
        where_id="Nasional",
        where_en="National",
        parts_id="Provinsi",
        parts_en="Provinces",
        totals=sneaky,
        statuses=[],
        statistics=Statistics(
            **{f: 0 for f in Statistics.model_fields if f != "completion_rate"},
            completion_rate=None,
        ),
        rejections=0,
        trend=[],
        parts=[Part("x", sneaky.name, sneaky, "/dasbor/provinsi/x")],
    )
    text = page.chart_data()
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["parts"][0]["name"] == "</script><b>&"
