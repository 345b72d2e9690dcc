"""The cohorts, registry and data-quality pages on the running consolidation with the scenario
published (issue 21): what the API answers, in words, within the credential's area; another
publisher's by URL refused with a readable page; each table's CSV from its button."""

from __future__ import annotations

import csv
import html
import io
import re

import httpx
import pytest

from services.consolidation.settings import dashboard_settings
from shared.web.templating import LANGUAGE_COOKIE
from tests.consolidation import scenario
from tests.consolidation.helpers import JAMBI, NATIONAL, TUBAN, get, scenario_running
from tests.consolidation.test_dashboard_pages import sign_in

pytestmark = pytest.mark.integration


def rows_of(page: str, attribute: str) -> list[str]:
    return re.findall(rf'<tr {attribute}="([^"]*)"', page)


def csv_link(page: str) -> str:
    found = re.search(r'<a class="button" href="([^"]*)" download data-format="csv"', page)
    assert found is not None
    return html.unescape(found.group(1))


async def page_of(session: httpx.AsyncClient, path: str, **params: str) -> str:
    response = await session.get(path, params=params)
    assert response.status_code == 200, response.text
    assert "Traceback" not in response.text
    return response.text


async def refused(session: httpx.AsyncClient, path: str, status: int, **params: str) -> None:
    response = await session.get(path, params=params)
    assert response.status_code == status, response.text
    title = "Akses ditolak" if status == 403 else "Tidak ditemukan"
    assert title in response.text and "detail" not in response.text


async def test_cohorts_and_a_cohort_s_participants_with_their_reasons(infra):
    async with scenario_running(infra) as (runtime, http):
        national = await sign_in(runtime, "nat")
        jambi = await sign_in(runtime, "jambi")
        try:
            cohort = await get(http, f"/api/v1/cohorts/{scenario.N1}")
            assert (cohort["phase"], cohort["participants"], cohort["not_completed"]) == (
                "closed",
                2,
                1,
            )
            assert (
                await http.get(f"/api/v1/cohorts/{scenario.N1}", headers=JAMBI)
            ).status_code == 403
            people = (await get(http, f"/api/v1/cohorts/{scenario.N1}/participants"))["items"]
            assert [(p["explanation_id"], p["certificate_code"]) for p in people] == [
                ("tidak lulus: kehadiran 70% < 80%", None),
                ("lulus: kehadiran 100% ≥ 80%", "V0"),
            ]
            listed = await page_of(national, "/dasbor/kelas", year="2024")
            assert sorted(rows_of(listed, "data-cohort")) == sorted(
                [scenario.N1, scenario.J1, scenario.T1, scenario.T2]
            )
            assert "Ditutup" in listed and "Dibatalkan" in listed
            assert ">closed<" not in listed and ">cancelled<" not in listed
            exported = await national.get(csv_link(listed))
            assert exported.status_code == 200
            assert {r["cohort_code"] for r in csv.DictReader(io.StringIO(exported.text))} == {
                scenario.N1,
                scenario.J1,
                scenario.T1,
                scenario.T2,
            }

            one = await page_of(national, f"/dasbor/kelas/{scenario.N1}")
            assert rows_of(one, "data-nip") == [scenario.NIP["C"], scenario.NIP["A"]]  # by name
            cahyo = one.split(f'data-nip="{scenario.NIP["C"]}"')[1]
            assert "Tidak lulus" in cahyo and "kehadiran 70% di bawah 80%" in cahyo
            siti = one.split(f'data-nip="{scenario.NIP["A"]}"')[1].split("</tr>")[0]
            assert "Lulus" in siti and "800/1/BPSDM/2024" in siti
            assert f'href="{dashboard_settings().verification_url("V0")}"' in siti
            national.cookies.set(LANGUAGE_COOKIE, "en")
            english = await page_of(national, f"/dasbor/kelas/{scenario.N1}")
            national.cookies.delete(LANGUAGE_COOKIE)
            assert "attendance 70% below 80%" in english and "Not completed" in english

            own = await page_of(jambi, "/dasbor/kelas")
            assert sorted(rows_of(own, "data-cohort")) == sorted([scenario.J1, scenario.J2])
            await refused(jambi, f"/dasbor/kelas/{scenario.T1}", 403)
            await refused(jambi, "/dasbor/kelas", 403, publisher="35.23")
            await refused(national, "/dasbor/kelas/15/NONE/2024/I", 404)
        finally:
            await national.aclose()
            await jambi.aclose()


