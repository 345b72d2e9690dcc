"""A parked event as kept while it waits: its envelope as a JSON object, its position aside."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shared.envelope import CloudEvent, RecordPosition


def as_json(event: CloudEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "source": event.source,
        "type": event.type,
        "time": event.time.isoformat(),
        "subject": event.subject,
        "data": event.data,
    }


def from_json(body: dict[str, Any], position: RecordPosition) -> CloudEvent:
    return CloudEvent(
        id=body["id"],
        source=body["source"],
        type=body["type"],
        time=dt.datetime.fromisoformat(body["time"]),
        data=body["data"],
        subject=body["subject"],
        position=position,
    )
