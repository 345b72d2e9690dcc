"""The AsyncAPI document of the contract, generated (never by hand) from what runs: each
service's live subscriptions (its FastStream broker's `subscribers`, declared but never started,
read as FastStream's own generator reads them) and the route table each one runs on, whose
models are the contract's. What the services and publishers send is the contract itself
(`shared/events`: one topic family per map)."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from shared.events.domain import DOMAIN_STREAMS
from shared.events.feedback import FEEDBACK_TYPES
from shared.events.ingest import INGEST_TYPES
from shared.runtime import ServiceRuntime
from shared.service import Subscription
from shared.settings import DEFAULT_HTTP_PORTS, InfraSettings, ServiceSettings
from shared.topics import FEEDBACK_PATTERN, INGEST_PATTERN, feedback_topic, ingest_topic

VERSION = "1.2.0"
SERVER = "kafka:9092"
SERVER_OBJECT = {
    "host": SERVER,
    "pathname": "",
    "protocol": "kafka",
    "protocolVersion": "auto",
    "description": "Apache Kafka (KRaft)",
}
REF_TEMPLATE = "#/components/schemas/{model}"
PUBLISHER_PARAMETER = {"publisher": {"description": "publisher id: nasional, 15 or 35.23"}}


@dataclass(frozen=True)
class Channel:
    """One topic (family) of the contract: its name in the document, address, types, sender."""

    key: str
    address: str
    types: Mapping[str, type[BaseModel]]
    source: str  # the CloudEvents source its senders use
    sender: str  # who sends on it: a service, or the publishers
    prefix: str = ""  # distinguishes data models of the same name (ingest and domain CohortClosed)

    def data_model(self, event_type: str) -> type[BaseModel]:
        model = self.types[event_type]
        return type(self.prefix + model.__name__, (model,), {"__module__": model.__module__})


def _domain_channel(topic: str) -> Channel:
    service = topic.rsplit(".", 1)[-1]
    source = f"/services/{service}"
    return Channel(service, topic, DOMAIN_STREAMS[topic], source, service, service.title())


# Keyed by what a live subscriber names as its address: a topic, or a topic pattern.
CHANNELS: dict[str, Channel] = {
    INGEST_PATTERN: Channel(
        "ingest", ingest_topic("{publisher}"), INGEST_TYPES, "/publishers/{publisher}", "publishers"
    ),
    **{topic: _domain_channel(topic) for topic in DOMAIN_STREAMS},
    FEEDBACK_PATTERN: Channel(
        "feedback", feedback_topic("{publisher}"), FEEDBACK_TYPES, "/services/{service}", "services"
    ),
}


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


def unstarted_runtimes(names: Iterable[str] = DEFAULT_HTTP_PORTS) -> list[ServiceRuntime]:
    """Each service as its composition root builds it, with its subscriptions declared on its
    broker; nothing is started or connected."""
    infra = InfraSettings(kafka_bootstrap_servers=SERVER, kafka_topic_namespace="")
    runtimes = []
    for name in names:
        definition = importlib.import_module(f"services.{name}.bootstrap").DEFINITION
        settings = ServiceSettings.for_service(name, definition.settings)
        runtimes.append(ServiceRuntime(definition, infra, settings))
    return runtimes


def build_document(runtimes: Sequence[ServiceRuntime] | None = None) -> dict[str, Any]:
    runtimes = unstarted_runtimes() if runtimes is None else runtimes
    schemas: dict[str, Any] = {}
    messages = {f"{t}:Message": _message(c, t, schemas) for c in CHANNELS.values() for t in c.types}
    operations = {f"{c.sender}.sends.{c.key}": _send(c) for c in CHANNELS.values()}
    for runtime in runtimes:
        operations.update(_receives(runtime))
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Diklat ASN event contract",
            "version": VERSION,
            "description": "CloudEvents 1.0 on Kafka: what publishers send (ingest), what the "
            "services tell each other (domain) and the publishers (feedback); each service's "
            "operations are its live subscriptions.",
        },
        "defaultContentType": "application/json",
        "servers": {"development": SERVER_OBJECT},
        "channels": {c.key: _channel(c) for c in CHANNELS.values()},
        "operations": dict(sorted(operations.items())),
        "components": {"messages": messages, "schemas": dict(sorted(schemas.items()))},
    }


def _message(channel: Channel, event_type: str, schemas: dict[str, Any]) -> dict[str, Any]:
    model = envelope(event_type, channel.data_model(event_type), channel.source)
    schema = model.model_json_schema(ref_template=REF_TEMPLATE)
    for name, part in [*schema.pop("$defs", {}).items(), (model.__name__, schema)]:
        _add_schema(schemas, name, part)
    return {
        "name": event_type,
        "title": event_type,
        "contentType": "application/json",
        "payload": {"$ref": REF_TEMPLATE.format(model=model.__name__)},
    }


def _add_schema(schemas: dict[str, Any], name: str, schema: dict[str, Any]) -> None:
    # One name, one schema: two models of a name would otherwise overwrite each other.
    if schemas.setdefault(name, schema) != schema:
        raise ValueError(f"two different schemas are named {name}: give one a prefix")


def _channel(channel: Channel) -> dict[str, Any]:
    document: dict[str, Any] = {
        "address": channel.address,
        "description": f"sent by {channel.sender}; record key = cohort code",
        "messages": {t: {"$ref": f"#/components/messages/{t}:Message"} for t in channel.types},
        "servers": [{"$ref": "#/servers/development"}],
        "bindings": {"kafka": {"bindingVersion": "0.4.0", "topic": channel.address}},
    }
    if "{publisher}" in channel.address:
        document["parameters"] = PUBLISHER_PARAMETER
    return document


def _operation(
    action: str, channel: Channel, types: Iterable[str], title: str, description: str
) -> dict[str, Any]:
    return {
        "action": action,
        "title": title,
        "description": description,
        "channel": {"$ref": f"#/channels/{channel.key}"},
        "messages": [{"$ref": f"#/channels/{channel.key}/messages/{t}"} for t in types],
    }


def _send(channel: Channel) -> dict[str, Any]:
    title = f"{channel.sender} -> {channel.address}"
    return _operation("send", channel, channel.types, title, f"the contract of {channel.key}")


def _receives(runtime: ServiceRuntime) -> dict[str, Any]:
    """One receive operation per live subscriber and address it reads: the types its route
    table takes from that topic."""
    by_title = {f"{runtime.name}/{s.name}": s for s in runtime.subscriptions}
    operations = {}
    for subscriber in runtime.broker.subscribers:
        title = subscriber.specification.config.title_
        subscription = by_title[str(title)]
        for address in subscriber.specification.channel_labels:
            channel = CHANNELS[address]
            routed = [t for t in channel.types if t in subscription.routes]
            operations[f"{runtime.name}.receives.{channel.key}"] = _operation(
                "receive", channel, routed, f"{title} ({channel.address})", _reads(subscription)
            )
    return operations


def _reads(subscription: Subscription) -> str:
    """Its consumer group and, on ingest, which routed types it answers the publisher for."""
    said = f"consumer group <group>.{subscription.name}"
    if subscription.reports_envelope_errors:
        said += "; answers for records that are no usable event"
    if subscription.pattern != INGEST_PATTERN:
        return said
    answered = sorted(t for t, route in subscription.routes.items() if route.reports)
    watched = sorted(t for t, route in subscription.routes.items() if not route.reports)
    said += f"; answers the publisher for: {', '.join(answered)}"
    return said + (f"; only watches: {', '.join(watched)}" if watched else "")