async def test_the_registry_finds_by_number_nip_and_name_within_the_scope(infra):
    async with scenario_running(infra) as (runtime, _):
        national = await sign_in(runtime, "nat")
        tuban = await sign_in(runtime, "tuban")
        try:
            by_name = await page_of(national, "/dasbor/sertifikat", q="aminah")
            assert sorted(rows_of(by_name, "data-number")) == [
                "800/1/BPSDM/2024",
                "800/2/BPSDM/2024",
            ]
            assert "Hasil: nama “aminah”" in by_name
            by_number = await page_of(national, "/dasbor/sertifikat", q=" 800/3/BPSDM/2024 ")
            assert rows_of(by_number, "data-number") == ["800/3/BPSDM/2024"]
            assert dashboard_settings().verification_url("V2") in by_number
            by_nip = await page_of(national, "/dasbor/sertifikat", q=scenario.NIP["B"])
            assert sorted(rows_of(by_nip, "data-number")) == [
                "800/3/BPSDM/2024",
                "800/4/BPSDM/2024",
            ]
            assert "Dicabut" in by_nip and "Berlaku" in by_nip
            exported = await national.get(csv_link(by_nip))
            found = list(csv.DictReader(io.StringIO(exported.text)))
            assert sorted(r["number"] for r in found) == ["800/3/BPSDM/2024", "800/4/BPSDM/2024"]
            narrowed = await page_of(national, "/dasbor/sertifikat", q="siti", publisher="15")
            assert rows_of(narrowed, "data-number") == ["800/2/BPSDM/2024"]

            # Tuban sees its own cohort's certificate and those of its own region's ASN.
            own = await page_of(tuban, "/dasbor/sertifikat")
            assert sorted(rows_of(own, "data-number")) == ["800/3/BPSDM/2024", "800/4/BPSDM/2024"]
            assert (
                rows_of(await page_of(tuban, "/dasbor/sertifikat", q="siti"), "data-number") == []
            )
            await refused(tuban, "/dasbor/sertifikat", 403, publisher="15")
        finally:
            await national.aclose()
            await tuban.aclose()


async def test_data_quality_explains_each_reason_and_who_fixes_it(infra):
    async with scenario_running(infra) as (runtime, http):
        national = await sign_in(runtime, "nat")
        tuban = await sign_in(runtime, "tuban")
        try:
            weeks = await get(http, "/api/v1/data-quality/periods", NATIONAL)
            assert weeks == [
                {
                    "publisher": "15",
                    "period": "2024-07-01",
                    "applied": 3,
                    "duplicate": 0,
                    "parked": 0,
                    "rejected": 1,
                    "rejected_by_reason": {"QUOTA_FULL": 1},
                }
            ]
            months = await get(http, "/api/v1/data-quality/periods", JAMBI, period="month")
            assert [m["period"] for m in months] == ["2024-07-01"]
            periods = "/api/v1/data-quality/periods"
            for params, headers, status in (
                ({"publisher": "15"}, TUBAN, 403),
                ({"year": "2024"}, NATIONAL, 422),
                ({"period": "day"}, NATIONAL, 422),
            ):
                answer = await http.get(periods, params=params, headers=headers)
                assert answer.status_code == status, params
            assert await get(http, periods, TUBAN) == []

            page = await page_of(national, "/dasbor/kualitas-data")
            assert rows_of(page, "data-publisher") == ["15"]
            reason = page.split('data-reason="QUOTA_FULL"')[1].split("</li>")[0]
            assert "Kuota angkatan sudah penuh." in reason and "Penyelenggara" in reason
            assert 'data-period="2024-07-01"' in page and "1 Juli 2024" in page
            exported = await national.get(csv_link(page))
            assert [r["reason"] for r in csv.DictReader(io.StringIO(exported.text))] == [
                "QUOTA_FULL"
            ]

            assert rows_of(await page_of(tuban, "/dasbor/kualitas-data"), "data-publisher") == []
            await refused(tuban, "/dasbor/kualitas-data", 403, publisher="15")
        finally:
            await national.aclose()
            await tuban.aclose()
