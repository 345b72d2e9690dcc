"""The Peserta sheet: one registration per row, a withdrawal when Alasan Mundur is filled."""

from __future__ import annotations

from typing import Any

from shared.events import ingest
from shared.events.rules import AsnType, Gender, validate_nip
from shared.publishing.sheets import Sheet
from shared.publishing.templates.common import (
    PHASE_REGISTER,
    PHASE_WITHDRAW,
    Cells,
    Location,
    Plan,
    Planned,
    Problem,
    check_code,
    codes_stored_as_numbers,
    row_locator,
    validate,
)

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


def nip_problem(nip: str, asn_type: str, gender: str) -> str | None:
    """The NIP rules (shared.events.rules) as one bilingual sentence, or None."""
    problem = validate_nip(nip, AsnType(asn_type), Gender(gender))
    return None if problem is None else f"{problem.message_id} ({problem.message_en})"


def _row_data(cells: Cells, row: list[str]) -> dict[str, Any]:
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
    return data


def participants(sheet: Sheet, plan: Plan) -> None:
    cells = Cells(sheet, PARTICIPANT_COLUMNS, plan)
    for n, row in enumerate(sheet.rows[1:], start=2):
        if not any(row):
            continue
        if codes_stored_as_numbers(sheet, cells, n, row, ("cohort_code", "nip", "region"), plan):
            plan.unsure_rosters.add(cells.get(row, "cohort_code"))
            continue
        locate = row_locator(sheet, cells, n)
        data = _row_data(cells, row)
        found = validate(ingest.ParticipantRegistered, data, plan, locate, cells.missing)
        if not isinstance(found, ingest.ParticipantRegistered):
            plan.unsure_rosters.add(cells.get(row, "cohort_code"))
            continue
        plan.events.append(Planned(found, Location(sheet.label, n), PHASE_REGISTER))
        check_code(plan, found.cohort_code, locate(("cohort_code",)), rule=True)
        wrong = nip_problem(found.nip, found.asn_type, found.gender)
        if wrong:
            plan.problems.append(Problem(locate(("nip",)), wrong, rule=True))
        reason = cells.get(row, "withdrawn_reason")
        if reason:
            withdrawn = ingest.ParticipantWithdrawn(
                cohort_code=found.cohort_code, nip=found.nip, reason=reason
            )
            plan.events.append(Planned(withdrawn, Location(sheet.label, n), PHASE_WITHDRAW))
