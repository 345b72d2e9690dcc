"""The 20 JP reminders in Postgres: who is due one this period (from the maintained counts), and
the record of each sent, written with its outbox row in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.consolidation import reminders as rules
from shared.db import Connection
from shared.envelope import CloudEvent
from shared.events.feedback import REMINDER_TYPE, ComplianceReminder
from shared.outbox import row_for, write_rows
from shared.topics import feedback_topic


async def standings(conn: Connection, year: int) -> dict[str, rules.Standing]:
    """Each region's own ASN (the publisher of that region keeps them) for `year`."""
    rows = await conn.fetch(
        """SELECT region, sum(met + below + zero + exempt) AS roster, sum(below) AS below,
                  sum(zero) AS zero
           FROM compliance_counts WHERE year = $1 GROUP BY region""",
        year,
    )
    return {r["region"]: rules.Standing(r["roster"], r["below"], r["zero"]) for r in rows}


def reminder_event(reminder: rules.Reminder, at: dt.datetime) -> CloudEvent:
    period, standing = reminder.period, reminder.standing
    data = ComplianceReminder(
        year=period.year,
        period=period.key,
        region=reminder.publisher,
        roster=standing.roster,
        below=standing.below,
        zero=standing.zero,
        deadline=period.deadline,
        list_path=reminder.list_path,
        message_id=reminder.message_id,
        message_en=reminder.message_en,
        at=at,
    )
    return CloudEvent(
        id=rules.reminder_id(reminder.publisher, period),
        source="/services/consolidation",
        type=REMINDER_TYPE,
        time=at,
        data=data.model_dump(mode="json"),
        subject=reminder.publisher,
    )


async def send_once(conn: Connection, reminder: rules.Reminder, at: dt.datetime) -> bool:
    """Record and send the reminder unless this period's was sent; whether it was sent now."""
    event = reminder_event(reminder, at)
    recorded = await record(conn, ComplianceReminder.model_validate(event.data), event.id)
    if recorded:
        await write_rows(conn, [row_for(feedback_topic(reminder.publisher), event)])
    return recorded


async def record(conn: Connection, sent: ComplianceReminder, event_id: str) -> bool:
    """The reminder as sent (from the sender or read back from the feedback topic)."""
    inserted = await conn.fetchval(
        """INSERT INTO reminders_sent (publisher, period, year, event_id, roster, below, zero,
               sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (publisher, period) DO NOTHING RETURNING true""",
        sent.region,
        sent.period,
        sent.year,
        event_id,
        sent.roster,
        sent.below,
        sent.zero,
        sent.at,
    )
    return bool(inserted)


async def sent(conn: Connection, publisher: str | None, year: int | None) -> list[Any]:
    return list(
        await conn.fetch(
            """SELECT publisher, period, year, roster, below, zero, sent_at FROM reminders_sent
               WHERE ($1::text IS NULL OR publisher = $1) AND ($2::int IS NULL OR year = $2)
               ORDER BY sent_at DESC, publisher""",
            publisher,
            year,
        )
    )
