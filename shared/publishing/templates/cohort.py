"""The Kelas sheet: a cohort's fields (label in column A, value in B), then its session table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shared.events import ingest
from shared.events.rules import close_date_problem, close_time_problem
from shared.publishing import messages
from shared.publishing.sheets import Sheet
from shared.publishing.templates.common import (
    OPTIONAL,
    PHASE_CLOSE,
    PHASE_SCHEDULE,
    Cells,
    Location,
    Plan,
    Planned,
    Problem,
    check_code,
    codes_stored_as_numbers,
    decimal,
    norm,
    number_problem,
    set_dotted,
    stored_as_number,
    validate,
    yes_no,
)
from shared.publishing.values import NoSuchDate, read_date, read_time
from shared.regions import local_to_utc

# Headings as organisers write them (compared case- and space-insensitively).
COHORT_FIELDS: dict[str, str] = {
    "kode angkatan": "cohort_code",
    "nama pelatihan": "programme.name",
    "kategori": "programme.category",
    "penyelenggara": "organizer",
    "tahun": "year",
    "angkatan": "angkatan",
    "tempat": "location",
    "zona waktu": "timezone",
    "kuota": "quota",
    "terbuka untuk daerah lain": "open_to_other_regions",
    "minimal kehadiran (%)": "completion.min_attendance_pct",
    "wajib evaluasi": "completion.evaluation_required",
    "nilai lulus": "completion.pass_score",
    "status": "status",
    "alasan pembatalan": "cancel_reason",
    "tanggal penutupan": "closed_on",
    "tanggal penutupan / close date": "closed_on",
    "tempat terbit": "place_of_issue",
    "nama penandatangan": "signatory.name",
    "nip penandatangan": "signatory.nip",
    "jabatan penandatangan": "signatory.title",
}
# Fields left out when empty (an empty signatory name would be a signatory without a name).
_SKIPPED_WHEN_EMPTY = {"closed_on", "place_of_issue", "signatory.name", "signatory.nip"}
_SKIPPED_WHEN_EMPTY |= {"signatory.title"}
SESSION_COLUMNS: dict[str, str] = {
    "sesi": "no",
    "tanggal": "date",
    "mulai": "start",
    "selesai": "end",
    "jp": "jp",
    "metode": "method",
    "materi": "title",
}
_TIMEZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


def _sessions(
    sheet: Sheet, table: int, plan: Plan
) -> tuple[Cells, list[dict[str, Any]], list[int]]:
    """The session table below the cohort's fields: its cells, rows as dicts, row numbers."""
    if table >= len(sheet.rows):
        plan.problems.append(Problem(Location(sheet.label, table + 1), messages.no_session_table()))
        return Cells(Sheet(sheet.file, sheet.name, [[]]), {}, plan), [], []
    grid = Sheet(sheet.file, sheet.name, sheet.rows[table:])
    cells = Cells(grid, SESSION_COLUMNS, plan, heading_row=table + 1)
    sessions: list[dict[str, Any]] = []
    rows: list[int] = []
    for n, row in enumerate(grid.rows[1:], start=table + 2):
        if not any(row):
            continue
        codes_stored_as_numbers(sheet, cells, n, row, ("no",), plan)
        session: dict[str, Any] = {k: cells.get(row, k) for k in SESSION_COLUMNS.values()}
        _read_when(sheet, cells, n, session, plan)
        session["jp"] = decimal(session["jp"])
        session["method"] = session["method"].lower().replace(" ", "_") or "ceramah"
        session["title"] = session["title"] or None
        sessions.append(session)
        rows.append(n)
    return cells, sessions, rows


def _read_when(sheet: Sheet, cells: Cells, n: int, session: dict[str, Any], plan: Plan) -> None:
    """The session's date and times in the forms spreadsheets write them; an impossible date
    is reported here (the model would only say it cannot read it)."""
    found = read_date(session["date"])
    if isinstance(found, NoSuchDate):
        where = Location(sheet.label, n, cells.column("date"))
        plan.problems.append(Problem(where, messages.impossible_date(found)))
    elif found is not None:
        session["date"] = found
    for name in ("start", "end"):
        session[name] = read_time(session[name]) or session[name]


