"""The spreadsheet precheck, mistake by mistake: each is reported once, at its file, sheet, row
and column heading, in our own words (Indonesian, then English) with the expected form and an
example; never a library's text. The forms Indonesian spreadsheets write are accepted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from shared.client import build_event
from shared.publishing.sheets import read_csv, write_csv
from shared.publishing.templates import plan_files

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
WORKBOOK = TEMPLATES / "contoh-diklat.xlsx"
CSVS = ("kelas.csv", "peserta.csv", "presensi.csv", "evaluasi.csv")
Mistake = Callable[[Path], list[Path]]
# Library wording that must never reach an organiser.
LIBRARY_TEXT = ("should", "Input", "codec", "pattern", "Field required", "Errno", "Traceback")


def _template_rows(name: str) -> list[list[str]]:
    return [list(r) for r in read_csv(TEMPLATES / name).rows]


# The Kelas sheet's first session row (its fields above may grow).
SESSION = next(n for n, r in enumerate(_template_rows("kelas.csv"), 1) if r[:1] == ["Sesi"]) + 1


def _csvs(tmp: Path, change: Callable[[dict[str, list[list[str]]]], None]) -> list[Path]:
    """The four template CSVs with `change` applied to their rows, written to `tmp`."""
    sheets = {name: _template_rows(name) for name in CSVS}
    change(sheets)
    for name, rows in sheets.items():
        write_csv(tmp / name, rows)
    return [tmp / name for name in CSVS]


def _cell(
    name: str, row: int, column: int, value: str
) -> Callable[[dict[str, list[list[str]]]], None]:
    def change(sheets: dict[str, list[list[str]]]) -> None:
        sheets[name][row - 1][column] = value

    return change


def _workbook(tmp: Path, change: Callable[[openpyxl.Workbook], None]) -> list[Path]:
    workbook = openpyxl.load_workbook(WORKBOOK)
    change(workbook)
    path = tmp / "diklat.xlsx"
    workbook.save(path)
    return [path]


def _session_date(text: str) -> Mistake:
    return lambda tmp: _csvs(tmp, _cell("kelas.csv", SESSION, 1, text))


def _cp1252(tmp: Path) -> list[Path]:
    paths = _csvs(tmp, _cell("evaluasi.csv", 2, 2, "Teguh D’Nasution"))
    text = paths[3].read_text(encoding="utf-8")
    paths[3].write_bytes(text.encode("cp1252"))
    return paths


def _empty(tmp: Path) -> list[Path]:
    (tmp / "kosong.csv").write_bytes(b"")
    return [tmp / "kosong.csv"]


def _without_nip_column(tmp: Path) -> list[Path]:
    def change(sheets: dict[str, list[list[str]]]) -> None:
        sheets["presensi.csv"] = [row[:1] + row[2:] for row in sheets["presensi.csv"]]

    return _csvs(tmp, change)


def _numeric_nip(workbook: openpyxl.Workbook) -> None:
    workbook["Peserta"]["B3"].value = 196711041990072215.0


def _merged_heading(workbook: openpyxl.Workbook) -> None:
    workbook["Peserta"].merge_cells("A1:B1")


def _missing(tmp: Path) -> list[Path]:
    return [tmp / "tidak-ada.csv"]


MISTAKES: dict[str, tuple[Mistake, list[str]]] = {
    # The mistakes.
    "a 17-digit NIP": (
        lambda tmp: _csvs(tmp, _cell("peserta.csv", 2, 1, "19680131199109104")),
        [
            "peserta.csv baris 2 kolom B (NIP): NIP harus 18 digit, diterima 17 digit, mis. "
            "198503122010011003 (a NIP must have 18 digits, this one has 17, e.g. "
            "198503122010011003)"
        ],
    ),
    "a region written as a name": (
        lambda tmp: _csvs(tmp, _cell("peserta.csv", 3, 8, "Surabaya")),
        [
            "peserta.csv baris 3 kolom I (Kode Daerah): kode daerah tidak sesuai format; kode "
            "daerah harus kode Kemendagri provinsi (2 angka) atau kabupaten/kota (NN.NN), mis. "
            "15 atau 35.23 (the region code is not in the right form; the region code must be a "
            "Kemendagri province (2 digits) or kabupaten/kota (NN.NN) code, e.g. 15 or 35.23)"
        ],
    ),
    "an impossible date": (
        _session_date("31/02/2024"),
        [
            f"kelas.csv baris {SESSION} kolom B (Tanggal): "
            "tanggal 31/02/2024 tidak ada di kalender; "
            "tanggal harus TTTT-BB-HH atau HH/BB/TTTT, mis. 2024-02-29 (there is no date "
            "31/02/2024; a date must be YYYY-MM-DD or DD/MM/YYYY, e.g. 2024-02-29)"
        ],
    ),
    "a month-first date": (
        _session_date("03/31/2024"),
        [
            f"kelas.csv baris {SESSION} kolom B (Tanggal): "
            "tanggal 03/31/2024 tidak ada di kalender; "
            "tampaknya bulan dan hari tertukar (format Amerika BB/HH/TTTT); tanggal harus "
            "TTTT-BB-HH atau HH/BB/TTTT, mis. 2024-02-29 (there is no date 03/31/2024; month "
            "and day look swapped (the American MM/DD/YYYY); a date must be YYYY-MM-DD or "
            "DD/MM/YYYY, e.g. 2024-02-29)"
        ],
    ),
    "a date in words": (
        _session_date("4 Maret 2024"),
        [
            f"kelas.csv baris {SESSION} kolom B (Tanggal): "
            "tanggal tidak sesuai format; tanggal harus "
            "TTTT-BB-HH atau HH/BB/TTTT, mis. 2024-02-29 (the date is not in the right form; "
            "the date must be YYYY-MM-DD or DD/MM/YYYY, e.g. 2024-02-29)"
        ],
    ),
    "a CSV saved in the Windows code page": (
        _cp1252,
        [
            "evaluasi.csv: berkas CSV bukan UTF-8 (huruf seperti ’ atau é tidak terbaca): di "
            "Excel pilih Simpan Sebagai → 'CSV UTF-8 (Dipisahkan koma)' lalu kirim ulang (the "
            "CSV file is not UTF-8 (letters such as ’ or é cannot be read): in Excel choose "
            "Save As → 'CSV UTF-8 (Comma delimited)' and send it again)"
        ],
    ),
    "an empty file": (
        _empty,
        [
            "kosong.csv: berkas kosong: isi baris judul dan datanya sesuai templat (the file is "
            "empty: fill in the heading row and the data as the template shows)"
        ],
    ),
    "a missing column, reported once and not on every row": (
        _without_nip_column,
        [
            "presensi.csv baris 1: kolom 'NIP' tidak ada: tambahkan judul 'NIP' di baris 1 (the "
            "column 'NIP' is missing: add the heading in row 1)"
        ],
    ),
    "Tahun not the sessions' year": (
        lambda tmp: _csvs(tmp, _cell("kelas.csv", 5, 1, "2026")),
        [
            "kelas.csv baris 5 kolom B (Tahun): Tahun 2026 tidak sesuai tanggal sesi "
            "(2024-03-04 s.d. "
            "2024-03-05): isi tahun pelaksanaan, mis. 2024 (the year 2026 does not match the "
            "sessions' dates (2024-03-04 to 2024-03-05): write the year they take place, e.g. "
            "2024)"
        ],
    ),
    # More.
    "a numeric NIP cell": (
        lambda tmp: _workbook(tmp, _numeric_nip),
        [
            "diklat.xlsx [Peserta] baris 3 kolom B (NIP): sel disimpan sebagai angka, bukan "
            "teks, sehingga digitnya bisa sudah berubah: format kolom NIP sebagai Teks lalu "
            "ketik ulang isinya (the cell is stored as a number, not text, so its digits may "
            "have changed already: format the NIP column as Text and type its values again)"
        ],
    ),
    "a merged heading cell": (
        lambda tmp: _workbook(tmp, _merged_heading),
        [
            "diklat.xlsx [Peserta] baris 1: kolom 'NIP' tidak ada: tambahkan judul 'NIP' di "
            "baris 1 (the column 'NIP' is missing: add the heading in row 1)",
            "diklat.xlsx [Peserta] baris 1 kolom B: judul kolom kosong padahal ada data di "
            "bawahnya; bila sel judul digabung (merge), pisahkan lalu isi judul tiap kolom (the "
            "column has data but no heading; if heading cells are merged, unmerge them and give "
            "each column its heading)",
        ],
    ),
    "a file that is not there": (
        _missing,
        ["tidak-ada.csv: berkas tidak ditemukan (file not found)"],
    ),
    "an unknown attendance mark": (
        lambda tmp: _csvs(tmp, _cell("presensi.csv", 3, 4, "X")),
        [
            "presensi.csv baris 3 kolom E (Sesi 2): 'X' bukan kode presensi: isi H (hadir), T "
            "(terlambat), I (izin), S (sakit) atau A (alpa), atau kosongkan ('X' is not an "
            "attendance mark: write H, T, I, S or A, or leave it empty)"
        ],
    ),
    "a score in words": (
        lambda tmp: _csvs(tmp, _cell("evaluasi.csv", 3, 3, "sembilan puluh")),
        [
            "evaluasi.csv baris 3 kolom D (Nilai): nilai tidak sesuai format; nilai harus angka "
            "0 sampai 100 dengan paling banyak 2 desimal, mis. 85,5 (the score is not in the "
            "right form; the score must be a number from 0 to 100 with at most 2 decimals, e.g. "
            "85,5)"
        ],
    ),
    "a session ending before it starts": (
        lambda tmp: _csvs(tmp, _cell("kelas.csv", SESSION, 3, "07:00")),
        [
            f"kelas.csv baris {SESSION}: "
            "jam selesai sesi harus setelah jam mulainya, mis. mulai 08:00 "
            "selesai 12:00 (a session must end after it starts, e.g. start 08:00, end 12:00)"
        ],
    ),
    "an empty name": (
        lambda tmp: _csvs(tmp, _cell("peserta.csv", 2, 2, "")),
        [
            "peserta.csv baris 2 kolom C (Nama): nama kosong; nama harus diisi teks, paling "
            "banyak 200 karakter (the name is empty; the name must be text of at most 200 "
            "characters)"
        ],
    ),
    "an unknown time zone": (
        lambda tmp: _csvs(tmp, _cell("kelas.csv", 8, 1, "WITT")),
        [
            "kelas.csv baris 8 kolom B (Zona Waktu): zona waktu tidak dikenal; zona waktu harus "
            "WIB, WITA "
            "atau WIT (the time zone is not one we know; the time zone must be WIB, WITA or WIT)"
        ],
    ),
}


@pytest.mark.parametrize("name", list(MISTAKES))
def test_each_mistake_is_one_problem_in_our_own_words(name: str, tmp_path: Path) -> None:
    mistake, expected = MISTAKES[name]
    problems = [str(p) for p in plan_files(mistake(tmp_path), "35.23").problems]
    assert problems == expected
    assert not any(text in p for p in problems for text in LIBRARY_TEXT)


def _event_ids(paths: list[Path]) -> list[str]:
    plan = plan_files(paths, "35.23")
    assert [str(p) for p in plan.problems] == []
    return [build_event("35.23", e.data).id for e in plan.sendable()]


def _indonesian_excel(tmp: Path) -> list[Path]:
    """The templates as Excel in an Indonesian locale saves CSV UTF-8: `;` between cells,
    dates day first, times with a dot, and a trailing empty row."""
    paths = []
    for name in CSVS:
        rows = _template_rows(name)
        if name == "kelas.csv":
            for row in rows[SESSION - 1 :]:
                year, month, day = row[1].split("-")
                row[1], row[2] = f"{day}/{month}/{year}", row[2].replace(":", ".")
        lines = [";".join(row) for row in rows] + [";;;"]
        (tmp / name).write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
        paths.append(tmp / name)
    return paths


def test_a_semicolon_csv_as_excel_writes_it_in_an_indonesian_locale_is_read(
    tmp_path: Path,
) -> None:
    original = [TEMPLATES / name for name in CSVS]
    assert _event_ids(_indonesian_excel(tmp_path)) == _event_ids(original)


def test_excel_serial_dates_are_read_as_dates(tmp_path: Path) -> None:
    serial = _csvs(tmp_path, _cell("kelas.csv", SESSION, 1, "45355"))  # 2024-03-04 as a day number
    assert _event_ids(serial) == _event_ids([TEMPLATES / name for name in CSVS])


def test_a_renamed_sheet_and_trailing_empty_rows_change_nothing(tmp_path: Path) -> None:
    def rename_and_pad(workbook: openpyxl.Workbook) -> None:
        workbook["Peserta"].title = "Daftar Hadir Peserta"
        workbook["Evaluasi"].append([None, None, None, None])
        workbook["Evaluasi"]["A9"].number_format = "@"  # formatted, never filled

    assert _event_ids(_workbook(tmp_path, rename_and_pad)) == _event_ids([WORKBOOK])


def test_a_problem_on_a_renamed_sheet_names_that_sheet(tmp_path: Path) -> None:
    def rename_and_break(workbook: openpyxl.Workbook) -> None:
        workbook["Peserta"].title = "Lembar2"
        workbook["Lembar2"]["I2"].value = "Tuban"

    problems = [str(p) for p in plan_files(_workbook(tmp_path, rename_and_break), "35.23").problems]
    assert [p.split(":")[0] for p in problems] == [
        "diklat.xlsx [Lembar2] baris 2 kolom I (Kode Daerah)"
    ]
