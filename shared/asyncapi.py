"""The AsyncAPI document of the contract, generated from the pydantic models (never by hand).

A specification-only broker declares one publisher per event type and topic; it is never
started, so runtime code and the specification stay apart (as FastStream recommends).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from pydantic import BaseModel, Field, create_model

from shared.events.domain import ATTENDANCE_TYPES, CERTIFICATION_TYPES, ENROLMENT_TYPES
from shared.events.feedback import (
    FEEDBACK_TYPE,
    NOTICE_TYPE,
    OUTCOMES_TYPE,
    IngestOutcome,
    IngestOutcomes,
    Notice,
)
from shared.events.ingest import INGEST_TYPES
from shared.topics import (
    ATTENDANCE_EVENTS,
    CERTIFICATION_EVENTS,
    ENROLMENT_EVENTS,
    feedback_topic,
    ingest_topic,
)

VERSION = "1.1.0"


def envelope(event_type: str, data: type[BaseModel], source: str) -> type[BaseModel]:
    """A structured-mode CloudEvent whose `type` is fixed and whose `data` is `data`."""
    name = "".join(part.title() for part in event_type.replace("_", ".").split(".")) + "Event"
    fields: dict[str, Any] = dict(
        specversion=(Literal["1.0"], "1.0"),
        id=(str, Field(description="unique per source; a repeat is a duplicate")),
        source=(str, Field(description=source)),
        type=(Literal[event_type], event_type),
        time=(dt.datetime, Field(description="RFC 3339 with offset")),
        subject=(str | None, Field(default=None, description="the cohort code (= record key)")),
        datacontenttype=(Literal["application/json"], "application/json"),
        data=(data, ...),
    )
    model: type[BaseModel] = create_model(name, **fields)
    return model


def _declare(
    broker: KafkaBroker, topic: str, types: dict[str, type[Any]], source: str, prefix: str = ""
) -> None:
    for event_type, model in types.items():
        # Ingest and domain both have e.g. CohortClosed: give the schemas distinct names.
        data = type(prefix + model.__name__, (model,), {"__module__": model.__module__})
        broker.publisher(
            topic,
            schema=envelope(event_type, data, source),
            title=event_type,
            description=f"{event_type} on {topic}; key = cohort code",
        )


def build_document() -> dict[str, Any]:
    broker = KafkaBroker("kafka:9092", description="Apache Kafka (KRaft)")
    _declare(broker, ingest_topic("{publisher}"), INGEST_TYPES, "/publishers/{publisher}")
    _declare(broker, ENROLMENT_EVENTS, ENROLMENT_TYPES, "/services/enrolment", "Enrolment")
    _declare(broker, ATTENDANCE_EVENTS, ATTENDANCE_TYPES, "/services/attendance", "Attendance")
    _declare(
        broker,
        CERTIFICATION_EVENTS,
        CERTIFICATION_TYPES,
        "/services/certification",
        "Certification",
    )
    _declare(
        broker,
        feedback_topic("{publisher}"),
        {OUTCOMES_TYPE: IngestOutcomes, FEEDBACK_TYPE: IngestOutcome, NOTICE_TYPE: Notice},
        "/services/{service}",
    )
    spec = AsyncAPI(
        broker,
        title="Diklat ASN event contract",
        version=VERSION,
        description="CloudEvents 1.0 on Kafka: what publishers send (ingest), what "
        "the services tell each other (domain) and the publishers "
        "(feedback).",
        schema_version="3.0.0",
    )
    document: dict[str, Any] = spec.to_specification().to_jsonable()
    return document
