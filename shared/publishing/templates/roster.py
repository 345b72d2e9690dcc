"""The roster sheet (daftar ASN): one `diklat.asn.recorded.v1` per row, keyed by NIP, from our
own headings or a SIASN data export's (roster_values.py), checked before anything is sent."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.events import ingest
from shared.events.roster import RosterProblem, roster_problem
from shared.events.rules import AsnType, Gender, NipDefect, validate_nip
from shared.publishing.sheets import Sheet
from shared.publishing.templates import roster_values as values
from shared.publishing.templates.common import (
    PHASE_ROSTER,
    Cells,
    Location,
    Plan,
    Planned,
    Problem,
    codes_stored_as_numbers,
    row_locator,
    validate,
)
from shared.regions import NASIONAL, is_valid_region

Locate = Callable[[tuple[int | str, ...]], Location]


def is_roster(headings: Sequence[str]) -> bool:
    """A roster names people but no cohort: a NIP column, and a column only a roster has."""
    fields = {values.ROSTER_HEADINGS.get(h) for h in headings}
    only = values.ROSTER_ONLY.intersection(headings)
    return "nip" in fields and "kode angkatan" not in headings and bool(only)


@dataclass
class _Defaults:
    """Rows that took a default, named once per sheet in the plan's warnings."""

    region: list[int] = field(default_factory=list)
    since: list[int] = field(default_factory=list)


def roster(sheet: Sheet, plan: Plan) -> None:
    cells = Cells(sheet, values.ROSTER_HEADINGS, plan, optional=set(values.ROSTER_HEADINGS))
    if not _has_required_columns(sheet, cells, plan):
        return
    defaults = _Defaults()
    for n, row in enumerate(sheet.rows[1:], start=2):
        if not any(row) or _too_many_cells(sheet, n, row, plan):
            continue
        if not codes_stored_as_numbers(sheet, cells, n, row, ("nip", "region"), plan):
            _roster_row(sheet, cells, plan, n, row, defaults)
    _warn_defaults(sheet, cells, plan, defaults)
    _warn_repeated_nips(sheet, plan)


def _too_many_cells(sheet: Sheet, n: int, row: list[str], plan: Plan) -> bool:
    """A row wider than its headings: a separator inside an unquoted cell shifted every column
    after it, so no cell of the row can be trusted."""
    width, headings = len(row), len(sheet.rows[0])
    if width <= headings:
        return False
    plan.problems.append(
        Problem(
            Location(sheet.label, n),
            f"baris ini berisi {width} sel, padahal judul kolom hanya {headings}: ada pemisah "
            "(koma atau titik koma) di dalam sel, mis. angka 1,98E+17; simpan ulang berkas dari "
            f"spreadsheet dengan kolom NIP berformat Teks (this row has {width} cells but only "
            f"{headings} headings: a separator inside a cell shifted the columns; save the file "
            "again with the NIP column formatted as Text)",
        )
    )
    return True


def _has_required_columns(sheet: Sheet, cells: Cells, plan: Plan) -> bool:
    present = set(cells.index) | ({"agency"} if "parent_agency" in cells.index else set())
    missing = [headings for name, headings in values.REQUIRED.items() if name not in present]
    for headings in missing:
        plan.problems.append(
            Problem(
                Location(sheet.label, 1),
                f"kolom {headings} tidak ada: tambahkan kolom itu di baris 1 "
                f"(column {headings} is missing: add it to row 1)",
            )
        )
    return not missing


