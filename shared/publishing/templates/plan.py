"""A run's plan: recognise each sheet from its first row, read it, then check the sheets against
each other (marks of registered people, known sessions) and flag rows sent twice."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel

from shared.events import ingest
from shared.publishing import messages
from shared.publishing.sheets import Sheet, Unreadable, read_file, read_upload
from shared.publishing.templates.cohort import cohort
from shared.publishing.templates.common import Location, Plan, Problem, norm
from shared.publishing.templates.marks import SESSION_HEADING, attendance, evaluation
from shared.publishing.templates.participants import PARTICIPANT_COLUMNS, participants
from shared.publishing.templates.roster import is_roster, roster


def classify(sheet: Sheet) -> Callable[[Sheet, Plan], None] | None:
    """Which template a sheet follows, from its first row."""
    if not sheet.rows:
        return None
    first = [norm(c) for c in sheet.rows[0]]
    if is_roster(first):
        return roster
    # By the headings beyond the cohort code, so a table that lost its NIP column is still
    # read as what it is and the missing column named once.
    if "nilai" in first:
        return evaluation
    if any(SESSION_HEADING.match(c) for c in first):
        return attendance
    if "nip" in first or len(set(first) & set(PARTICIPANT_COLUMNS)) > 1:
        return participants
    if first and first[0] == "kode angkatan":
        return cohort
    return None


def _cross_check(plan: Plan) -> None:
    cohorts = {
        e.cohort_code: e.data for e in plan.events if isinstance(e.data, ingest.CohortScheduled)
    }
    enrolled: dict[str, set[str]] = {}
    for e in plan.events:
        if isinstance(e.data, ingest.ParticipantRegistered):
            enrolled.setdefault(e.cohort_code, set()).add(e.data.nip)
    unregistered: set[Location] = set()
    for e in plan.events:
        data = e.data
        if isinstance(data, ingest.AttendanceRecorded | ingest.EvaluationRecorded):
            schedule = cohorts.get(e.cohort_code)
            if (
                isinstance(data, ingest.AttendanceRecorded)
                and schedule is not None
                and data.session_no not in {s.no for s in schedule.sessions}
            ):
                message = messages.unknown_session(data.session_no, e.cohort_code)
                plan.problems.append(Problem(e.where, message, rule=True))
            # Without a registration the service would park the mark until it times out.
            people = enrolled.get(e.cohort_code)
            unsure = e.cohort_code in plan.unsure_rosters
            if people is not None and not unsure and data.nip not in people:
                # Once per row, not once per session cell of an attendance row.
                row = Location(e.where.sheet, e.where.row)
                if row not in unregistered:
                    unregistered.add(row)
                    plan.problems.append(Problem(row, messages.not_registered(e.cohort_code)))


def _duplicates(plan: Plan) -> None:
    seen: dict[tuple[type[BaseModel], str], Location] = {}
    for e in plan.events:
        key = (type(e.data), e.data.model_dump_json())
        if key in seen and seen[key].row != e.where.row:
            plan.warnings.append(Problem(e.where, messages.same_as_row(seen[key].row)))
        seen.setdefault(key, e.where)


def plan_sheets(sheets: Sequence[Sheet], publisher: str) -> Plan:
    """Every event the sheets describe, and every problem found in them."""
    plan = Plan(publisher=publisher)
    for sheet in sheets:
        reader = classify(sheet)
        if reader is None:
            if sheet.rows:
                plan.problems.append(Problem(Location(sheet.label, 1), messages.unknown_sheet()))
            elif sheet.name is None:
                plan.problems.append(Problem(Location(sheet.label, 0), messages.empty_file()))
            continue
        reader(sheet, plan)
    _cross_check(plan)
    _duplicates(plan)
    plan.problems.sort(key=lambda p: (p.where.sheet, p.where.row, p.where.column or ""))
    return plan


def _read(path: Path) -> list[Sheet] | str:
    """The file's sheets, or why it cannot be read."""
    try:
        return _with_rows(read_file(path))
    except Unreadable as exc:
        return str(exc)
    except FileNotFoundError:
        return messages.unreadable("missing")
    except IsADirectoryError:
        return messages.unreadable("directory")
    except PermissionError:
        return messages.unreadable("denied")


def _read_upload(name: str, data: bytes) -> list[Sheet] | str:
    try:
        return _with_rows(read_upload(name, data))
    except Unreadable as exc:
        return str(exc)


def _with_rows(sheets: list[Sheet]) -> list[Sheet] | str:
    return sheets if any(sheet.rows for sheet in sheets) else messages.empty_file()


def _plan_read(read: Sequence[tuple[str, list[Sheet] | str]], publisher: str) -> Plan:
    sheets: list[Sheet] = []
    unreadable: list[Problem] = []
    for name, found in read:
        if isinstance(found, str):
            unreadable.append(Problem(Location(name, 0), found))
        else:
            sheets += found
    plan = plan_sheets(sheets, publisher)
    plan.problems[:0] = unreadable
    return plan


def plan_files(paths: Sequence[Path], publisher: str) -> Plan:
    return _plan_read([(path.name, _read(path)) for path in paths], publisher)


def plan_uploads(files: Sequence[tuple[str, bytes]], publisher: str) -> Plan:
    """The plan of files given as (name, content), as `plan_files` makes it from paths."""
    return _plan_read([(name, _read_upload(name, data)) for name, data in files], publisher)
