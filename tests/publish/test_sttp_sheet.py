"""The Kelas sheet's STTP fields (issue 20): Tanggal Penutupan / Close date becomes the close's
`closed_on`, Tempat Terbit and the signatory the schedule's; each problem is named by row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from shared.events import ingest
from shared.publishing.sheets import read_csv, write_csv
from shared.publishing.templates import plan_files

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
CLOSE_DATE = "Tanggal Penutupan / Close date"


def kelas(tmp_path: Path, **changes: str) -> tuple[Path, dict[str, int]]:
    """The template's Kelas sheet with some fields changed; the row of each field."""
    rows = [list(r) for r in read_csv(TEMPLATES / "kelas.csv").rows]
    row_of = {r[0]: n for n, r in enumerate(rows, start=1) if r}
    for heading, value in changes.items():
        rows[row_of[heading] - 1][1] = value
    write_csv(tmp_path / "kelas.csv", rows)
    return tmp_path / "kelas.csv", row_of


def planned(path: Path) -> tuple[ingest.CohortScheduled, ingest.CohortClosed]:
    plan = plan_files([path], "35.23")
    assert plan.problems == []
    (schedule,) = [e.data for e in plan.sendable() if isinstance(e.data, ingest.CohortScheduled)]
    (close,) = [e.data for e in plan.sendable() if isinstance(e.data, ingest.CohortClosed)]
    return schedule, close


def test_the_close_date_place_and_signatory_are_sent(tmp_path: Path) -> None:
    schedule, close = planned(kelas(tmp_path)[0])
    assert close.closed_on == dt.date(2024, 3, 5)
    assert schedule.place_of_issue == "Tuban"
    assert schedule.signatory == ingest.Signatory(
        name="Drs. Bambang Sutrisno, M.Si.",
        nip="197205141998031007",
        title="Kepala BKD Kabupaten Tuban",
    )


def test_empty_sttp_fields_send_none(tmp_path: Path) -> None:
    empty = dict.fromkeys(
        [CLOSE_DATE, "Tempat Terbit", "Nama Penandatangan", "NIP Penandatangan"], ""
    )
    path, _ = kelas(tmp_path, **empty, **{"Jabatan Penandatangan": ""})
    schedule, close = planned(path)
    assert (close.closed_on, schedule.place_of_issue, schedule.signatory) == (None, None, None)


def test_a_close_date_in_the_day_month_year_order_is_read(tmp_path: Path) -> None:
    _, close = planned(kelas(tmp_path, **{CLOSE_DATE: "06-03-2024"})[0])
    assert close.closed_on == dt.date(2024, 3, 6)


def test_a_close_date_that_is_not_a_date_is_named_by_its_row(tmp_path: Path) -> None:
    path, row_of = kelas(tmp_path, **{CLOSE_DATE: "lima Maret"})
    (problem,) = plan_files([path], "35.23").problems
    assert str(problem.where) == f"kelas.csv baris {row_of[CLOSE_DATE]} kolom B ({CLOSE_DATE})"
    assert problem.message.startswith("tanggal penutupan 'lima Maret' bukan tanggal")


def test_a_close_date_before_the_first_session_is_the_contracts_rule(tmp_path: Path) -> None:
    path, row_of = kelas(tmp_path, **{CLOSE_DATE: "2024-03-03"})
    (problem,) = plan_files([path], "35.23").problems
    assert (
        problem.rule
        and str(problem.where) == f"kelas.csv baris {row_of[CLOSE_DATE]} kolom B ({CLOSE_DATE})"
    )
    assert "sebelum sesi pertama" in problem.message


def test_a_close_date_without_status_ditutup_is_a_problem(tmp_path: Path) -> None:
    path, _ = kelas(tmp_path, Status="berjalan")
    (problem,) = plan_files([path], "35.23").problems
    assert "status bukan 'ditutup'" in problem.message


def test_a_half_given_signatory_is_named_by_its_row(tmp_path: Path) -> None:
    path, row_of = kelas(tmp_path, **{"NIP Penandatangan": ""})
    (problem,) = plan_files([path], "35.23").problems
    assert (
        str(problem.where)
        == f"kelas.csv baris {row_of['NIP Penandatangan']} kolom B (NIP Penandatangan)"
    )
