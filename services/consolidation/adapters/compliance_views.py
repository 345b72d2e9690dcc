"""The 20 JP compliance queries: the drill-down (national → province → kabupaten/kota → agency
→ unit), the at-risk list, one ASN's determination, the trend over years.

Summaries read the maintained counts (`compliance_counts`, `compliance_jp`), never the
enrolments, so their cost does not grow with the number of trainings; the unit level and the
lists read `asn_years`, through indexes that start with the year and the area.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from services.consolidation.compliance import median_of_histogram
from shared.db import Connection

Level = Literal["province", "region", "agency", "unit"]
Sort = Literal["shortfall", "agency", "name", "jp"]


@dataclass(frozen=True)
class Area:
    """Where a view looks: the caller's scope and the drill-down's position, each optional.
    `scope` is a province (with its kabupaten/kota), a kabupaten/kota, or None (everything)."""

    year: int
    scope: str | None = None
    province: str | None = None
    region: str | None = None
    agency: str | None = None
    unit: str | None = None  # '' is the ASN whose unit the roster leaves empty

    def clauses(self, params: list[Any], *, per_asn: bool = False) -> str:
        """The WHERE of the position; the unit only over ASN-years (`per_asn`): the counts are
        kept per agency."""

        def arg(value: Any) -> str:
            params.append(value)
            return f"${len(params)}"

        where = [f"year = {arg(self.year)}"]
        if self.scope is not None:
            where.append(_scope_clause(self.scope, params))
        if self.province is not None:
            where.append(f"region_province = {arg(self.province)}")
        if self.region is not None:
            where.append(f"region = {arg(self.region)}")
        if self.agency is not None:
            where.append(f"agency = {arg(self.agency)}")
        if per_asn and self.unit is not None:
            where.append(f"coalesce(unit, '') = {arg(self.unit)}")
        return " AND ".join(where)

    @property
    def level(self) -> Level:
        """What the rows below this position are."""
        if self.agency is not None:
            return "unit"
        if self.region is not None:
            return "agency"
        if self.province is not None:
            return "region"
        return "province"


def _scope_clause(scope: str, params: list[Any]) -> str:
    """A province covers its kabupaten/kota; a kabupaten/kota is only itself."""
    params.append(scope)
    column = "region_province" if len(scope) == 2 else "region"
    return f"{column} = ${len(params)}"


_GROUP_COLUMN: dict[Level, str] = {
    "province": "region_province",
    "region": "region",
    "agency": "agency",
    "unit": "coalesce(unit, '')",
}
_COUNTS = "sum(met) AS met, sum(below) AS below, sum(zero) AS zero, sum(exempt) AS exempt, " \
    "sum(not_in_roster) AS not_in_roster"  # fmt: skip


async def summary(conn: Connection, area: Area) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The totals of `area` and one row per group one level down, with median and mean JP."""
    if area.level == "unit":
        return await _unit_summary(conn, area)
    params: list[Any] = []
    groups, buckets = await _grouped(conn, _GROUP_COLUMN[area.level], area.clauses(params), params)
    total = _with_jp(_sum_counts(groups), [b for key in buckets for b in buckets[key]])
    return total, groups


async def _grouped(
    conn: Connection, group: str, where: str, params: list[Any]
) -> tuple[list[dict[str, Any]], dict[Any, list[tuple[Decimal, int]]]]:
    """The maintained counts summed by `group`, each with its median and mean JP, and the JP
    buckets they came from."""
    rows = await conn.fetch(
        f"SELECT {group} AS key, {_COUNTS} FROM compliance_counts WHERE {where} GROUP BY 1"
        " ORDER BY 1",
        *params,
    )
    jp = await conn.fetch(
        f"SELECT {group} AS key, jp, sum(n) AS n FROM compliance_jp WHERE {where} GROUP BY 1, 2",
        *params,
    )
    buckets: dict[Any, list[tuple[Decimal, int]]] = defaultdict(list)
    for r in jp:
        buckets[r["key"]].append((r["jp"], int(r["n"])))
    return [_with_jp(dict(r), buckets[r["key"]]) for r in rows], buckets


