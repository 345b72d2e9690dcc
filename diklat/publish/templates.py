"""The organisers' spreadsheet templates: recognise each sheet, turn its rows into v1 ingest events,
and collect every problem with its file, row and column before anything is sent."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from diklat.publish.sheets import Sheet, column_letter, read_file
from shared.events import ingest
from shared.events.rules import AsnType, Gender, close_time_problem, validate_nip
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
}
SESSION_COLUMNS: dict[str, str] = {
    "sesi": "no",
    "tanggal": "date",
    "mulai": "start",
    "selesai": "end",
    "jp": "jp",
    "metode": "method",
    "materi": "title",
}
PARTICIPANT_COLUMNS: dict[str, str] = {
    "kode angkatan": "cohort_code",
    "nip": "nip",
    "nama": "name",
    "jenis asn": "asn_type",
    "jenis kelamin": "gender",
    "jabatan": "position",
    "pangkat/golongan": "rank",
    "instansi": "agency",
    "kode daerah": "region",
    "alasan mundur": "withdrawn_reason",
}
EVALUATION_COLUMNS: dict[str, str] = {
    "kode angkatan": "cohort_code",
    "nip": "nip",
    "nama": "name",
    "nilai": "score",
}
OPTIONAL = {"zona waktu", "minimal kehadiran (%)", "wajib evaluasi", "nilai lulus", "status"}
OPTIONAL |= {"alasan pembatalan", "terbuka untuk daerah lain", "pangkat/golongan"}
OPTIONAL |= {"alasan mundur", "nama", "metode", "materi"}
STATUS_CODES: dict[str, ingest.AttendanceStatus] = {
    "H": ingest.AttendanceStatus.HADIR,
    "T": ingest.AttendanceStatus.TERLAMBAT,
    "I": ingest.AttendanceStatus.IZIN,
    "S": ingest.AttendanceStatus.SAKIT,
    "A": ingest.AttendanceStatus.ALPA,
    **{s.value: s for s in ingest.AttendanceStatus},
}
_YES = {"ya", "y", "yes", "true", "1"}
_NO = {"tidak", "t", "no", "false", "0", ""}
_TIMEZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
_SESSION_HEADING = re.compile(r"^(?:sesi\s*)?(\d{1,3})$")
# How a spreadsheet saves a long number as CSV (1,98503E+17): a code typed as a number.
_EXPONENT = re.compile(r"^[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+$")
# Publishing order within a run: a cohort exists before its people, people before their marks,
# and the close comes last so every mark and score counts.
PHASE_SCHEDULE, PHASE_REGISTER, PHASE_WITHDRAW, PHASE_MARK, PHASE_SCORE, PHASE_CLOSE = range(6)


def norm(heading: str) -> str:
    return " ".join(heading.lower().split())


@dataclass(frozen=True, order=True)
class Location:
    sheet: str
    row: int
    column: str | None = None  # "C (Jenis Kelamin)"

    def __str__(self) -> str:
        where = f"{self.sheet} baris {self.row}"
        return f"{where} kolom {self.column}" if self.column else where


@dataclass(frozen=True)
class Problem:
    where: Location
    message: str
    # A rule the services enforce too (NIP, unknown session): `--force` sends the row anyway and
    # the service's rejection comes back on the feedback topic.
    rule: bool = False

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class Planned:
    data: ingest._Data
    where: Location
    phase: int

    @property
    def cohort_code(self) -> str:
        return str(getattr(self.data, "cohort_code", ""))


@dataclass
class Plan:
    events: list[Planned] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    publisher: str = ""  # who will send the events: its cohort codes start with its id

    def blocking(self, force: bool = False) -> list[Problem]:
        return [p for p in self.problems if not (force and p.rule)]

    def sendable(self, force: bool = False) -> list[Planned]:
        """The events in publishing order; rows with problems are left out unless `force` and
        every problem of the row is a rule the services check themselves."""
        bad: dict[tuple[str, int], bool] = {}
        for p in self.problems:
            key = (p.where.sheet, p.where.row)
            bad[key] = bad.get(key, True) and p.rule
        keep = [
            e
            for e in self.events
            if (e.where.sheet, e.where.row) not in bad
            or (force and bad[(e.where.sheet, e.where.row)])
        ]
        return sorted(keep, key=lambda e: e.phase)


class _Cells:
    """A table sheet's heading row and lookups by heading."""

    def __init__(self, sheet: Sheet, known: dict[str, str], plan: Plan) -> None:
        self.sheet, self.plan = sheet, plan
        self.index: dict[str, int] = {}
        for i, heading in enumerate(sheet.rows[0]):
            if norm(heading) in known:
                self.index[known[norm(heading)]] = i
        for heading, name in known.items():
            if name not in self.index and heading not in OPTIONAL:
                plan.problems.append(
                    Problem(Location(sheet.label, 1), f"kolom '{heading}' tidak ada (missing)")
                )

    def column(self, name: str) -> str | None:
        i = self.index.get(name)
        return None if i is None else f"{column_letter(i)} ({self.sheet.rows[0][i]})"

    def get(self, row: Sequence[str], name: str) -> str:
        i = self.index.get(name)
        return row[i] if i is not None and i < len(row) else ""


