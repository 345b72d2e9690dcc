"""Raw spreadsheet I/O for the organisers' templates: CSV files and XLSX worksheets as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from shared.publishing import messages
from shared.tabular import csv_row, xlsx_row


@dataclass(frozen=True)
class Sheet:
    """One grid of cells as text; `rows[0]` is spreadsheet row 1."""

    file: str
    name: str | None  # worksheet title for XLSX, None for CSV
    rows: list[list[str]]
    # XLSX cells stored as floating-point numbers: (spreadsheet row from 1, column from 0).
    # A code (NIP, region) read from one may have lost digits already: 198503122010011003
    # is 198503122010011008 as a float. Integer cells arrive as int and are read exactly.
    floats: frozenset[tuple[int, int]] = frozenset()

    @property
    def label(self) -> str:
        return f"{self.file} [{self.name}]" if self.name else self.file


def column_letter(index: int) -> str:
    """0-based column index -> spreadsheet letter (A, B, ... AA)."""
    return str(get_column_letter(index + 1))


def _text(value: object) -> str:
    # Excel stores dates, times and whole numbers as typed values; the templates read text.
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _trim(rows: list[list[str]]) -> list[list[str]]:
    trimmed = []
    for row in rows:
        cells = list(row)
        while cells and not cells[-1]:
            cells.pop()
        trimmed.append(cells)
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


class Unreadable(Exception):
    """A file that cannot be read as a spreadsheet; the message says why and what to do."""


def read_csv(path: Path) -> Sheet:
    return csv_sheet(path.name, path.read_bytes())


def csv_sheet(name: str, data: bytes) -> Sheet:
    """A CSV file's content as one sheet named `name`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV" is the Windows code page; the services need UTF-8.
        raise Unreadable(messages.not_utf8()) from None
    # Spreadsheet programs in an Indonesian locale write `;` because `,` is the decimal mark.
    first = text.split("\n", 1)[0]
    # A SIASN export may come `|`-separated; on a tie `,` is kept.
    delimiter = max(",;|", key=first.count)
    rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    return Sheet(name, None, _trim(rows))


def read_xlsx(path: Path) -> list[Sheet]:
    return xlsx_sheets(path.name, path.read_bytes())


def xlsx_sheets(name: str, data: bytes) -> list[Sheet]:
    """An XLSX workbook's content, one sheet per worksheet, read in memory."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError):
        raise Unreadable(messages.unreadable("xlsx")) from None
    try:
        sheets = []
        for ws in workbook.worksheets:
            values = [list(row) for row in ws.iter_rows(values_only=True)]
            floats = frozenset(
                (n, i)
                for n, row in enumerate(values, start=1)
                for i, value in enumerate(row)
                if isinstance(value, float)
            )
            rows = _trim([[_text(v) for v in row] for row in values])
            sheets.append(Sheet(name, str(ws.title), rows, floats))
        return sheets
    finally:
        workbook.close()


def read_file(path: Path) -> list[Sheet]:
    """Every sheet in a file: a CSV is one sheet, an XLSX workbook one per worksheet."""
    kind_of(path.name)
    return read_upload(path.name, path.read_bytes())


def kind_of(name: str) -> str:
    """`csv` or `xlsx` by the file name's suffix; any other is Unreadable."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise Unreadable(messages.unreadable("suffix"))


def read_upload(name: str, data: bytes) -> list[Sheet]:
    """Every sheet in a file's content (an upload, never written to disk)."""
    if kind_of(name) == "csv":
        return [csv_sheet(name, data)]
    return xlsx_sheets(name, data)


def write_csv(path: Path, rows: Sequence[Sequence[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows(csv_row(row) for row in rows)


def write_xlsx(path: Path, sheets: Sequence[tuple[str, Sequence[Sequence[object]]]]) -> None:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        ws = workbook.create_sheet(title)
        for row in rows:
            # Text cells stay text: a NIP written as a number would lose its leading digits' form.
            ws.append(xlsx_row(ws, (str(c) if c is not None else None for c in row)))
        for i in range(max((len(r) for r in rows), default=0)):
            ws.column_dimensions[column_letter(i)].width = 16
    workbook.save(path)