async def _unit_summary(
    conn: Connection, area: Area
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One agency's units, counted from its ASN-years (one agency is small)."""
    params: list[Any] = []
    rows = await conn.fetch(
        f"""SELECT coalesce(unit, '') AS key, standing, jp, count(*) AS n FROM asn_years
            WHERE {area.clauses(params)} GROUP BY 1, 2, 3""",
        *params,
    )
    counts: dict[str, dict[str, Any]] = {}
    buckets: dict[str, list[tuple[Decimal, int]]] = defaultdict(list)
    for r in rows:
        row = counts.setdefault(r["key"], {"key": r["key"], **dict.fromkeys(_STANDINGS, 0)})
        row[r["standing"].lower()] += r["n"]
        if r["standing"] in ("MET", "BELOW", "ZERO"):
            buckets[r["key"]].append((r["jp"], int(r["n"])))
    groups = [_with_jp(counts[k], buckets[k]) for k in sorted(counts)]
    total = _with_jp(_sum_counts(groups), [b for key in buckets for b in buckets[key]])
    return total, groups


_STANDINGS = ("met", "below", "zero", "exempt", "not_in_roster")


def _sum_counts(groups: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {s: sum(int(g[s]) for g in groups) for s in _STANDINGS}


def _with_jp(row: dict[str, Any], buckets: Sequence[tuple[Decimal, int]]) -> dict[str, Any]:
    for s in _STANDINGS:
        row[s] = int(row[s] or 0)
    size = sum(n for _, n in buckets)
    row["roster"] = row["met"] + row["below"] + row["zero"] + row["exempt"]
    row["median_jp"] = median_of_histogram(buckets)
    row["mean_jp"] = sum(jp * n for jp, n in buckets) / size if size else None
    return row


_ORDER: dict[Sort, str] = {
    "shortfall": "shortfall DESC, nip",
    "agency": "agency, name, nip",
    "name": "name, nip",
    "jp": "jp, nip",
}


async def at_risk(
    conn: Connection, area: Area, sort: Sort, limit: int | None, offset: int
) -> tuple[int, list[Any]]:
    """BELOW or ZERO ASN of `area`, with the shortfall; the total from the maintained counts
    (of one unit: counted, it is small)."""
    params: list[Any] = []
    if area.unit is None:
        total = await conn.fetchval(
            "SELECT coalesce(sum(below + zero), 0) FROM compliance_counts WHERE "
            + area.clauses(params),
            *params,
        )
    else:
        total = await conn.fetchval(
            f"""SELECT count(*) FROM asn_years WHERE {area.clauses(params, per_asn=True)}
                AND standing IN ('BELOW', 'ZERO')""",
            *params,
        )
    params = []
    rows = await conn.fetch(
        f"""SELECT nip, name, region, agency, unit, jp, minimum, shortfall, standing, reason
            FROM asn_years WHERE {area.clauses(params, per_asn=True)}
              AND standing IN ('BELOW', 'ZERO')
            ORDER BY {_ORDER[sort]} LIMIT {limit if limit is not None else "ALL"}
            OFFSET {int(offset)}""",
        *params,
    )
    return int(total), list(rows)


async def roster_history(conn: Connection, nip: str) -> list[Any]:
    """Every accepted roster row of the ASN, oldest first: transfers and status changes."""
    return list(
        await conn.fetch(
            """SELECT recorded_at, change, region, agency, status, status_since, publisher
               FROM roster_history WHERE nip = $1 ORDER BY recorded_at, event_id""",
            nip,
        )
    )


async def trend(conn: Connection, scope: str | None) -> list[dict[str, Any]]:
    """Totals per year of the caller's area, oldest first."""
    params: list[Any] = []
    where = "true" if scope is None else _scope_clause(scope, params)
    groups, _ = await _grouped(conn, "year", where, params)
    return groups
