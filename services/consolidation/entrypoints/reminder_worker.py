"""Sends the 20 JP reminders: each check, the period today falls in (none before the start
day), and for every region with ASN below the minimum a reminder to its publisher, once a
period (`reminders_sent`, in the outbox's transaction). Restarts and replays repeat nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools

from services.consolidation import reminders as rules
from services.consolidation.adapters import reminders as store
from services.consolidation.settings import compliance_settings
from shared.logging import get_logger
from shared.retry import through_outside_trouble
from shared.runtime import ServiceRuntime

log = get_logger(__name__)


async def reminder_worker(runtime: ServiceRuntime) -> None:
    settings = compliance_settings()
    await through_outside_trouble(
        "reminder worker",
        functools.partial(_every, runtime, settings.schedule(), settings.reminder_check_interval_s),
        settings.reminder_check_interval_s,
    )


async def _every(runtime: ServiceRuntime, schedule: rules.Schedule, interval_s: float) -> None:
    while True:
        await send_due(runtime, dt.datetime.now(dt.UTC), schedule)
        await asyncio.sleep(interval_s)  # a periodic job's own pace, not a synchronisation


async def send_due(runtime: ServiceRuntime, now: dt.datetime, schedule: rules.Schedule) -> int:
    """The reminders due at `now` and not yet sent this period; returns how many went."""
    period = rules.period_of(now.date(), schedule)
    if period is None:
        return 0
    sent = 0
    async with runtime.pool.acquire() as conn, conn.transaction():
        for publisher, standing in sorted((await store.standings(conn, period.year)).items()):
            reminder = rules.reminder(publisher, period, standing)
            if reminder is not None and await store.send_once(conn, reminder, now):
                sent += 1
    if sent:
        log.info("20 JP reminders sent", period=period.key, publishers=sent)
    return sent
