"""Kafka topic names: one ingest and one feedback topic per publisher, one per domain stream."""

from __future__ import annotations

import functools
import re

INGEST_PREFIX = "diklat.ingest."
FEEDBACK_PREFIX = "diklat.feedback."
INGEST_PATTERN = r"diklat\.ingest\..+"
FEEDBACK_PATTERN = r"diklat\.feedback\..+"

ENROLMENT_EVENTS = "diklat.domain.enrolment"
ATTENDANCE_EVENTS = "diklat.domain.attendance"
CERTIFICATION_EVENTS = "diklat.domain.certification"
DOMAIN_TOPICS = (ENROLMENT_EVENTS, ATTENDANCE_EVENTS, CERTIFICATION_EVENTS)

# The read model is rebuilt from the domain and feedback topics (`diklat rebuild`), so they keep
# every record: with the broker's default (7 days) a rebuild would find a week of history.
UNLIMITED_RETENTION = {"retention.ms": "-1", "retention.bytes": "-1"}

# Kafka topic names allow [a-zA-Z0-9._-]; publisher ids are `nasional`, `15` or `35.23`.
_PUBLISHER_ID = re.compile(r"^(nasional|\d{2}|\d{2}\.\d{2})$")


def is_publisher_id(value: str) -> bool:
    return bool(_PUBLISHER_ID.match(value))


def ingest_topic(publisher: str) -> str:
    return INGEST_PREFIX + publisher


def feedback_topic(publisher: str) -> str:
    return FEEDBACK_PREFIX + publisher


@functools.lru_cache(maxsize=4096)  # asked per record and per outcome, of a few topics
def publisher_of_topic(topic: str) -> str | None:
    for prefix in (INGEST_PREFIX, FEEDBACK_PREFIX):
        if topic.startswith(prefix):
            return topic[len(prefix) :]
    return None


def kept_forever(topic: str) -> bool:
    """Whether a (logical) topic is one the read model is rebuilt from."""
    return topic in DOMAIN_TOPICS or topic.startswith(FEEDBACK_PREFIX)


def publisher_source(publisher: str) -> str:
    return f"/publishers/{publisher}"


def physical(namespace: str, topic: str) -> str:
    """Topic names inside the code are logical; a namespace (tests, shared clusters) prefixes
    them on the wire."""
    return namespace + topic


def logical(namespace: str, topic: str) -> str:
    return topic.removeprefix(namespace)


def physical_pattern(namespace: str, pattern: str) -> str:
    return re.escape(namespace) + pattern
