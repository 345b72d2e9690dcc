"""The roster sheet (issue 19): our headings and a SIASN export's give the same events, sent in
their own phase before schedules, and every precheck problem names its row and column."""

from __future__ import annotations

from pathlib import Path

from shared.events import ingest
from shared.publishing.sheets import Sheet, write_csv
from shared.publishing.templates import PHASE_ROSTER, PHASE_SCHEDULE, plan_files, plan_sheets

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
MAN = "198503122010011003"  # TMT CPNS 2010-01
WOMAN = "198607142011012004"  # TMT CPNS 2011-01
OURS = ["NIP", "Nama", "Jenis ASN", "Jenis Kelamin", "Instansi", "Unit Kerja", "Kode Daerah"]
OURS += ["Jabatan", "Pangkat/Golongan", "Status", "Sejak"]
SIASN = ["NIP BARU", "NAMA", "JENIS KELAMIN", "JENIS PEGAWAI NAMA", "INSTANSI INDUK NAMA"]
SIASN += ["INSTANSI KERJA NAMA", "UNOR NAMA", "JABATAN NAMA", "GOL AKHIR NAMA"]
SIASN += ["KEDUDUKAN HUKUM NAMA"]
AGENCY = "Pemerintah Kabupaten Tuban"
STUDY = "Tugas Belajar"


def _ours(nip: str, gender: str, region: str, status: str, since: str) -> list[str]:
    return [nip, "Budi", "PNS", gender, AGENCY, "BKPSDM", region, "Analis", "III/b", status, since]


def _sheet(rows: list[list[str]], headings: list[str] = OURS) -> Sheet:
    return Sheet("asn.csv", None, [headings, *rows])


def _problems(rows: list[list[str]], publisher: str = "35.23") -> list[str]:
    return [str(p) for p in plan_sheets([_sheet(rows)], publisher).problems]


def test_our_headings_and_a_siasn_export_become_the_same_events() -> None:
    ours = _sheet(
        [
            _ours(MAN, "L", "35.23", "Aktif", "2010-01-01"),
            _ours(WOMAN, "P", "35.23", "Tugas Belajar", "2011-01-01"),
        ]
    )
    siasn = Sheet(
        "siasn.csv",
        None,
        [
            SIASN,
            [
                MAN,
                "Budi",
                "1",
                "PNS Daerah",
                "Pemkab",
                AGENCY,
                "BKPSDM",
                "Analis",
                "III/b",
                "Aktif",
            ],
            [WOMAN, "Budi", "Wanita", "PNS", AGENCY, AGENCY, "BKPSDM", "Analis", "III/b", STUDY],
        ],
    )
    from_ours, from_siasn = plan_sheets([ours], "35.23"), plan_sheets([siasn], "35.23")

    assert from_ours.problems == [] and from_siasn.problems == []
    assert [e.data for e in from_ours.events] == [e.data for e in from_siasn.events]
    assert from_siasn.events[1].data == ingest.AsnRecorded.model_validate(
        {
            "nip": WOMAN,
            "name": "Budi",
            "asn_type": "PNS",
            "gender": "P",
            "agency": AGENCY,
            "unit": "BKPSDM",
            "region": "35.23",
            "position": "Analis",
            "rank": "III/b",
            "status": "tugas_belajar",
            "status_since": "2011-01-01",
        }
    )
    # The SIASN export has no region and no "since": both defaults are named in the warnings.
    warned = " ".join(str(w) for w in from_siasn.warnings)
    assert "Kode Daerah kosong di baris 2, 3" in warned and "Sejak kosong" in warned
    assert from_ours.warnings == []


def test_the_templates_plan_without_problems_and_the_roster_goes_first() -> None:
    folder = TEMPLATES / "daftar-asn"
    cohort = TEMPLATES / "kelas.csv"
    for name in ("daftar-asn.csv", "daftar-asn.xlsx", "ekspor-siasn.csv"):
        plan = plan_files([cohort, folder / name], "35.23")
        assert plan.problems == []
        phases = [e.phase for e in plan.sendable()]
        assert phases[:4] == [PHASE_ROSTER] * 3 + [PHASE_SCHEDULE]


