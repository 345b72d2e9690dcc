"""What the dashboard's tables share: the page asked for (from 1) and the rows a page; for the
cohorts, registry and data-quality tables also the pager's addresses (`halaman`) and the API's
CSV and XLSX of the same rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query

PAGE_SIZE = 25
PageNumber = Annotated[str | None, Query(max_length=6)]
Text = Annotated[str | None, Query(max_length=200)]


def page_number(given: str | None) -> int:
    """The page asked for; anything that is not a page number (below a million) is the first."""
    return (
        int(given)
        if given and given.isascii() and given.isdigit() and 0 < int(given) < 10**6
        else 1
    )


def year_of(given: str | None) -> int | None:
    """The year asked for when it is one (2000–2100); otherwise no year filter."""
    if given and given.isascii() and given.isdigit() and 2000 <= int(given) <= 2100:
        return int(given)
    return None


def kept(params: Mapping[str, object | None]) -> dict[str, str]:
    """The parameters given a value, as text."""
    return {k: str(v) for k, v in params.items() if v is not None and v != ""}


@dataclass(frozen=True)
class Pager:
    """Where the table's other pages are: `base` with its filters, then `halaman`."""

    path: str
    filters: dict[str, str]
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def href(self, number: int) -> str:
        query = urlencode({**self.filters, **({"halaman": number} if number > 1 else {})})
        return self.path + (f"?{query}" if query else "")

    @property
    def previous(self) -> str | None:
        return self.href(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.href(self.number + 1) if self.number < self.pages else None

    @property
    def first_shown(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last_shown(self) -> int:
        return min(self.total, self.offset + self.size)


def downloads(api_path: str, params: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label, address) of the API's CSV and XLSX of the whole table, the page's filters
    kept (the session cookie signs the API in as the page)."""
    return [
        (fmt.upper(), f"{api_path}?{urlencode({**params, 'format': fmt})}")
        for fmt in ("csv", "xlsx")
    ]
