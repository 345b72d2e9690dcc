"""Close barriers: where the owner's `cohort.closed` sits on the ingest log, as this service saw
it. An ingest event of the same cohort before that offset was sent before the close."""

from __future__ import annotations

from collections.abc import Sequence

from shared.db import Connection, from_json_rows, json_rows
from shared.envelope import CloudEvent, RecordPosition


async def record_closes(conn: Connection, events: Sequence[CloudEvent]) -> list[str]:
    """Remember where each close sits, in one statement; returns the cohort codes they name,
    in order (a close naming none is skipped)."""
    rows = []
    for event in events:
        position = event.position or RecordPosition("", 0, 0)
        code = event.subject or (event.data or {}).get("cohort_code")
        if isinstance(code, str):
            rows.append(
                (code, event.id, event.source, position.topic, position.partition, position.offset)
            )
    if rows:
        await conn.execute(
            f"""INSERT INTO close_barriers (cohort_code, event_id, source, topic, partition,
                   "offset") {_BARRIERS} ON CONFLICT DO NOTHING""",
            json_rows(rows),
        )
    return [row[0] for row in rows]


_BARRIERS = from_json_rows("text, text, text, text, integer, bigint")


async def sent_after_close(
    conn: Connection, cohort_code: str, owner_source: str, position: RecordPosition
) -> bool:
    """Was this ingest event sent after its cohort's owner closed the cohort?"""
    return bool(
        await conn.fetchval(
            """SELECT 1 FROM close_barriers WHERE cohort_code = $1 AND source = $2 AND topic = $3
               AND partition = $4 AND "offset" < $5""",
            cohort_code,
            owner_source,
            position.topic,
            position.partition,
            position.offset,
        )
    )