def _roster_row(
    sheet: Sheet, cells: Cells, plan: Plan, n: int, row: list[str], defaults: _Defaults
) -> None:
    data = _row_data(cells, row, plan.publisher)
    wrong = _value_problems(cells, row, data)
    for name, message in wrong:
        column = cells.column(name) or cells.column("parent_agency")  # only Instansi has two
        plan.problems.append(Problem(Location(sheet.label, n, column), message))
    if wrong:
        return
    if not _nip_allows_row(data, plan, Location(sheet.label, n, cells.column("nip"))):
        return
    if not cells.get(row, "region"):
        defaults.region.append(n)
    if data["status_since"] is None:
        data["status_since"] = values.default_since(data["nip"], data["asn_type"])
        if data["status_since"] is None:
            where = Location(sheet.label, n, cells.column("status_since"))
            plan.problems.append(Problem(where, _no_since_message()))
            return
        defaults.since.append(n)
    locate = row_locator(sheet, cells, n)
    found = validate(ingest.AsnRecorded, data, plan, locate)
    if isinstance(found, ingest.AsnRecorded):
        plan.events.append(Planned(found, Location(sheet.label, n), PHASE_ROSTER))
        _check_row(found, plan, locate)


def _row_data(cells: Cells, row: list[str], publisher: str) -> dict[str, Any]:
    """The row in the contract's terms; a value that cannot be read stays None (see below)."""
    text = {name: cells.get(row, name).strip() for name in set(values.ROSTER_HEADINGS.values())}
    since = text["status_since"]
    return {
        "nip": text["nip"],
        "name": text["name"],
        "asn_type": values.asn_type_of(text["asn_type"]),
        "gender": values.gender_of(text["gender"]),
        "agency": text["agency"] or text["parent_agency"],
        "unit": text["unit"] or None,
        "region": text["region"] or publisher,
        "position": text["position"] or None,
        "rank": text["rank"] or None,
        "status": values.status_of(text["status"]),
        "status_since": values.date_of(since) if since else None,
    }


def _value_problems(cells: Cells, row: list[str], data: dict[str, Any]) -> list[tuple[str, str]]:
    """(column, bilingual message) for each cell whose value the contract cannot take."""
    found: list[tuple[str, str]] = []
    for name, heading in (("name", "Nama"), ("agency", "Instansi")):
        if not data[name]:
            found.append((name, _empty_message(heading)))
    if data["asn_type"] is None:
        found.append(("asn_type", _asn_type_message(cells.get(row, "asn_type"))))
    if data["gender"] is None:
        found.append(("gender", _gender_message(cells.get(row, "gender"))))
    if data["status"] is None:
        found.append(("status", _status_message(cells.get(row, "status"))))
    if cells.get(row, "status_since").strip() and data["status_since"] is None:
        found.append(("status_since", _since_message(cells.get(row, "status_since"))))
    region = data["region"]
    if region != NASIONAL and not is_valid_region(region):
        found.append(("region", _region_message(region)))
    return found


def _nip_allows_row(data: dict[str, Any], plan: Plan, where: Location) -> bool:
    """The NIP rules before the schema, so the message is ours. A NIP of the wrong shape cannot
    be sent at all; any other defect is the gate's rule too, so `--force` sends the row."""
    problem = validate_nip(data["nip"], AsnType(data["asn_type"]), Gender(data["gender"]))
    if problem is None:
        return True
    message = f"{problem.message_id} ({problem.message_en})"
    shape = problem.defect in (NipDefect.LENGTH, NipDefect.NOT_DIGITS)
    plan.problems.append(Problem(where, message, rule=not shape))
    return not shape


def _check_row(found: ingest.AsnRecorded, plan: Plan, locate: Locate) -> None:
    """The region rule; the gate's too, so `--force` sends."""
    # Where the ASN belongs now is known only to the services: checked as a first entry.
    problem = roster_problem(plan.publisher, None, found)
    if problem is not None:
        message = _region_owner_message(problem)
        plan.problems.append(Problem(locate(("region",)), message, rule=True))


def _empty_message(heading: str) -> str:
    return f"{heading} kosong: isi kolom ini ({heading} is empty: fill in this column)"


def _asn_type_message(text: str) -> str:
    return (
        f"jenis ASN '{text}' tidak dikenal: isi PNS atau PPPK "
        f"(unknown ASN type '{text}': write PNS or PPPK)"
    )


def _gender_message(text: str) -> str:
    return (
        f"jenis kelamin '{text}' tidak dikenal: isi L/P, Laki-laki/Perempuan, Pria/Wanita atau "
        f"1/2 (unknown gender '{text}': write L/P, Laki-laki/Perempuan, Pria/Wanita or 1/2)"
    )


