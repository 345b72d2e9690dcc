"""The Presensi (participants × sessions) and Evaluasi (scores) sheets."""

from __future__ import annotations

import re

from shared.events import ingest
from shared.publishing import messages
from shared.publishing.sheets import Sheet, column_letter
from shared.publishing.templates.common import (
    PHASE_MARK,
    PHASE_SCORE,
    Cells,
    Location,
    Plan,
    Planned,
    Problem,
    check_code,
    codes_stored_as_numbers,
    decimal,
    norm,
    row_locator,
    validate,
)

EVALUATION_COLUMNS: dict[str, str] = {
    "kode angkatan": "cohort_code",
    "nip": "nip",
    "nama": "name",
    "nilai": "score",
}
STATUS_CODES: dict[str, ingest.AttendanceStatus] = {
    "H": ingest.AttendanceStatus.HADIR,
    "T": ingest.AttendanceStatus.TERLAMBAT,
    "I": ingest.AttendanceStatus.IZIN,
    "S": ingest.AttendanceStatus.SAKIT,
    "A": ingest.AttendanceStatus.ALPA,
    **{s.value: s for s in ingest.AttendanceStatus},
}
SESSION_HEADING = re.compile(r"^(?:sesi\s*)?(\d{1,3})$")


def _session_columns(sheet: Sheet) -> dict[int, int]:
    """Column index -> session number, from headings `Sesi 1`, `2`, ..."""
    return {
        i: int(m.group(1))
        for i, heading in enumerate(sheet.rows[0])
        if (m := SESSION_HEADING.match(norm(heading)))
    }


def attendance(sheet: Sheet, plan: Plan) -> None:
    cells = Cells(sheet, {"kode angkatan": "cohort_code", "nip": "nip"}, plan)
    sessions = _session_columns(sheet)
    for n, row in enumerate(sheet.rows[1:], start=2):
        if not any(row) or codes_stored_as_numbers(
            sheet, cells, n, row, ("cohort_code", "nip"), plan
        ):
            continue
        for i, session_no in sessions.items():
            mark = row[i].strip().upper() if i < len(row) else ""
            if mark:  # empty: not recorded (yet)
                _mark(sheet, cells, plan, n, row, i, session_no, mark)


def _mark(
    sheet: Sheet,
    cells: Cells,
    plan: Plan,
    n: int,
    row: list[str],
    i: int,
    session_no: int,
    mark: str,
) -> None:
    """One attendance cell: an event, or a problem named by its row and session column."""
    column = f"{column_letter(i)} ({sheet.rows[0][i]})"
    if mark not in STATUS_CODES:
        plan.problems.append(Problem(Location(sheet.label, n, column), messages.bad_mark(mark)))
        return
    data = {
        "cohort_code": cells.get(row, "cohort_code"),
        "nip": cells.get(row, "nip"),
        "session_no": session_no,
        "status": STATUS_CODES[mark],
    }

    def locate(loc: tuple[int | str, ...]) -> Location:
        name = str(loc[0]) if loc else ""
        return Location(sheet.label, n, cells.column(name) or column)

    found = validate(ingest.AttendanceRecorded, data, plan, locate, cells.missing)
    if isinstance(found, ingest.AttendanceRecorded):
        plan.events.append(Planned(found, Location(sheet.label, n, column), PHASE_MARK))
        check_code(plan, found.cohort_code, locate(("cohort_code",)), rule=True)


def evaluation(sheet: Sheet, plan: Plan) -> None:
    cells = Cells(sheet, EVALUATION_COLUMNS, plan)
    for n, row in enumerate(sheet.rows[1:], start=2):
        if not any(row) or codes_stored_as_numbers(
            sheet, cells, n, row, ("cohort_code", "nip"), plan
        ):
            continue
        data = {
            "cohort_code": cells.get(row, "cohort_code"),
            "nip": cells.get(row, "nip"),
            "score": decimal(cells.get(row, "score")),
        }
        locate = row_locator(sheet, cells, n)
        found = validate(ingest.EvaluationRecorded, data, plan, locate, cells.missing)
        if isinstance(found, ingest.EvaluationRecorded):
            plan.events.append(Planned(found, Location(sheet.label, n), PHASE_SCORE))
            check_code(plan, found.cohort_code, locate(("cohort_code",)), rule=True)
