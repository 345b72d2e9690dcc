"""The spreadsheet templates: every problem named by file, row and column; CSV and XLSX agree."""

from __future__ import annotations

from pathlib import Path

from shared.client import build_event
from shared.publishing.sheets import read_csv, write_csv
from shared.publishing.templates import plan_files

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def _rows(name: str) -> list[list[str]]:
    return [list(r) for r in read_csv(TEMPLATES / name).rows]


def _ids(paths: list[Path]) -> list[str]:
    plan = plan_files(paths, "35.23")
    assert plan.problems == []
    return [build_event("35.23", e.data).id for e in plan.sendable()]


def test_the_xlsx_and_the_csv_examples_give_the_same_events() -> None:
    from_csv = _ids(sorted(TEMPLATES.glob("*.csv")))
    from_xlsx = _ids([TEMPLATES / "contoh-diklat.xlsx"])
    assert len(from_csv) == 14
    assert from_csv == from_xlsx


def test_every_problem_is_reported_with_file_row_and_column(tmp_path: Path) -> None:
    rows = _rows("peserta.csv")
    rows[1][4] = "P" if rows[1][4] == "L" else "L"  # gender contradicts the NIP's digit 15
    rows[2][1] = "19870101"  # too short
    rows[3][8] = "Tuban"  # not a region code
    write_csv(tmp_path / "peserta.csv", rows)
    presence = _rows("presensi.csv")
    presence[1][3] = "X"
    write_csv(tmp_path / "presensi.csv", presence)
    paths = [TEMPLATES / "kelas.csv", tmp_path / "peserta.csv", tmp_path / "presensi.csv"]

    problems = [str(p) for p in plan_files(paths, "35.23").problems]

    assert any(p.startswith("peserta.csv baris 2 kolom B (NIP): digit 15") for p in problems)
    assert any(p.startswith("peserta.csv baris 3 kolom B (NIP)") for p in problems)
    assert any(p.startswith("peserta.csv baris 4 kolom I (Kode Daerah)") for p in problems)
    assert any(p.startswith("presensi.csv baris 2 kolom D (Sesi 1): 'X'") for p in problems)
    # The short NIP's marks are not reported again: fixing its Peserta row fixes them.
    assert not any("not registered" in p for p in problems)


def test_a_mark_for_someone_not_on_a_clean_peserta_sheet_is_refused(tmp_path: Path) -> None:
    presence = _rows("presensi.csv")
    presence[3][1] = "198503122010011003"
    write_csv(tmp_path / "presensi.csv", presence)
    paths = [TEMPLATES / "kelas.csv", TEMPLATES / "peserta.csv", tmp_path / "presensi.csv"]
    problems = [str(p) for p in plan_files(paths, "35.23").problems]
    assert problems == [
        "presensi.csv baris 4: NIP tidak ada di daftar peserta 35.23/BIMTEK-SIASN/2024/I: "
        "daftarkan dulu di lembar Peserta (the NIP is not registered in "
        "35.23/BIMTEK-SIASN/2024/I: register it on the Peserta sheet first)"
    ]


def test_a_problem_blocks_sending_unless_it_is_a_rule_the_services_check(tmp_path: Path) -> None:
    rows = _rows("peserta.csv")
    rows[1][4] = "P" if rows[1][4] == "L" else "L"
    write_csv(tmp_path / "peserta.csv", rows)
    plan = plan_files([TEMPLATES / "kelas.csv", tmp_path / "peserta.csv"], "35.23")
    assert len(plan.blocking()) == 1
    assert plan.blocking(force=True) == []
    assert len(plan.sendable()) == 1 + 2 + 1  # schedule, two good registrations, close
    assert len(plan.sendable(force=True)) == 1 + 3 + 1


def test_an_unknown_sheet_and_a_missing_column_are_problems(tmp_path: Path) -> None:
    write_csv(tmp_path / "lain.csv", [["Apa", "Ini"], ["1", "2"]])
    write_csv(tmp_path / "nilai.csv", [["NIP", "Nilai"], ["198609262015051001", "80"]])
    plan = plan_files([tmp_path / "lain.csv", tmp_path / "nilai.csv"], "15")
    problems = [str(p) for p in plan.problems]
    assert problems[0].startswith("lain.csv baris 1: lembar tidak dikenali")
    assert "nilai.csv baris 1: kolom 'Kode Angkatan' tidak ada" in problems[1]


def test_the_demo_files_have_only_their_planned_trouble() -> None:
    tuban = plan_files(sorted((ROOT / "demo" / "35.23-tuban").glob("diklat-*.xlsx")), "35.23")
    assert tuban.problems == []
    assert [str(w.where) for w in tuban.warnings] == [
        "diklat-kasi-pemerintahan-2017.xlsx [Peserta] baris 21"
    ]
    sumsel = plan_files(sorted((ROOT / "demo" / "16-sumsel").glob("*.csv")), "16")
    assert [(p.where.row, p.rule) for p in sumsel.problems] == [(13, True)]
