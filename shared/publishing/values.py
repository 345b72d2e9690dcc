"""Dates and times as Indonesian spreadsheets hold them: ISO (`2024-02-29`), day first
(`29/02/2024`, `29-02-2024`, `29.02.2024`), an Excel serial day number (`45351`) for a date;
`08:00`, `8.00` or an Excel day fraction (`0.3333`) for a time."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
# Excel's day numbers for 1950-2100; a date cell formatted as General shows one.
_SERIAL = re.compile(r"^\d{5}$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.]\d{2})?$")
_FRACTION = re.compile(r"^0?[.,]\d+$")


@dataclass(frozen=True)
class NoSuchDate:
    """A date written in a known form that the calendar does not have (31/02/2024)."""

    text: str
    day: int
    month: int
    year: int


def read_date(text: str) -> dt.date | NoSuchDate | None:
    """The date a cell holds; NoSuchDate for an impossible one, None when the form is unknown."""
    text = text.strip()
    if _SERIAL.match(text):
        return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    if m := _ISO.match(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _DAY_FIRST.match(text):
        day, month, year = (int(g) for g in m.groups())
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return NoSuchDate(text, day, month, year)


def read_time(text: str) -> dt.time | None:
    """The wall-clock time a cell holds, or None when the form is unknown or not a time."""
    text = text.strip()
    if _FRACTION.match(text):
        minutes = round(float(text.replace(",", ".")) * 24 * 60)
        return dt.time(minutes // 60, minutes % 60) if minutes < 24 * 60 else None
    if m := _CLOCK.match(text):
        hour, minute = int(m.group(1)), int(m.group(2))
        return dt.time(hour, minute) if hour < 24 and minute < 60 else None
    return None