def test_each_precheck_problem_is_named_with_its_row_and_column() -> None:
    problems = _problems(
        [
            _ours("19850312201001100", "L", "35.23", "Aktif", ""),  # 17 digits
            _ours(MAN, "L", "Tuban", "Aktif", ""),
            _ours(MAN, "L", "35.23", "Mutasi", ""),
            _ours(MAN, "L", "35.24", "Aktif", ""),
            _ours(MAN, "X", "35.23", "Aktif", "kemarin"),
            _ours(WOMAN, "L", "35.23", "Aktif", ""),  # digit 15 says P
            _ours("198503122010131003", "L", "35.23", "Aktif", ""),  # TMT month 13
        ]
    )
    assert any(p.startswith("asn.csv baris 2 kolom A (NIP): NIP harus 18 digit") for p in problems)
    assert any(
        p.startswith("asn.csv baris 3 kolom G (Kode Daerah): kode daerah 'Tuban'") for p in problems
    )
    assert any(
        p.startswith("asn.csv baris 4 kolom J (Status): status 'Mutasi' tidak ada")
        for p in problems
    )
    assert any(
        p.startswith("asn.csv baris 5 kolom G (Kode Daerah): Penerbit 35.23 hanya dapat")
        and "gerbang ingest" in p
        for p in problems
    )
    assert any(p.startswith("asn.csv baris 6 kolom D (Jenis Kelamin)") for p in problems)
    assert any(p.startswith("asn.csv baris 6 kolom K (Sejak): tanggal 'kemarin'") for p in problems)
    assert any(p.startswith("asn.csv baris 7 kolom A (NIP): digit 15") for p in problems)
    assert [p for p in problems if p.startswith("asn.csv baris 8")] == [
        "asn.csv baris 8 kolom A (NIP): TMT CPNS 201013 (digit 9–14) tidak valid: bulan 13 "
        "bukan 01–12 (TMT CPNS 201013 (digits 9–14) is invalid: month 13 is not 01–12)",
        "asn.csv baris 8 kolom K (Sejak): Sejak kosong dan TMT dalam NIP (digit 9–14) bukan "
        "tanggal: isi kolom Sejak, mis. 2019-03-01 (Sejak is empty and the NIP's TMT, digits "
        "9–14, is not a date: fill in the Sejak column, e.g. 2019-03-01)",
    ]


def test_a_row_for_another_region_may_be_forced_as_a_transfer_the_gate_decides() -> None:
    plan = plan_sheets([_sheet([_ours(MAN, "L", "35.24", "Aktif", "")])], "35.23")
    assert len(plan.blocking()) == 1 and plan.blocking(force=True) == []
    assert len(plan.sendable(force=True)) == 1


def test_nasional_records_any_region_and_a_province_only_its_own() -> None:
    assert _problems([_ours(MAN, "L", "35.23", "Aktif", "")], "nasional") == []
    assert _problems([_ours(MAN, "L", "35", "Aktif", "")], "35") == []
    assert len(_problems([_ours(MAN, "L", "35.23", "Aktif", "")], "35")) == 1


def test_one_nip_on_two_rows_is_a_warning_and_the_last_row_wins() -> None:
    rows = [
        _ours(MAN, "L", "35.23", "Aktif", ""),
        _ours(MAN, "L", "35.23", "Pensiun", "2024-06-01"),
    ]
    plan = plan_sheets([_sheet(rows)], "35.23")
    assert plan.problems == []
    assert any("baris 3 yang berlaku" in str(w) for w in plan.warnings)
    sent = [e.data for e in plan.sendable()]
    assert isinstance(sent[-1], ingest.AsnRecorded)
    assert sent[-1].status == ingest.EmploymentStatus.PENSIUN


def test_a_missing_required_column_names_both_headings(tmp_path: Path) -> None:
    path = tmp_path / "asn.csv"
    headings = ["NIP", "Nama", "Jenis Kelamin", "Instansi", "Status"]
    write_csv(path, [headings, [MAN, "Budi", "L", AGENCY, "Aktif"]])
    problems = [str(p) for p in plan_files([path], "35.23").problems]
    assert problems == [
        "asn.csv baris 1: kolom 'Jenis ASN' / 'JENIS PEGAWAI NAMA' tidak ada: tambahkan kolom "
        "itu di baris 1 (column 'Jenis ASN' / 'JENIS PEGAWAI NAMA' is missing: add it to row 1)"
    ]


def test_a_siasn_export_separated_by_bars_is_read(tmp_path: Path) -> None:
    path = tmp_path / "siasn.csv"
    lines = ["|".join(SIASN), f"{MAN}|Budi|Pria|PNS|{AGENCY}|{AGENCY}|BKPSDM|Analis|III/b|Aktif"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = plan_files([path], "35.23")
    assert plan.problems == [] and len(plan.events) == 1


def test_a_row_shifted_by_a_separator_inside_a_cell_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "siasn.csv"
    lines = [",".join(SIASN), f"1,98503E+17,Budi,Pria,PNS,{AGENCY},{AGENCY},BKPSDM,Analis,3b,Aktif"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = [str(p) for p in plan_files([path], "35.23").problems]
    assert len(problems) == 1
    assert problems[0].startswith("siasn.csv baris 2: baris ini berisi 11 sel, padahal judul")


def test_a_participants_sheet_that_lost_its_cohort_column_is_not_taken_for_a_roster() -> None:
    headings = ["NIP", "Nama", "Jenis ASN", "Jenis Kelamin", "Jabatan", "Pangkat/Golongan"]
    headings += ["Instansi", "Kode Daerah"]
    row = [MAN, "Budi", "PNS", "L", "Analis", "III/b", AGENCY, "35.23"]
    plan = plan_sheets([_sheet([row], headings)], "35.23")
    assert plan.events == []
    problems = [str(p) for p in plan.problems]
    assert problems[0] == (
        "asn.csv baris 1: kolom 'Kode Angkatan' tidak ada: tambahkan judul 'Kode Angkatan' di "
        "baris 1 (the column 'Kode Angkatan' is missing: add the heading in row 1)"
    )
