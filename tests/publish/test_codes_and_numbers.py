"""Issue 17 in `diklat publish`'s precheck: a code cell a spreadsheet holds as a number is read
exactly when it is an integer and refused when it is a float (digits already lost); a cohort
code must carry the publisher's prefix; a cohort cannot be `ditutup` before its first session."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from diklat.demo import ORGANISERS
from shared.events import ingest
from shared.publishing.sheets import Sheet, read_csv, write_csv
from shared.publishing.templates import plan_files, plan_sheets

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
CODE = "35.23/BIMTEK-SIASN/2024/I"
NIP = "198503122010011003"  # as a float it is 198503122010011008, still a valid NIP
OTHER_NIP = "198607142011012004"
HEADINGS = ["Kode Angkatan", "NIP", "Nama", "Jenis ASN", "Jenis Kelamin", "Jabatan"]
HEADINGS += ["Pangkat/Golongan", "Instansi", "Kode Daerah"]


def _person(code: Any, nip: Any, name: str, gender: str, region: Any) -> list[Any]:
    return [code, nip, name, "PNS", gender, "Analis", "III/b", "BKD Kabupaten Tuban", region]


def _exact_integer(path: Path, cell: str, digits: str) -> None:
    """Store `cell` as the exact integer `digits`, as a writer that keeps integers does.
    openpyxl itself writes every number with 16 significant digits (1.98503122010011e+17)."""
    with zipfile.ZipFile(path) as old:
        parts = {name: old.read(name) for name in old.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = parts[sheet].decode()
    pattern = rf'(<c r="{cell}"[^>]*t="n"[^>]*><v>)[^<]*(</v>)'
    xml, count = re.subn(pattern, rf"\g<1>{digits}\g<2>", xml)
    assert count == 1
    parts[sheet] = xml.encode()
    with zipfile.ZipFile(path, "w") as new:
        for name, body in parts.items():
            new.writestr(name, body)


def _workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Peserta"
    sheet.append(HEADINGS)
    sheet.append(_person(CODE, int(NIP), "Integer", "L", "35.23"))  # row 2: an integer cell
    sheet.append(_person(CODE, float(NIP), "Float", "L", "35.23"))  # row 3: pandas' float64
    sheet.append(_person(CODE, OTHER_NIP, "Text", "P", "35.23"))  # row 4: a Text column
    sheet.append(_person(CODE, OTHER_NIP[:-1] + "5", "Region", "P", 35.1))  # row 5: 35.10
    sheet.append(_person(CODE, OTHER_NIP[:-1] + "6", "Province", "P", 35))  # row 6: int 35
    workbook.save(path)
    _exact_integer(path, "B2", NIP)
    return path


def test_an_integer_nip_cell_is_read_exactly_and_a_float_one_is_refused(tmp_path: Path) -> None:
    book = _workbook(tmp_path / "peserta.xlsx")
    check = openpyxl.load_workbook(book, read_only=True)
    kinds = [type(row[1]).__name__ for row in check.worksheets[0].iter_rows(values_only=True)]
    check.close()
    assert kinds == ["str", "int", "float", "str", "str", "str"]

    plan = plan_files([book], "35.23")

    registered = {
        e.where.row: e.data for e in plan.events if isinstance(e.data, ingest.ParticipantRegistered)
    }
    assert registered[2].nip == NIP  # the integer, digit for digit
    assert registered[4].nip == OTHER_NIP
    assert registered[6].region == "35"  # an integer region cell is read as written
    assert 3 not in registered and 5 not in registered  # refused rows are never planned
    problems = [str(p) for p in plan.problems]
    assert len(problems) == 2, problems
    nip, region = problems
    assert nip.startswith("peserta.xlsx [Peserta] baris 3 kolom B (NIP): sel disimpan sebagai")
    assert "format kolom NIP sebagai Teks" in nip
    assert "format the NIP column as Text" in nip
    assert region.startswith("peserta.xlsx [Peserta] baris 5 kolom I (Kode Daerah)")
    assert "format the Kode Daerah column as Text" in region
    assert not any(p.rule for p in plan.problems)  # --force does not send a changed NIP
    assert plan.blocking(force=True)


def test_a_nip_saved_as_csv_in_exponent_form_is_refused_the_same_way(tmp_path: Path) -> None:
    rows = [list(r) for r in read_csv(TEMPLATES / "peserta.csv").rows]
    rows[1][1] = "1,98503E+17"  # a numeric NIP column saved as CSV in an Indonesian locale
    write_csv(tmp_path / "peserta.csv", rows)

    problems = [str(p) for p in plan_files([tmp_path / "peserta.csv"], "35.23").problems]

    assert len(problems) == 1
    assert problems[0].startswith("peserta.csv baris 2 kolom B (NIP): sel disimpan sebagai angka")


def test_a_session_number_or_cohort_code_stored_as_a_float_is_refused() -> None:
    rows = [list(r) for r in read_csv(TEMPLATES / "kelas.csv").rows]
    first_session = next(n for n, r in enumerate(rows, start=1) if r and r[0] == "Sesi") + 1
    floats = frozenset({(1, 1), (first_session, 0)})

    plan = plan_sheets([Sheet("kelas.xlsx", "Kelas", rows, floats)], "35.23")

    problems = [str(p) for p in plan.problems]
    assert len(problems) == 2, problems
    assert problems[0].startswith(
        "kelas.xlsx [Kelas] baris 1 kolom B (Kode Angkatan): sel disimpan sebagai"
    )
    assert "format the Kode Angkatan column as Text" in problems[0]
    assert problems[1].startswith(f"kelas.xlsx [Kelas] baris {first_session} kolom A (Sesi)")


def test_the_cohort_code_must_start_with_the_publishers_id(tmp_path: Path) -> None:
    files = sorted(TEMPLATES.glob("*.csv"))  # every code is 35.23/...

    plan = plan_files(files, "35")  # 35 is Jawa Timur, not Tuban (35.23)

    schedule = [p for p in plan.problems if p.where.sheet == "kelas.csv"]
    assert [(str(p.where), p.rule) for p in schedule] == [
        ("kelas.csv baris 1 kolom B (Kode Angkatan)", False)
    ]
    assert "harus diawali '35/'" in schedule[0].message
    assert "must start with '35/'" in schedule[0].message
    # Other rows may name a cohort scheduled before the rule: the service decides (--force).
    others = [p for p in plan.problems if p.where.sheet != "kelas.csv"]
    assert others and all(p.rule and "'35/'" in p.message for p in others)
    assert {p.where.sheet for p in others} == {"peserta.csv", "presensi.csv", "evaluasi.csv"}
    assert len({p.where for p in others}) == len(others)  # once per row, not once per mark
    assert plan.blocking(force=True)  # the schedule itself can never be accepted
    assert plan_files(files, "35.23").problems == []


def test_kota_jambi_is_not_jambi(tmp_path: Path) -> None:
    rows = [list(r) for r in read_csv(TEMPLATES / "kelas.csv").rows]
    rows[0][1] = "15.71/BIMTEK/2024/I"
    write_csv(tmp_path / "kelas.csv", rows)

    assert plan_files([tmp_path / "kelas.csv"], "15.71").problems == []
    (problem,) = plan_files([tmp_path / "kelas.csv"], "15").problems
    assert "'15/'" in problem.message


def test_a_cohort_cannot_be_ditutup_before_its_first_session(tmp_path: Path) -> None:
    rows = [list(r) for r in read_csv(TEMPLATES / "kelas.csv").rows]
    for row in rows:
        if row and row[0] == "Tahun":
            row[1] = "2099"
        if row and row[0].startswith("Tanggal Penutupan"):
            row[1] = ""  # no close date: the close's own time is what is early
        elif len(row) > 1 and row[1].startswith("2024-03-"):
            row[1] = row[1].replace("2024", "2099")
    write_csv(tmp_path / "kelas.csv", rows)
    status_row = next(n for n, r in enumerate(rows, start=1) if r and r[0] == "Status")

    plan = plan_files([tmp_path / "kelas.csv"], "35.23")

    (problem,) = plan.problems
    assert str(problem.where) == f"kelas.csv baris {status_row} kolom B (Status)"
    assert "sesi pertama baru dimulai 2099-03-04 08:00 WIB" in problem.message
    assert "before its first session on 2099-03-04 08:00 WIB" in problem.message
    assert problem.rule  # the service refuses it too: --force sends it and shows the answer
    kinds = [type(e.data).__name__ for e in plan.sendable()]
    assert "CohortClosed" not in kinds and "CohortScheduled" in kinds


def test_every_demo_cohort_code_carries_its_publishers_prefix() -> None:
    for organiser in ORGANISERS:
        files = organiser.files() + organiser.files(late=True)
        plan = plan_files(files, organiser.publisher)
        codes = {e.cohort_code for e in plan.events}
        assert len(codes) == organiser.cohorts, organiser.publisher
        assert all(code.startswith(f"{organiser.publisher}/") for code in codes), codes
        assert not any("harus diawali" in p.message for p in plan.problems)
        assert not any("sesi pertama" in p.message for p in plan.problems)
