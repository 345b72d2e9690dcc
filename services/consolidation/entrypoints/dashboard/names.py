"""Place names for the dashboard's headings and breadcrumbs, until `shared.regions.region_name`
arrives on main: a province's name, else the code itself."""

from __future__ import annotations

from shared.regions import PROVINCES


def region_name(code: str) -> str:
    return PROVINCES.get(code, code)