def _field_rows(sheet: Sheet, table: int, plan: Plan) -> tuple[dict[str, Any], dict[str, int]]:
    """The cohort's fields above the session table, and the row each was found on."""
    data: dict[str, Any] = {}
    rows_of: dict[str, int] = {}
    for n, row in enumerate(sheet.rows[:table], start=1):
        if not row or not row[0]:
            continue
        name = COHORT_FIELDS.get(norm(row[0]))
        if name is None:
            plan.problems.append(
                Problem(Location(sheet.label, n, "A"), messages.unknown_field(row[0]))
            )
            continue
        value = row[1] if len(row) > 1 else ""
        rows_of[name] = n
        if name in ("cohort_code", "signatory.nip") and stored_as_number(sheet, n, 1, value):
            plan.problems.append(number_problem(_value_of(sheet, n), row[0]))
        _read_field(data, name, value)
    for heading, name in COHORT_FIELDS.items():
        if name not in rows_of and heading not in OPTIONAL:
            plan.problems.append(
                Problem(Location(sheet.label, 1, "A"), messages.missing_field(heading))
            )
    return data, rows_of


def _value_of(sheet: Sheet, n: int) -> Location:
    """The value cell of the field on row `n`, named by the field's label."""
    return Location(sheet.label, n, f"B ({sheet.rows[n - 1][0]})")


def _read_field(data: dict[str, Any], name: str, value: str) -> None:
    if name in _SKIPPED_WHEN_EMPTY and not value.strip():
        return
    if name in ("open_to_other_regions", "completion.evaluation_required"):
        set_dotted(data, name, yes_no(value))
    elif name in ("completion.min_attendance_pct", "completion.pass_score"):
        if value:
            set_dotted(data, name, decimal(value))
    elif name == "timezone":
        set_dotted(data, name, _TIMEZONES.get(value.upper(), value) if value else "Asia/Jakarta")
    else:
        set_dotted(data, name, value)


def cohort(sheet: Sheet, plan: Plan) -> None:
    table = next(
        (n for n, row in enumerate(sheet.rows) if row and norm(row[0]) == "sesi"), len(sheet.rows)
    )
    data, rows_of = _field_rows(sheet, table, plan)
    status = norm(str(data.pop("status", "") or ""))
    cancel_reason = str(data.pop("cancel_reason", "") or "")
    closed_on = str(data.pop("closed_on", "") or "")
    cells, sessions, session_rows = _sessions(sheet, table, plan)
    data["sessions"] = sessions

    def locate(loc: tuple[int | str, ...]) -> Location:
        if loc and loc[0] == "sessions" and len(loc) > 1 and isinstance(loc[1], int):
            row = session_rows[loc[1]] if loc[1] < len(session_rows) else table + 1
            column = cells.column(str(loc[2])) if len(loc) > 2 else None
            return Location(sheet.label, row, column)
        dotted = ".".join(str(part) for part in loc[:2])
        name = next((k for k in rows_of if dotted.startswith(k) or k.startswith(dotted)), None)
        return _value_of(sheet, rows_of[name]) if name else Location(sheet.label, 1)

    missing = {name.split(".")[-1] for name in COHORT_FIELDS.values() if name not in rows_of}
    found = validate(ingest.CohortScheduled, data, plan, locate, missing | cells.missing)
    if not isinstance(found, ingest.CohortScheduled):
        return
    _check_year(found, _value_of(sheet, rows_of["year"]), plan)
    where = Location(sheet.label, rows_of.get("cohort_code", 1))
    plan.events.append(Planned(found, where, PHASE_SCHEDULE))
    check_code(plan, found.cohort_code, locate(("cohort_code",)), rule=False)
    at = _value_of(sheet, rows_of["status"]) if "status" in rows_of else Location(sheet.label, 1)
    at_close = (
        _value_of(sheet, rows_of["closed_on"])
        if "closed_on" in rows_of
        else Location(sheet.label, 1)
    )
    close_date = _close_date(closed_on, status, at_close, plan)
    if close_date is not None:
        _check_close_date(found, close_date, at_close, plan)
    _status(found, status, cancel_reason, at, plan, close_date)


