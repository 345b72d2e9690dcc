"""Close barriers: where the owner's `cohort.closed` sits on the ingest log, as this service saw
it. An ingest event of the same cohort before that offset was sent before the close."""

from __future__ import annotations

from shared.db import Connection
from shared.envelope import CloudEvent, RecordPosition


async def record_close(conn: Connection, event: CloudEvent) -> str | None:
    """Remember where the close sits; returns its cohort code (None if it names none)."""
    position = event.position or RecordPosition("", 0, 0)
    code = event.subject or (event.data or {}).get("cohort_code")
    if not isinstance(code, str):
        return None
    await conn.execute(
        """INSERT INTO close_barriers (cohort_code, event_id, source, topic, partition, "offset")
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
        code,
        event.id,
        event.source,
        position.topic,
        position.partition,
        position.offset,
    )
    return code


async def has_barrier(conn: Connection, cohort_code: str, event_id: str) -> bool:
    """Has this service's ingest consumer passed the close that enrolment accepted?"""
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM close_barriers WHERE cohort_code = $1 AND event_id = $2",
            cohort_code,
            event_id,
        )
    )


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
