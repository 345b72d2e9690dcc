"""A cohort of 2017 published today from spreadsheets (`diklat publish`, the real broker and
Postgres, all four services): its certificates are dated in 2017, on the sheet's Tanggal
Penutupan when given and on the last session's date when not, never on the publishing day;
the national registry shows the same date, and the schedule's signatory and place are kept."""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx
import pytest

from diklat.publish import publish_files
from services.attendance.entrypoints.app import DEFINITION as ATTENDANCE
from services.certification.entrypoints.app import DEFINITION as CERTIFICATION
from services.consolidation.entrypoints.app import DEFINITION as CONSOLIDATION
from services.enrolment.entrypoints.app import DEFINITION as ENROLMENT
from shared.publishing.sheets import read_csv, write_csv
from shared.runtime import ServiceRuntime
from tests.support import eventually, prepare_topics, running

pytestmark = pytest.mark.e2e
TUBAN = "35.23"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
DATED, UNDATED = "35.23/BIMTEK-SIASN/2017/I", "35.23/BIMTEK-SIASN/2017/II"
SHEETS = ("kelas.csv", "peserta.csv", "presensi.csv", "evaluasi.csv")


def sheets_of_2017(folder: Path, code: str, close_date: str) -> list[Path]:
    """The template examples moved to 2017 under `code`, with this close date ("" for none)."""
    folder.mkdir()
    for name in SHEETS:
        rows = [
            [cell.replace("2024", "2017").replace(DATED, code) for cell in row]
            for row in read_csv(TEMPLATES / name).rows
        ]
        for row in rows:
            if row and row[0].startswith("Tanggal Penutupan"):
                row[1] = close_date
        write_csv(folder / name, rows)
    return [folder / name for name in SHEETS]


async def certificates_of(svc: ServiceRuntime, code: str) -> list[dict[str, object]]:
    async with svc.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT content FROM certificates WHERE cohort_code = $1 ORDER BY nip", code
        )
    return [dict(r["content"]) for r in rows]


async def test_a_2017_cohort_from_a_sheet_is_dated_2017_by_its_close_or_last_session(
    infra, tmp_path: Path
) -> None:
    await prepare_topics(infra, [TUBAN])
    files = sheets_of_2017(tmp_path / "dated", DATED, "2017-03-10")
    files += sheets_of_2017(tmp_path / "undated", UNDATED, "")
    lines: list[str] = []
    async with contextlib.AsyncExitStack() as stack:
        for definition in (ENROLMENT, ATTENDANCE):
            await stack.enter_async_context(running(definition, infra))
        cert = await stack.enter_async_context(
            running(CERTIFICATION, infra, api_tokens="nat=national")
        )
        national = await stack.enter_async_context(
            running(CONSOLIDATION, infra, api_tokens="nat=national")
        )
        code, report = await publish_files(
            files, TUBAN, infra, lines.append, timeout=90, progress=False
        )
        assert code == 0, lines
        assert report is not None and set(report.counts()) == {"applied"}

        async def both_certified() -> bool:
            counts = [len(await certificates_of(cert, c)) for c in (DATED, UNDATED)]
            return counts == [2, 2]

        await eventually(both_certified, 60, "the certificates of both cohorts")
        dated, undated = await certificates_of(cert, DATED), await certificates_of(cert, UNDATED)
        assert {c["issue_date"] for c in dated} == {"2017-03-10"}  # the sheet's close date
        assert {c["issue_date"] for c in undated} == {"2017-03-05"}  # the last session's
        assert dated[0]["place_of_issue"] == "Tuban"
        assert dated[0]["signatory"] == {
            "name": "Drs. Bambang Sutrisno, M.Si.",
            "nip": "197205141998031007",
            "title": "Kepala BKD Kabupaten Tuban",
        }
        assert [s["date"] for s in dated[0]["sessions"]] == ["2017-03-04", "2017-03-05"]

        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=national.http_app()),
            base_url="http://t",
            headers={"Authorization": "Bearer nat"},
        ) as client:

            async def registry() -> dict[str, set[str]]:
                found = (await client.get("/api/v1/certificates", params={"year": 2017})).json()
                dates: dict[str, set[str]] = {}
                for item in found["items"]:
                    dates.setdefault(item["cohort_code"], set()).add(item["issue_date"])
                return dates

            async def registry_complete() -> bool:
                return len((await client.get("/api/v1/certificates")).json()["items"]) == 4

            await eventually(registry_complete, 60, "the national registry")
            assert await registry() == {DATED: {"2017-03-10"}, UNDATED: {"2017-03-05"}}