def _close_date(text: str, status: str, where: Location, plan: Plan) -> dt.date | None:
    """The Tanggal Penutupan (close date) a ditutup cohort's certificates are dated by."""
    if not text:
        return None
    day = read_date(text)
    if not isinstance(day, dt.date):
        plan.problems.append(
            Problem(
                where,
                f"tanggal penutupan '{text}' bukan tanggal yang ada: tanggal harus TTTT-BB-HH "
                f"atau HH/BB/TTTT, mis. 2017-03-24 (the close date '{text}' is not a date that "
                f"exists: write YYYY-MM-DD or DD/MM/YYYY, e.g. 2017-03-24)",
            )
        )
        return None
    if status != "ditutup":
        plan.problems.append(
            Problem(
                where,
                "tanggal penutupan diisi tetapi status bukan 'ditutup': isi status ditutup, atau "
                "kosongkan tanggal penutupan (a close date is given but the status is not "
                "'ditutup': set the status to ditutup, or leave the close date empty)",
            )
        )
        return None
    return day


def _check_close_date(
    cohort: ingest.CohortScheduled, closed_on: dt.date, where: Location, plan: Plan
) -> None:
    """The services refuse a close date before the first session or after the day it is sent
    (the contract's rule): `diklat publish` sends the close today."""
    first = min(s.date for s in cohort.sessions)
    now = dt.datetime.now(dt.UTC)
    problem = close_date_problem(cohort.cohort_code, first, cohort.timezone, closed_on, now)
    if problem is not None:
        plan.problems.append(Problem(where, f"{problem[0]} ({problem[1]})", rule=True))


def _status(
    found: ingest.CohortScheduled,
    status: str,
    cancel_reason: str,
    at: Location,
    plan: Plan,
    closed_on: dt.date | None = None,
) -> None:
    """What the Status field adds: a close (dated by the close date when given), a
    cancellation, or nothing."""
    if status == "ditutup":
        closed = ingest.CohortClosed(cohort_code=found.cohort_code, closed_on=closed_on)
        plan.events.append(Planned(closed, at, PHASE_CLOSE))
        _check_close(found, at, plan)
    elif status == "dibatalkan":
        cancelled = ingest.CohortCancelled(cohort_code=found.cohort_code, reason=cancel_reason)
        plan.events.append(Planned(cancelled, at, PHASE_CLOSE))
    elif status not in ("", "terjadwal", "berjalan"):
        plan.problems.append(Problem(at, messages.bad_status(status)))


def _check_year(cohort: ingest.CohortScheduled, where: Location, plan: Plan) -> None:
    """Tahun is the year the cohort takes place: its first session's or, across a new year,
    its last's."""
    dates = sorted(s.date for s in cohort.sessions)
    if cohort.year not in (dates[0].year, dates[-1].year):
        message = messages.year_mismatch(cohort.year, dates[0].isoformat(), dates[-1].isoformat())
        plan.problems.append(Problem(where, message))


def _check_close(cohort: ingest.CohortScheduled, where: Location, plan: Plan) -> None:
    """The services refuse a close timed before the first session (the contract's rule), and
    `diklat publish` sends a close timed now: a cohort that has not started cannot be ditutup."""
    first = min(cohort.sessions, key=lambda s: (s.date, s.start))
    starts = local_to_utc(first.date, first.start, cohort.timezone)
    now = dt.datetime.now(dt.UTC)
    if close_time_problem(cohort.cohort_code, starts, cohort.timezone, now) is None:
        return
    zone = next((k for k, v in _TIMEZONES.items() if v == cohort.timezone), cohort.timezone)
    on = f"{first.date.isoformat()} {first.start:%H:%M} {zone}"
    plan.problems.append(
        Problem(
            where,
            f"status 'ditutup' padahal sesi pertama baru dimulai {on}: angkatan hanya dapat "
            "ditutup setelah sesi pertama; isi terjadwal/berjalan, atau dibatalkan bila tidak "
            f"jadi dilaksanakan (a cohort cannot be closed before its first session on {on}; "
            "set terjadwal/berjalan, or dibatalkan if it will not take place)",
            rule=True,
        )
    )