def _bool(text: str) -> bool | str:
    low = text.strip().lower()
    return True if low in _YES else False if low in _NO else text


def _decimal(text: str) -> Decimal | str:
    try:
        return Decimal(text.replace(",", ".")) if text else text
    except InvalidOperation:
        return text


def _set(target: dict[str, Any], dotted: str, value: object) -> None:
    *parents, leaf = dotted.split(".")
    for p in parents:
        target = target.setdefault(p, {})
    target[leaf] = value


def _number_problem(where: Location, heading: str) -> Problem:
    return Problem(
        where,
        f"sel disimpan sebagai angka, bukan teks, sehingga digitnya bisa sudah berubah: format "
        f"kolom {heading} sebagai Teks lalu ketik ulang isinya (the cell is stored as a number, "
        f"not text, so its digits may have changed already: format the {heading} column as "
        "Text and type its values again)",
    )


def _stored_as_number(sheet: Sheet, row: int, column: int, text: str) -> bool:
    """A code cell an XLSX holds as a floating-point number (digits beyond the 15th or 16th
    are lost, and a region's trailing zero), or CSV text in a spreadsheet's exponent form.
    Integer cells are read exactly and pass."""
    return (row, column) in sheet.floats or _EXPONENT.match(text) is not None


def _codes_stored_as_numbers(
    sheet: Sheet, cells: _Cells, n: int, row: Sequence[str], names: Sequence[str], plan: Plan
) -> bool:
    """A problem for each code cell of row `n` stored as a number; True if there was one."""
    found = False
    for name in names:
        i = cells.index.get(name)
        if i is not None and _stored_as_number(sheet, n, i, cells.get(row, name)):
            where = Location(cells.sheet.label, n, cells.column(name))
            plan.problems.append(_number_problem(where, cells.sheet.rows[0][i]))
            found = True
    return found


def _check_code(plan: Plan, code: str, where: Location, *, rule: bool) -> None:
    """The contract's cohort-code rule (shared.events.ingest): the code starts with the
    publisher's id and `/`. A schedule breaking it is always refused; another row may name an
    older cohort of the publisher's scheduled before the rule (`rule=True`: `--force` sends)."""
    problem = ingest.cohort_code_problem(code, plan.publisher)
    if problem is None:
        return
    found = Problem(where, f"{problem[0]} ({problem[1]})", rule=rule)
    if found not in plan.problems:  # an attendance row names its code once per mark
        plan.problems.append(found)


def _validate(
    model: type[ingest._Data],
    data: dict[str, Any],
    plan: Plan,
    locate: Callable[[tuple[int | str, ...]], Location],
) -> ingest._Data | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            plan.problems.append(Problem(locate(tuple(error["loc"])), error["msg"]))
        return None


def _nip_problem(data: ingest.ParticipantRegistered) -> str | None:
    problem = validate_nip(data.nip, AsnType(data.asn_type), Gender(data.gender))
    return None if problem is None else f"{problem.message_id} ({problem.message_en})"


