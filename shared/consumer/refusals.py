"""What the core rejects on its own, each in a transaction of its own: a record it cannot handle
(PROCESSING_ERROR) and a parked publisher's event whose wait is over (its parking code)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from shared.consumer.failures import server_trouble
from shared.consumer.handling import save
from shared.consumer.ledger import Ledger, waited_too_long
from shared.consumer.metrics import PARKED_DOMAIN, PARKED_DOMAIN_OLDEST, count_events
from shared.consumer.phases import Item
from shared.consumer.ports import AlreadyInInbox
from shared.consumer.postgres import PostgresStore
from shared.consumer.routes import Handled
from shared.consumer.strategy import Origin
from shared.envelope import CloudEvent, EnvelopeError, RecordPosition
from shared.logging import get_logger
from shared.reasons import DEFAULT_MESSAGES, ReasonCode
from shared.topics import INGEST_PREFIX

log = get_logger("shared.consumer")


async def refuse(store: PostgresStore, service: str, item: Item, reports: bool) -> Counter[str]:
    """Record the item as rejected PROCESSING_ERROR; should even that fail, under its position
    (its id or type may be what is refused). A domain event that cannot be recorded is
    skipped, as an unreadable one is."""
    position = item.position or RecordPosition("", 0, 0)
    is_ingest = position.topic.startswith(INGEST_PREFIX)
    for by_position in (False, True):
        if by_position and not is_ingest:
            log.error("domain record cannot be recorded; skipped", record=position.reference())
            return Counter()
        ledger = Ledger(service, dt.datetime.now(dt.UTC))
        if by_position:
            error = EnvelopeError(
                ReasonCode.PROCESSING_ERROR, DEFAULT_MESSAGES[ReasonCode.PROCESSING_ERROR][1]
            )
            error.position = position
            ledger.envelope_error(error, {})
        elif isinstance(item, CloudEvent):
            handled = Handled.rejected(ReasonCode.PROCESSING_ERROR)
            ledger.record(item, handled, Origin.LOG, reports)
        else:
            ledger.envelope_error(item, {})
        try:
            async with store.transaction() as stores:
                await save(stores, ledger, [])
        except AlreadyInInbox:
            return Counter()  # decided meanwhile (another instance): nothing to add
        except Exception as exc:
            if server_trouble(exc) or by_position:
                raise
            continue
        count_events(service, ledger.metric_keys)
        return ledger.counts
    raise AssertionError("unreachable")


async def expire_parked(
    store: PostgresStore, service: str, reports: Callable[[CloudEvent], bool]
) -> int:
    """Reject up to 1000 parked publishers' events whose wait is over; set the gauges of the
    domain events that wait (they never expire)."""
    async with store.transaction() as stores:
        expired = await stores.parking.expire(at_most=1000)
        waiting, oldest = await stores.parking.waiting_facts()
        PARKED_DOMAIN.labels(service).set(waiting)
        PARKED_DOMAIN_OLDEST.labels(service).set(oldest)
        ledger = Ledger(service, dt.datetime.now(dt.UTC))
        for event, code in expired:
            ledger.record(event, waited_too_long(code), Origin.PARKING, reports(event))
        await save(stores, ledger, [])
    return len(expired)