def _status_message(text: str) -> str:
    return (
        f"status '{text}' tidak ada dalam daftar: isi salah satu dari {values.STATUS_WORDS} "
        f"(status '{text}' is not in the list: write one of {values.STATUS_WORDS})"
    )


def _since_message(text: str) -> str:
    return (
        f"tanggal '{text}' tidak terbaca: tulis YYYY-MM-DD atau DD-MM-YYYY, mis. 2019-03-01 "
        f"(date '{text}' cannot be read: write YYYY-MM-DD or DD-MM-YYYY, e.g. 2019-03-01)"
    )


def _no_since_message() -> str:
    return (
        "Sejak kosong dan TMT dalam NIP (digit 9–14) bukan tanggal: isi kolom Sejak, mis. "
        "2019-03-01 (Sejak is empty and the NIP's TMT, digits 9–14, is not a date: fill in "
        "the Sejak column, e.g. 2019-03-01)"
    )


def _region_message(text: str) -> str:
    return (
        f"kode daerah '{text}' tidak dikenal: isi kode Kemendagri provinsi (mis. 15) atau "
        f"kabupaten/kota (mis. 35.23), atau nasional (unknown region '{text}': write a "
        "Kemendagri province code such as 15, a kabupaten/kota code such as 35.23, or nasional)"
    )


def _region_owner_message(problem: RosterProblem) -> str:
    return (
        f"{problem.message_id} Bila ini pindah daerah (mutasi) keluar dari daerah Anda, "
        "hanya gerbang ingest yang dapat memeriksanya: kirim dengan --force dan lihat "
        f"jawabannya. ({problem.message_en} If this is a transfer out of your region, only the "
        "ingest gate can check it: send with --force and read its answer.)"
    )


def _warn_defaults(sheet: Sheet, cells: Cells, plan: Plan, defaults: _Defaults) -> None:
    """One warning per default taken, naming the rows (a SIASN export has neither column)."""
    if defaults.region:
        plan.warnings.append(
            Problem(
                Location(sheet.label, defaults.region[0], cells.column("region")),
                f"Kode Daerah kosong di {_rows(defaults.region)}: diisi kode penerbit "
                f"{plan.publisher} (ekspor SIASN tidak memuat kode Kemendagri); isi kolom Kode "
                f"Daerah bila berbeda (Kode Daerah empty: set to the publisher's id "
                f"{plan.publisher}; fill in the column where it differs)",
            )
        )
    if defaults.since:
        plan.warnings.append(
            Problem(
                Location(sheet.label, defaults.since[0], cells.column("status_since")),
                f"Sejak kosong di {_rows(defaults.since)}: diisi TMT CPNS dari NIP (digit 9–14) "
                "untuk PNS, 1 Januari tahun digit 9–12 untuk PPPK; isi kolom Sejak bila statusnya "
                "berubah kemudian (Sejak empty: set to the NIP's TMT CPNS for a PNS, 1 January of "
                "digits 9–12 for a PPPK; fill in the column when the status changed later)",
            )
        )


def _warn_repeated_nips(sheet: Sheet, plan: Plan) -> None:
    """A NIP on several rows of one sheet: all are sent in order, so the last row wins."""
    rows_of: dict[str, list[int]] = {}
    for e in plan.events:
        if isinstance(e.data, ingest.AsnRecorded) and e.where.sheet == sheet.label:
            rows_of.setdefault(e.data.nip, []).append(e.where.row)
    for rows in rows_of.values():
        if len(rows) > 1:
            plan.warnings.append(
                Problem(
                    Location(sheet.label, rows[-1]),
                    f"NIP yang sama ada di {_rows(rows)}: baris {rows[-1]} yang berlaku; hapus "
                    f"baris lainnya (the same NIP is on rows {', '.join(map(str, rows))}: row "
                    f"{rows[-1]} wins; delete the others)",
                )
            )


def _rows(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    more = f" (+{len(numbers) - 10})" if len(numbers) > 10 else ""
    return f"baris {shown}{more}"
