"""What every template sheet shares: where a cell is, what is wrong with it, the plan of events
a run will send, and the lookups and value readers the sheet kinds use."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from shared.events import ingest
from shared.events.explain import field_of
from shared.publishing import messages
from shared.publishing.sheets import Sheet, column_letter

OPTIONAL = {"zona waktu", "minimal kehadiran (%)", "wajib evaluasi", "nilai lulus", "status"}
OPTIONAL |= {"alasan pembatalan", "terbuka untuk daerah lain", "pangkat/golongan"}
OPTIONAL |= {"alasan mundur", "nama", "metode", "materi"}
# The STTP's (issue 20): the close date, the place of issue and the signatory.
OPTIONAL |= {"tanggal penutupan", "tanggal penutupan / close date", "tempat terbit"}
OPTIONAL |= {"nama penandatangan", "nip penandatangan", "jabatan penandatangan"}
_YES = {"ya", "y", "yes", "true", "1"}
_NO = {"tidak", "t", "no", "false", "0", ""}
# How a spreadsheet saves a long number as CSV (1,98503E+17): a code typed as a number.
_EXPONENT = re.compile(r"^[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+$")
# Publishing order within a run: who the ASN are first, then a cohort before its people, people
# before their marks, and the close last so every mark and score counts.
PHASE_ROSTER, PHASE_SCHEDULE, PHASE_REGISTER, PHASE_WITHDRAW = range(4)
PHASE_MARK, PHASE_SCORE, PHASE_CLOSE = range(4, 7)


def norm(heading: str) -> str:
    return " ".join(heading.lower().split())


@dataclass(frozen=True, order=True)
class Location:
    sheet: str
    row: int
    column: str | None = None  # "C (Jenis Kelamin)"

    def __str__(self) -> str:
        if not self.row:  # the whole file
            return self.sheet
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
    # Cohorts with a registration row in error: their marks' NIPs are not checked against the
    # registrations, so one wrong row is not reported again on every mark and score.
    unsure_rosters: set[str] = field(default_factory=set)

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


class Cells:
    """A table sheet's heading row and lookups by heading."""

    def __init__(
        self,
        sheet: Sheet,
        known: dict[str, str],
        plan: Plan,
        optional: set[str] | frozenset[str] = frozenset(OPTIONAL),
        heading_row: int = 1,
    ) -> None:
        self.sheet, self.plan = sheet, plan
        self.index: dict[str, int] = {}
        for i, heading in enumerate(sheet.rows[0]):
            if norm(heading) in known:
                self.index[known[norm(heading)]] = i
        # Reported once here; the rows' errors about these fields are left out.
        self.missing = {name for name in known.values() if name not in self.index}
        for heading, name in known.items():
            if name not in self.index and heading not in optional:
                where = Location(sheet.label, heading_row)
                plan.problems.append(Problem(where, messages.missing_column(heading)))
        for i in unnamed_columns(sheet):
            where = Location(sheet.label, heading_row, column_letter(i))
            plan.problems.append(Problem(where, messages.empty_heading()))
        if len(sheet.rows) == 1:
            where = Location(sheet.label, heading_row)
            plan.warnings.append(Problem(where, messages.no_data_rows()))

    def column(self, name: str) -> str | None:
        i = self.index.get(name)
        return None if i is None else f"{column_letter(i)} ({self.sheet.rows[0][i]})"

    def get(self, row: Sequence[str], name: str) -> str:
        i = self.index.get(name)
        return row[i] if i is not None and i < len(row) else ""


def unnamed_columns(sheet: Sheet) -> list[int]:
    """Columns with data below an empty heading between headings (a merged heading cell leaves
    one); data beyond the last heading is a shifted row, which the sheet kinds name."""
    headings = sheet.rows[0]
    return [
        i
        for i, heading in enumerate(headings)
        if not heading and any(i < len(row) and row[i] for row in sheet.rows[1:])
    ]


def yes_no(text: str) -> bool | str:
    low = text.strip().lower()
    return True if low in _YES else False if low in _NO else text


def decimal(text: str) -> Decimal | str:
    try:
        return Decimal(text.replace(",", ".")) if text else text
    except InvalidOperation:
        return text


def set_dotted(target: dict[str, Any], dotted: str, value: object) -> None:
    *parents, leaf = dotted.split(".")
    for p in parents:
        target = target.setdefault(p, {})
    target[leaf] = value


def number_problem(where: Location, heading: str) -> Problem:
    return Problem(
        where,
        f"sel disimpan sebagai angka, bukan teks, sehingga digitnya bisa sudah berubah: format "
        f"kolom {heading} sebagai Teks lalu ketik ulang isinya (the cell is stored as a number, "
        f"not text, so its digits may have changed already: format the {heading} column as "
        "Text and type its values again)",
    )


def stored_as_number(sheet: Sheet, row: int, column: int, text: str) -> bool:
    """A code cell an XLSX holds as a floating-point number (digits beyond the 15th or 16th
    are lost, and a region's trailing zero), or CSV text in a spreadsheet's exponent form.
    Integer cells are read exactly and pass."""
    return (row, column) in sheet.floats or _EXPONENT.match(text) is not None


def codes_stored_as_numbers(
    sheet: Sheet, cells: Cells, n: int, row: Sequence[str], names: Sequence[str], plan: Plan
) -> bool:
    """A problem for each code cell of row `n` stored as a number; True if there was one."""
    found = False
    for name in names:
        i = cells.index.get(name)
        if i is not None and stored_as_number(sheet, n, i, cells.get(row, name)):
            where = Location(cells.sheet.label, n, cells.column(name))
            plan.problems.append(number_problem(where, cells.sheet.rows[0][i]))
            found = True
    return found


def check_code(plan: Plan, code: str, where: Location, *, rule: bool) -> None:
    """The contract's cohort-code rule (shared.events.ingest): the code starts with the
    publisher's id and `/`. A schedule breaking it is always refused; another row may name an
    older cohort of the publisher's scheduled before the rule (`rule=True`: `--force` sends)."""
    problem = ingest.cohort_code_problem(code, plan.publisher)
    if problem is None:
        return
    found = Problem(where, f"{problem[0]} ({problem[1]})", rule=rule)
    if found not in plan.problems:  # an attendance row names its code once per mark
        plan.problems.append(found)


def validate(
    model: type[ingest._Data],
    data: dict[str, Any],
    plan: Plan,
    locate: Callable[[tuple[int | str, ...]], Location],
    missing: Collection[str] = (),
) -> ingest._Data | None:
    """The row as `model`, or None with a problem for each error in our own words. Errors
    about a `missing` column (reported once at its heading) and at a cell already reported
    (an impossible date) are left out."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        reported = {p.where for p in plan.problems}
        for error in exc.errors(include_url=False):
            where = locate(tuple(error["loc"]))
            if field_of(tuple(error["loc"])) in missing or where in reported:
                continue
            plan.problems.append(Problem(where, messages.cell_error(error)))
            reported.add(where)
        return None


def row_locator(sheet: Sheet, cells: Cells, n: int) -> Callable[[tuple[int | str, ...]], Location]:
    """Where a validation error of row `n` points: the column of the field it names."""

    def locate(loc: tuple[int | str, ...]) -> Location:
        return Location(sheet.label, n, cells.column(str(loc[0])) if loc else None)

    return locate
