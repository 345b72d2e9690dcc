"""The roster in the read model: each accepted row as the ASN's current entry (latest recorded
wins) and once in their history (new, correction, transfer)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared.db import Connection, from_json_rows, json_rows
from shared.events.ingest import AsnRecorded
from shared.events.roster import change_kind
from shared.regions import NASIONAL


def area_province(region: str) -> str:
    """The province column of a home region: `35.23` -> `35`, `nasional` stays itself."""
    return region if region == NASIONAL else region[:2]


@dataclass(frozen=True)
class RosterChange:
    """One accepted roster row, with who sent it and where the ASN was before."""

    event_id: str
    publisher: str
    recorded_at: dt.datetime
    row: AsnRecorded


async def current_regions(conn: Connection, nips: Sequence[str]) -> dict[str, str]:
    rows = await conn.fetch("SELECT nip, region FROM roster WHERE nip = ANY($1::text[])", nips)
    return {r["nip"]: r["region"] for r in rows}


async def record_roster(conn: Connection, changes: Sequence[RosterChange]) -> None:
    """Latest row per ASN wins by recording time; every row goes to the history once."""
    if not changes:
        return
    before = await current_regions(conn, sorted({c.row.nip for c in changes}))
    history: list[tuple[Any, ...]] = []
    latest: dict[str, RosterChange] = {}
    for c in sorted(changes, key=lambda c: (c.recorded_at, c.event_id)):
        kind = change_kind(before.get(c.row.nip), c.row)
        before[c.row.nip] = c.row.region
        history.append(_history_row(c, kind))
        latest[c.row.nip] = c
    await conn.execute(_INSERT_HISTORY, json_rows(history))
    await conn.execute(_UPSERT_ROSTER, json_rows([_roster_row(c) for c in latest.values()]))


def _history_row(c: RosterChange, kind: str) -> tuple[Any, ...]:
    r = c.row
    return (r.nip, c.event_id, c.publisher, kind, r.region, r.agency, r.status.value,
            r.status_since, c.recorded_at)  # fmt: skip


def _roster_row(c: RosterChange) -> tuple[Any, ...]:
    r = c.row
    return (r.nip, r.name, r.asn_type, r.gender, r.agency, r.unit, r.region,
            area_province(r.region), r.position, r.rank, r.status.value, r.status_since,
            c.publisher, c.recorded_at)  # fmt: skip


_INSERT_HISTORY = f"""
    INSERT INTO roster_history (nip, event_id, publisher, change, region, agency, status,
        status_since, recorded_at)
    {from_json_rows("text, text, text, text, text, text, text, date, timestamptz")}
    ON CONFLICT (nip, event_id) DO NOTHING"""

_UPSERT_ROSTER = f"""
    INSERT INTO roster (nip, name, asn_type, gender, agency, unit, region, region_province,
        position, rank, status, status_since, publisher, recorded_at)
    {
    from_json_rows(
        "text, text, text, text, text, text, text, text, text, text, text, date, text, timestamptz"
    )
}
    ON CONFLICT (nip) DO UPDATE SET name = EXCLUDED.name, asn_type = EXCLUDED.asn_type,
        gender = EXCLUDED.gender, agency = EXCLUDED.agency, unit = EXCLUDED.unit,
        region = EXCLUDED.region, region_province = EXCLUDED.region_province,
        position = EXCLUDED.position, rank = EXCLUDED.rank, status = EXCLUDED.status,
        status_since = EXCLUDED.status_since, publisher = EXCLUDED.publisher,
        recorded_at = EXCLUDED.recorded_at
    WHERE roster.recorded_at <= EXCLUDED.recorded_at"""
