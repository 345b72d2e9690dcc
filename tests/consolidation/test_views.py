"""The national views from a three-publisher scenario, checked against hand-computed numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from shared.events import domain as ev
from tests.consolidation import scenario
from tests.consolidation.helpers import JAMBI, NATIONAL, TUBAN, get, scenario_running
from tests.support import Publisher, eventually

pytestmark = pytest.mark.integration
S = "/api/v1/statistics"


async def test_views_match_hand_computed_numbers_across_three_publishers(infra):
    async with scenario_running(infra) as (_, http):
        jambi = await get(http, S, publisher="15")
        assert (
            jambi["closed"],
            jambi["scheduled"],
            jambi["enrolled"],
            jambi["withdrawn"],
            jambi["completed"],
            jambi["jp_delivered"],
        ) == (1, 1, 3, 1, 2, 24.0)
        tuban_asn = await get(http, S, region="35.23")
        assert (
            tuban_asn["closed"],
            tuban_asn["enrolled"],
            tuban_asn["completed"],
            tuban_asn["not_completed"],
            tuban_asn["jp_delivered"],
        ) == (2, 3, 2, 1, 28.0)
        jatim = await get(http, S, province="35")
        assert (jatim["closed"], jatim["cancelled"], jatim["scheduled"]) == (1, 1, 0)
        assert (await get(http, S, category="manajerial", year=2024))["completed"] == 1

        provinces = {p["code"]: p for p in await get(http, "/api/v1/provinces", year=2024)}
        assert len(provinces) == 39  # nasional + 38 provinces
        assert (
            provinces["nasional"]["cohorts"],
            provinces["nasional"]["participants"],
            provinces["nasional"]["completion_rate"],
        ) == (1, 2, 50.0)
        assert (
            provinces["15"]["cohorts"],
            provinces["15"]["completion_rate"],
            provinces["15"]["jp_compliance"],
        ) == (1, 100.0, 50.0)
        assert (provinces["35"]["cohorts"], provinces["35"]["jp_compliance"]) == (2, 50.0)
        assert provinces["31"]["jp_compliance"] == 0.0

        quality = await get(http, "/api/v1/data-quality")
        assert quality == [
            {
                "publisher": "15",
                "applied": 3,
                "duplicate": 0,
                "parked": 0,
                "rejected": 1,
                "rejected_by_reason": {"QUOTA_FULL": 1},
            }
        ]

        registry = await get(http, "/api/v1/certificates", nip=scenario.NIP["B"])
        assert {(c["cohort_code"], c["status"]) for c in registry["items"]} == {
            (scenario.J1, "valid"),
            (scenario.T1, "revoked"),
        }
        assert (await get(http, "/api/v1/certificates", name="siti"))["total"] == 2
        assert (await get(http, "/api/v1/certificates", number="800/1/BPSDM/2024"))["items"][0][
            "nip"
        ] == scenario.NIP["A"]


async def test_asn_trained_in_two_provinces_has_both_trainings_and_jp_summed(infra):
    async with scenario_running(infra) as (_, http):
        budi = await get(http, f"/api/v1/asn/{scenario.NIP['B']}")
        assert {t["cohort_code"] for t in budi["trainings"]} == {scenario.J1, scenario.T1}
        assert budi["jp_per_year"] == [{"year": 2024, "jp": 28.0, "meets_minimum": True}]
        below = await get(http, "/api/v1/asn/below-minimum", year=2024, region="35.23")
        assert [r["nip"] for r in below["items"]] == [scenario.NIP["E"]]
        assert below["items"][0]["jp"] == 0.0
        below_jambi = await get(http, "/api/v1/asn/below-minimum", year=2024, region="15")
        assert [r["nip"] for r in below_jambi["items"]] == [scenario.NIP["D"]]
        page = await get(http, "/api/v1/cohorts", limit=2, offset=1)
        assert (page["total"], len(page["items"])) == (5, 2)


async def test_the_registry_finds_a_name_by_any_of_its_words(infra):
    async with scenario_running(infra) as (_, http):

        async def holders(name: str) -> set[str]:
            found = await get(http, "/api/v1/certificates", name=name)
            return {c["name"] for c in found["items"]}

        assert await holders("aminah") == {"Siti Aminah"}
        assert await holders("AMINAH siti") == {"Siti Aminah"}
        assert await holders("santo") == {"Budi Santoso"}
        assert await holders("siti budi") == set()  # every word, in the one name
        assert await holders("am_nah") == set()  # `_` is a letter here, not a wildcard
        for too_short in ("si", "%", "a b"):
            refused = await http.get(
                "/api/v1/certificates", params={"name": too_short}, headers=NATIONAL
            )
            assert refused.status_code == 422, too_short
            assert refused.json()["detail"].startswith("cari nama dengan paling sedikit")


async def test_publisher_credential_sees_only_own_cohorts_and_region(infra):
    async with scenario_running(infra) as (_, http):
        assert (await http.get("/api/v1/cohorts")).status_code == 401
        assert (
            await http.get("/api/v1/cohorts", params={"publisher": "15"}, headers=TUBAN)
        ).status_code == 403
        own = await get(http, "/api/v1/cohorts", TUBAN)
        assert {c["cohort_code"] for c in own["items"]} == {scenario.T1, scenario.T2}
        assert (
            await http.get(f"/api/v1/cohorts/{scenario.J1}/participants", headers=TUBAN)
        ).status_code == 403
        assert (
            await http.get(f"/api/v1/asn/{scenario.NIP['A']}", headers=TUBAN)
        ).status_code == 403
        budi = await get(http, f"/api/v1/asn/{scenario.NIP['B']}", TUBAN)
        assert len(budi["trainings"]) == 2  # his whole history, other organisers included
        assert (
            await http.get(
                "/api/v1/asn/below-minimum", params={"year": 2024, "region": "15"}, headers=TUBAN
            )
        ).status_code == 403
        jambi_below = await get(http, "/api/v1/asn/below-minimum", JAMBI, year=2024)
        assert [r["nip"] for r in jambi_below["items"]] == [scenario.NIP["D"]]
        assert (await get(http, S, TUBAN))["enrolled"] == 2
        assert (
            await http.get("/api/v1/data-quality", params={"publisher": "15"}, headers=TUBAN)
        ).status_code == 403
        assert await get(http, "/api/v1/data-quality", TUBAN) == []


async def test_csv_xlsx_and_siasn_exports_parse_back_with_the_right_rows(infra):
    async with scenario_running(infra) as (_, http):
        response = await http.get(
            "/api/v1/cohorts", params={"format": "csv", "year": 2024}, headers=NATIONAL
        )
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert sorted(r["cohort_code"] for r in rows) == sorted(
            [scenario.N1, scenario.J1, scenario.T1, scenario.T2]
        )
        response = await http.get(
            f"/api/v1/cohorts/{scenario.T1}/participants",
            params={"format": "xlsx"},
            headers=NATIONAL,
        )
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        values = list(sheet.values)
        assert values[0][:2] == ("nip", "name")
        assert sorted(v[0] for v in values[1:]) == sorted([scenario.NIP["B"], scenario.NIP["E"]])
        stats = list(
            csv.DictReader(
                io.StringIO((await http.get(S, params={"format": "csv"}, headers=NATIONAL)).text)
            )
        )
        assert stats[0]["completed"] == "4"

        siasn = await http.get("/api/v1/exports/siasn", params={"region": "35.23"}, headers=TUBAN)
        rows = list(csv.DictReader(io.StringIO(siasn.text)))
        assert list(rows[0]) == [
            "nip",
            "jenisDiklatId",
            "namaKursus",
            "nomorSertipikat",
            "jumlahJam",
            "tahunKursus",
            "tanggalKursus",
            "tanggalSelesaiKursus",
            "institusiPenyelenggara",
            "lokasiId",
        ]
        by_course = {r["namaKursus"]: r for r in rows}
        assert set(by_course) == {"Diklat teknis", "Diklat bimtek"}  # Budi's two; Endah failed
        teknis = by_course["Diklat teknis"]
        assert (
            teknis["nip"],
            teknis["jenisDiklatId"],
            teknis["nomorSertipikat"],
            teknis["jumlahJam"],
            teknis["tahunKursus"],
            teknis["tanggalKursus"],
            teknis["tanggalSelesaiKursus"],
            teknis["lokasiId"],
        ) == (
            scenario.NIP["B"],
            "3",
            "800/3/BPSDM/2024",
            "12.0",
            "2024",
            "06-05-2024",
            "07-05-2024",
            "15",
        )
        assert by_course["Diklat bimtek"]["jenisDiklatId"] == "8"
        assert by_course["Diklat bimtek"]["nomorSertipikat"] == ""  # revoked
        xlsx = await http.get(
            "/api/v1/exports/siasn", params={"region": "35.23", "format": "xlsx"}, headers=NATIONAL
        )
        assert len(list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.values)) == 3


async def test_each_asns_jp_per_year_follows_a_cohort_moved_to_another_year(infra):
    """An amendment that moves T1's end into 2025 and raises its JP moves Budi's credit (12 JP
    left in 2024, below the minimum) and Endah's training with it: her 2024 stays assessed,
    at zero (she is in the roster), and 2025 holds her failed training."""
    budi, endah = scenario.NIP["B"], scenario.NIP["E"]
    async with scenario_running(infra) as (_, http), Publisher(infra) as pub:
        moved = scenario.cohort_info(scenario.T1).model_dump()
        moved.update(end_date=dt.date(2025, 1, 10), total_jp=Decimal(20), policy_version=2)
        amended = ev.CohortAmended(**moved)
        await scenario.publish(pub, [amended])

        async def moved_to_2025() -> bool:
            years = (await get(http, f"/api/v1/asn/{budi}"))["jp_per_year"]
            return bool(years == [_year(2024, 12.0, False), _year(2025, 20.0, True)])

        await eventually(moved_to_2025, 30, "Budi's JP moved to 2025")
        below_2024 = await get(http, "/api/v1/asn/below-minimum", year=2024, region="35.23")
        below_2025 = await get(http, "/api/v1/asn/below-minimum", year=2025, region="35.23")
        assert [r["nip"] for r in below_2024["items"]] == [budi, endah]
        assert [(r["nip"], r["jp"]) for r in below_2025["items"]] == [(endah, 0.0)]


def _year(year: int, jp: float, meets: bool) -> dict[str, object]:
    return {"year": year, "jp": jp, "meets_minimum": meets}
