"""The 20 JP views over the roster (/api/v1/compliance...): the zero-JP ASN is counted and
listed, every view keeps to the caller's area, exports carry the list."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.consolidation.adapters.compliance import open_years, redetermine
from services.consolidation.entrypoints.app import DEFINITION
from shared.runtime import ServiceRuntime
from tests.consolidation.compliance_facts import (
    ANI,
    BUDI,
    RINA,
    SITI,
    record,
    roster_row,
    train,
)
from tests.consolidation.helpers import JAMBI, NATIONAL, TOKENS, TUBAN, client
from tests.support import running

pytestmark = pytest.mark.integration


@pytest.fixture
async def http(infra) -> AsyncIterator[httpx.AsyncClient]:
    async with running(DEFINITION, infra, api_tokens=TOKENS) as runtime, client(runtime) as http:
        await seed(runtime)
        yield http


async def seed(runtime: ServiceRuntime) -> None:
    async with runtime.pool.acquire() as conn, conn.transaction():
        await open_years(conn, [2024])
        await record(conn, "r1", roster_row(SITI, "Siti Aminah", unit="Bagian Umum"), "35.23")
        await record(conn, "r2", roster_row(BUDI, "Budi Santoso"), "35.23")
        jambi = roster_row(ANI, "Ani Lestari", region="15.71", agency="Pemerintah Kota Jambi")
        await record(conn, "r3", jambi, "15.71")
        await train(conn, SITI, "35.23", completed=True)
        await train(conn, RINA, "35.71", completed=True)
        await redetermine(conn, [SITI, BUDI, RINA, ANI])


async def get(http: httpx.AsyncClient, path: str, headers: dict[str, str]) -> Any:
    response = await http.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def by_key(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in summary["rows"]}


async def test_the_national_drill_down_counts_the_asn_who_trained_zero_hours(http) -> None:
    national = await get(http, "/api/v1/compliance?year=2024", NATIONAL)
    assert national["level"] == "province"
    rows = by_key(national)
    assert (rows["35"]["name"], rows["35"]["roster"], rows["35"]["met"], rows["35"]["zero"]) == (
        "Jawa Timur",
        2,
        1,
        1,
    )
    assert (rows["35"]["not_in_roster"], rows["35"]["compliance_pct"]) == (1, 50.0)
    assert (rows["35"]["median_jp"], rows["35"]["mean_jp"]) == (12.0, 12.0)
    assert (rows["15"]["roster"], rows["15"]["zero"], rows["15"]["compliance_pct"]) == (1, 1, 0.0)
    totals = national["totals"]
    assert (totals["roster"], totals["met"], totals["zero"], totals["not_in_roster"]) == (
        3,
        1,
        2,
        1,
    )
    jatim = await get(http, "/api/v1/compliance?year=2024&province=35", NATIONAL)
    assert sorted(by_key(jatim)) == ["35.23", "35.71"]
    assert by_key(jatim)["35.23"]["name"] == "Kabupaten Tuban"
    agency = await get(
        http, "/api/v1/compliance?year=2024&region=35.23&agency=Pemerintah Kabupaten Tuban", TUBAN
    )
    assert agency["level"] == "unit"
    units = by_key(agency)
    assert (units["Bagian Umum"]["met"], units[""]["zero"]) == (1, 1)
    assert units[""]["name"] == "(unit kerja tidak diisi)"


async def test_the_at_risk_list_has_the_zero_jp_asn_from_the_roster(http) -> None:
    page = await get(http, "/api/v1/compliance/at-risk?year=2024", NATIONAL)
    assert page["total"] == 2
    assert [(r["nip"], r["standing"], r["shortfall"]) for r in page["items"]] == [
        (BUDI, "ZERO", 20.0),
        (ANI, "ZERO", 20.0),
    ]
    tuban = await get(http, "/api/v1/compliance/at-risk?year=2024&sort=name", TUBAN)
    assert (tuban["total"], [r["name"] for r in tuban["items"]]) == (1, ["Budi Santoso"])
    agency = "&region=35.23&agency=Pemerintah Kabupaten Tuban"
    no_unit = await get(http, f"/api/v1/compliance/at-risk?year=2024{agency}&unit=", TUBAN)
    general = await get(
        http, f"/api/v1/compliance/at-risk?year=2024{agency}&unit=Bagian Umum", TUBAN
    )
    assert (no_unit["total"], [r["nip"] for r in no_unit["items"]]) == (1, [BUDI])
    assert (general["total"], general["items"]) == (0, [])  # Siti met the minimum
    lone = await http.get("/api/v1/compliance/at-risk?year=2024&unit=Bagian Umum", headers=TUBAN)
    assert lone.status_code == 422 and "unit hanya berlaku bersama agency" in lone.text
    csv = await http.get("/api/v1/compliance/at-risk?year=2024&format=csv", headers=TUBAN)
    assert csv.status_code == 200
    lines = csv.text.splitlines()
    assert lines[0].startswith("nip,name,region,agency,unit,jp,minimum,shortfall")
    assert len(lines) == 2 and BUDI in lines[1]


async def test_every_view_keeps_to_the_callers_area(http) -> None:
    tuban = await get(http, "/api/v1/compliance?year=2024", TUBAN)
    assert list(by_key(tuban)) == ["35"]
    assert tuban["totals"]["roster"] == 2  # Tuban's own; Jambi's ASN and Rina are not its
    assert tuban["totals"]["not_in_roster"] == 0
    for path in (
        "/api/v1/compliance?year=2024&province=15",
        "/api/v1/compliance/at-risk?year=2024&region=15.71",
        f"/api/v1/compliance/asn/{ANI}?year=2024",
    ):
        response = await http.get(path, headers=TUBAN)
        assert response.status_code == 403, path
        assert "kredensial" in response.json()["detail"] or "ASN ini" in response.json()["detail"]
    jambi = await get(http, "/api/v1/compliance/at-risk?year=2024", JAMBI)
    assert [r["nip"] for r in jambi["items"]] == [ANI]


async def test_one_asns_determination_names_what_credited_it(http) -> None:
    siti = await get(http, f"/api/v1/compliance/asn/{SITI}?year=2024", TUBAN)
    assert (siti["standing"], siti["reason"], siti["jp"], siti["shortfall"]) == (
        "MET",
        "MINIMUM_MET",
        24.0,
        0.0,
    )
    [credit] = siti["provenance"]
    assert credit["counted"] == "CREDITED"
    assert credit["certificate_number"] == f"800/{SITI[-3:]}/BKPSDM/2024"
    assert [(h["change"], h["region"]) for h in siti["roster_history"]] == [("new", "35.23")]
    rina = await get(http, f"/api/v1/compliance/asn/{RINA}?year=2024", NATIONAL)
    assert (rina["standing"], rina["reason"]) == ("NOT_IN_ROSTER", "UNKNOWN_TO_ROSTER")
    unknown = await http.get(
        "/api/v1/compliance/asn/199901012020011001?year=2024", headers=NATIONAL
    )
    assert unknown.status_code == 404


async def test_bad_positions_are_refused_with_the_fix(http) -> None:
    response = await http.get("/api/v1/compliance?year=2024&province=99", headers=NATIONAL)
    assert response.status_code == 422
    assert "bukan kode provinsi Kemendagri" in response.json()["detail"]
    mixed = await http.get(
        "/api/v1/compliance?year=2024&province=15&region=35.23", headers=NATIONAL
    )
    assert mixed.status_code == 422
    assert "tidak berada di provinsi" in mixed.json()["detail"]


async def test_the_trend_is_per_year(http) -> None:
    trend = await get(http, "/api/v1/compliance/trend", NATIONAL)
    assert [(t["year"], t["met"], t["zero"]) for t in trend] == [(2024, 1, 2)]