def _participants(sheet: Sheet, plan: Plan) -> None:
    cells = _Cells(sheet, PARTICIPANT_COLUMNS, plan)
    for n, row in enumerate(sheet.rows[1:], start=2):
        if not any(row):
            continue
        if _codes_stored_as_numbers(sheet, cells, n, row, ("cohort_code", "nip", "region"), plan):
            continue
        data: dict[str, Any] = {
            name: cells.get(row, name)
            for name in PARTICIPANT_COLUMNS.values()
            if name != "withdrawn_reason"
        }
        data["asn_type"] = data["asn_type"].upper()
        data["gender"] = {"LAKI-LAKI": "L", "PEREMPUAN": "P"}.get(
            data["gender"].upper(), data["gender"].upper()
        )
        data["rank"] = data["rank"] or None

        def locate(loc: tuple[int | str, ...], n: int = n) -> Location:
            return Location(sheet.label, n, cells.column(str(loc[0])) if loc else None)

        found = _validate(ingest.ParticipantRegistered, data, plan, locate)
        if not isinstance(found, ingest.ParticipantRegistered):
            continue
        plan.events.append(Planned(found, Location(sheet.label, n), PHASE_REGISTER))
        _check_code(plan, found.cohort_code, locate(("cohort_code",)), rule=True)
        wrong = _nip_problem(found)
        if wrong:
            plan.problems.append(Problem(locate(("nip",)), wrong, rule=True))
        reason = cells.get(row, "withdrawn_reason")
        if reason:
            withdrawn = ingest.ParticipantWithdrawn(
                cohort_code=found.cohort_code, nip=found.nip, reason=reason
            )
            plan.events.append(Planned(withdrawn, Location(sheet.label, n), PHASE_WITHDRAW))


def _attendance(sheet: Sheet, plan: Plan) -> None:
    cells = _Cells(sheet, {"kode angkatan": "cohort_code", "nip": "nip"}, plan)
    sessions = {
        i: int(m.group(1))
        for i, heading in enumerate(sheet.rows[0])
        if (m := _SESSION_HEADING.match(norm(heading)))
    }
    for n, row in enumerate(sheet.rows[1:], start=2):
        if not any(row) or _codes_stored_as_numbers(
            sheet, cells, n, row, ("cohort_code", "nip"), plan
        ):
            continue
        for i, session_no in sessions.items():
            mark = row[i].strip().upper() if i < len(row) else ""
            if not mark:
                continue  # not recorded (yet)
            column = f"{column_letter(i)} ({sheet.rows[0][i]})"
            if mark not in STATUS_CODES:
                plan.problems.append(
                    Problem(
                        Location(sheet.label, n, column),
                        f"'{mark}' bukan H/T/I/S/A (not one of H, T, I, S, A)",
                    )
                )
                continue
            data = {
                "cohort_code": cells.get(row, "cohort_code"),
                "nip": cells.get(row, "nip"),
                "session_no": session_no,
                "status": STATUS_CODES[mark],
            }

            def locate(loc: tuple[int | str, ...], n: int = n, column: str = column) -> Location:
                name = str(loc[0]) if loc else ""
                return Location(sheet.label, n, cells.column(name) or column)

            found = _validate(ingest.AttendanceRecorded, data, plan, locate)
            if isinstance(found, ingest.AttendanceRecorded):
                plan.events.append(Planned(found, Location(sheet.label, n, column), PHASE_MARK))
                _check_code(plan, found.cohort_code, locate(("cohort_code",)), rule=True)


def _evaluation(sheet: Sheet, plan: Plan) -> None:
    cells = _Cells(sheet, EVALUATION_COLUMNS, plan)
    for n, row in enumerate(sheet.rows[1:], start=2):
        if not any(row) or _codes_stored_as_numbers(
            sheet, cells, n, row, ("cohort_code", "nip"), plan
        ):
            continue
        data = {
            "cohort_code": cells.get(row, "cohort_code"),
            "nip": cells.get(row, "nip"),
            "score": _decimal(cells.get(row, "score")),
        }

        def locate(loc: tuple[int | str, ...], n: int = n) -> Location:
            return Location(sheet.label, n, cells.column(str(loc[0])) if loc else None)

        found = _validate(ingest.EvaluationRecorded, data, plan, locate)
        if isinstance(found, ingest.EvaluationRecorded):
            plan.events.append(Planned(found, Location(sheet.label, n), PHASE_SCORE))
            _check_code(plan, found.cohort_code, locate(("cohort_code",)), rule=True)


