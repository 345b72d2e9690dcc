"""Numbers, shares and dates as a person reads them: Indonesian first (`96,7%`, `1.234.567`,
`3 Desember 2026`), English on request. `share` is the one rounding of a percentage: the API's
figures and the pages' come from it, so a page never rounds what the API already rounded."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

Language = Literal["id", "en"]
SHARE_PLACES = 1  # one decimal: `96,7%`
_STEP = Decimal(1).scaleb(-SHARE_PLACES)

BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def share(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in percent, exact and rounded half up to one decimal (2 of 3 ->
    66.7; 1 of 16 -> 6.3, where a binary float's round gives 6.2); None when `whole` is 0."""
    if whole == 0:
        return None
    exact = Fraction(100 * part, whole)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        _STEP, rounding=ROUND_HALF_UP
    )


def share_float(part: int, whole: int) -> float | None:
    """`share` as the float the API's JSON carries (one decimal, so it prints back exactly)."""
    rounded = share(part, whole)
    return None if rounded is None else float(rounded)


def _separators(text: str, language: Language) -> str:
    """Swap the English separators for Indonesian ones (`.` groups thousands, `,` decimals)."""
    return text.translate(str.maketrans(",.", ".,")) if language == "id" else text


def number(value: int | float | Decimal, language: Language = "id", places: int = 0) -> str:
    """`1234567` -> `1.234.567`; with `places`, `1234.5` -> `1.234,5` (English: `1,234.5`)."""
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return _separators(f"{rounded:,.{places}f}", language)


def jp(value: int | float | Decimal, language: Language = "id") -> str:
    """Training hours without trailing zeros: `20` -> `20`, `22.5` -> `22,5`."""
    exact = Decimal(str(value))
    places = 0 if exact == exact.to_integral_value() else 1
    return number(exact, language, places)


def percent(value: float | Decimal | None, language: Language = "id") -> str:
    """A share as `share` gave it: `96.7` -> `96,7%`; none -> `–` (nothing to divide)."""
    if value is None:
        return "–"
    return f"{number(value, language, SHARE_PLACES)}%"


def date(day: dt.date, language: Language = "id") -> str:
    """`2026-12-03` -> `3 Desember 2026` (English: `3 December 2026`)."""
    months = BULAN if language == "id" else MONTHS
    return f"{day.day} {months[day.month - 1]} {day.year}"