def _sessions(
    sheet: Sheet, table: int, plan: Plan
) -> tuple[_Cells, list[dict[str, Any]], list[int]]:
    """The session table below the cohort's fields: its cells, rows as dicts, row numbers."""
    if table >= len(sheet.rows):
        plan.problems.append(
            Problem(Location(sheet.label, table + 1), "tabel sesi tidak ada (no session table)")
        )
        return _Cells(Sheet(sheet.file, sheet.name, [[]]), {}, plan), [], []
    grid = Sheet(sheet.file, sheet.name, sheet.rows[table:])
    cells = _Cells(grid, SESSION_COLUMNS, plan)
    sessions: list[dict[str, Any]] = []
    rows: list[int] = []
    for n, row in enumerate(grid.rows[1:], start=table + 2):
        if not any(row):
            continue
        _codes_stored_as_numbers(sheet, cells, n, row, ("no",), plan)
        session: dict[str, Any] = {k: cells.get(row, k) for k in SESSION_COLUMNS.values()}
        session["jp"] = _decimal(session["jp"])
        session["method"] = session["method"].lower().replace(" ", "_") or "ceramah"
        session["title"] = session["title"] or None
        sessions.append(session)
        rows.append(n)
    return cells, sessions, rows


def _cohort(sheet: Sheet, plan: Plan) -> None:
    data: dict[str, Any] = {}
    rows_of: dict[str, int] = {}
    table = next(
        (n for n, row in enumerate(sheet.rows) if row and norm(row[0]) == "sesi"), len(sheet.rows)
    )
    for n, row in enumerate(sheet.rows[:table], start=1):
        if not row or not row[0]:
            continue
        name = COHORT_FIELDS.get(norm(row[0]))
        if name is None:
            plan.problems.append(
                Problem(Location(sheet.label, n, "A"), f"isian '{row[0]}' tidak dikenal (unknown)")
            )
            continue
        value = row[1] if len(row) > 1 else ""
        rows_of[name] = n
        if name == "cohort_code" and _stored_as_number(sheet, n, 1, value):
            plan.problems.append(_number_problem(Location(sheet.label, n, "B"), row[0]))
        if name in ("open_to_other_regions", "completion.evaluation_required"):
            _set(data, name, _bool(value))
        elif name in ("completion.min_attendance_pct", "completion.pass_score"):
            if value:
                _set(data, name, _decimal(value))
        elif name == "timezone":
            _set(data, name, _TIMEZONES.get(value.upper(), value) if value else "Asia/Jakarta")
        else:
            _set(data, name, value)
    for heading, name in COHORT_FIELDS.items():
        if name not in rows_of and heading not in OPTIONAL:
            plan.problems.append(
                Problem(Location(sheet.label, 1, "A"), f"isian '{heading}' tidak ada (missing)")
            )
    status = norm(str(data.pop("status", "") or ""))
    cancel_reason = str(data.pop("cancel_reason", "") or "")
    cells, sessions, session_rows = _sessions(sheet, table, plan)
    data["sessions"] = sessions

    def locate(loc: tuple[int | str, ...]) -> Location:
        if loc and loc[0] == "sessions" and len(loc) > 1 and isinstance(loc[1], int):
            row = session_rows[loc[1]] if loc[1] < len(session_rows) else table + 1
            column = cells.column(str(loc[2])) if len(loc) > 2 else None
            return Location(sheet.label, row, column)
        dotted = ".".join(str(part) for part in loc[:2])
        name = next((k for k in rows_of if dotted.startswith(k) or k.startswith(dotted)), None)
        return Location(sheet.label, rows_of.get(name or "", 1), "B" if name else None)

    found = _validate(ingest.CohortScheduled, data, plan, locate)
    if not isinstance(found, ingest.CohortScheduled):
        return
    where = Location(sheet.label, rows_of.get("cohort_code", 1))
    plan.events.append(Planned(found, where, PHASE_SCHEDULE))
    _check_code(plan, found.cohort_code, locate(("cohort_code",)), rule=False)
    if status == "ditutup":
        closed = ingest.CohortClosed(cohort_code=found.cohort_code)
        plan.events.append(Planned(closed, Location(sheet.label, rows_of["status"]), PHASE_CLOSE))
        _check_close(found, Location(sheet.label, rows_of["status"], "B"), plan)
    elif status == "dibatalkan":
        cancelled = ingest.CohortCancelled(cohort_code=found.cohort_code, reason=cancel_reason)
        plan.events.append(
            Planned(cancelled, Location(sheet.label, rows_of["status"]), PHASE_CLOSE)
        )
    elif status not in ("", "terjadwal", "berjalan"):
        plan.problems.append(
            Problem(
                Location(sheet.label, rows_of["status"], "B"),
                f"status '{status}' bukan terjadwal/berjalan/ditutup/dibatalkan",
            )
        )


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


def classify(sheet: Sheet) -> Callable[[Sheet, Plan], None] | None:
    """Which template a sheet follows, from its first row."""
    if not sheet.rows:
        return None
    first = [norm(c) for c in sheet.rows[0]]
    if "nip" in first:
        if "nilai" in first:
            return _evaluation
        if any(_SESSION_HEADING.match(c) for c in first):
            return _attendance
        return _participants
    if first and first[0] == "kode angkatan":
        return _cohort
    return None


def _cross_check(plan: Plan) -> None:
    cohorts: dict[str, ingest._Data] = {
        e.cohort_code: e.data for e in plan.events if isinstance(e.data, ingest.CohortScheduled)
    }
    enrolled: dict[str, set[str]] = {}
    for e in plan.events:
        if isinstance(e.data, ingest.ParticipantRegistered):
            enrolled.setdefault(e.cohort_code, set()).add(e.data.nip)
    for e in plan.events:
        data = e.data
        if isinstance(data, ingest.AttendanceRecorded | ingest.EvaluationRecorded):
            schedule = cohorts.get(e.cohort_code)
            if (
                isinstance(data, ingest.AttendanceRecorded)
                and isinstance(schedule, ingest.CohortScheduled)
                and data.session_no not in {s.no for s in schedule.sessions}
            ):
                message = f"sesi {data.session_no} tidak ada di jadwal {e.cohort_code}"
                plan.problems.append(Problem(e.where, message, rule=True))
            # Without a registration the service would park the mark until it times out.
            people = enrolled.get(e.cohort_code)
            if people is not None and data.nip not in people:
                message = f"NIP tidak ada di daftar peserta {e.cohort_code} (not registered)"
                plan.problems.append(Problem(e.where, message))


def _duplicates(plan: Plan) -> None:
    seen: dict[tuple[type[BaseModel], str], Location] = {}
    for e in plan.events:
        key = (type(e.data), e.data.model_dump_json())
        if key in seen and seen[key].row != e.where.row:
            plan.warnings.append(
                Problem(
                    e.where,
                    f"sama persis dengan baris {seen[key].row}: akan dijawab duplicate",
                )
            )
        seen.setdefault(key, e.where)


def plan_sheets(sheets: Sequence[Sheet], publisher: str) -> Plan:
    """Every event the sheets describe, and every problem found in them."""
    plan = Plan(publisher=publisher)
    for sheet in sheets:
        reader = classify(sheet)
        if reader is None:
            if sheet.rows:
                plan.problems.append(
                    Problem(
                        Location(sheet.label, 1),
                        "lembar tidak dikenali: baris 1 harus judul kolom templat "
                        "(not a template sheet; see templates/README.md)",
                    )
                )
            continue
        reader(sheet, plan)
    _cross_check(plan)
    _duplicates(plan)
    plan.problems.sort(key=lambda p: (p.where.sheet, p.where.row, p.where.column or ""))
    return plan


def plan_files(paths: Sequence[Path], publisher: str) -> Plan:
    sheets: list[Sheet] = []
    unreadable: list[Problem] = []
    for path in paths:
        try:
            sheets += read_file(path)
        except (OSError, ValueError, KeyError) as exc:
            unreadable.append(Problem(Location(path.name, 0), f"tidak terbaca (unreadable): {exc}"))
    plan = plan_sheets(sheets, publisher)
    plan.problems[:0] = unreadable
    return plan
