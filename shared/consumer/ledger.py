"""A batch's accounts (pure): inbox rows, feedback to publishers and counts, built per event and
written in bulk at the end of the transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Sequence
from functools import partial
from typing import Any

from shared.consumer.phases import cohort_code_in
from shared.consumer.ports import InboxRow, Key, Position, Settled
from shared.consumer.routes import Handled
from shared.consumer.strategy import Origin
from shared.envelope import CloudEvent, EnvelopeError, RecordPosition, to_structured
from shared.events.feedback import MAX_OUTCOMES_PER_MESSAGE, OUTCOMES_TYPE
from shared.logging import get_logger
from shared.outbox import OutboxRow, fitting_rows
from shared.reasons import DEFAULT_MESSAGES, Outcome, ReasonCode
from shared.topics import feedback_topic, publisher_of_topic

log = get_logger("shared.consumer")


class Ledger:
    """Inbox rows, feedback and counts of one batch."""

    def __init__(self, service: str, now: dt.datetime) -> None:
        self.service = service
        self.now = now
        self.now_text = now.isoformat()
        self.inserts: list[InboxRow] = []
        self.updates: list[Settled] = []
        # Per publisher: each outcome with the reference of the record it answers.
        self.outcomes: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.keys: set[Key] = set()
        self.counts: Counter[str] = Counter()
        self.metric_keys: Counter[tuple[str, str]] = Counter()  # (outcome, reason): events

    def record(self, event: CloudEvent, handled: Handled, origin: Origin, reports: bool) -> None:
        """An event decided; `reports`: its route owes the publisher the outcome."""
        position = event.position or RecordPosition("", 0, 0)
        reason = handled.reason.value if handled.reason else None
        if origin is Origin.PARKING:
            self.updates.append((event.source, event.id, handled.outcome.value, reason))
        else:
            self.inserts.append(
                (
                    event.source,
                    event.id,
                    event.type,
                    event.publisher,
                    handled.outcome.value,
                    reason,
                    position.topic,
                    position.partition,
                    position.offset,
                )
            )
        self.keys.add((event.source, event.id))
        self._count(event, handled, reports)

    def duplicate(self, event: CloudEvent, reports: bool, first: Position | None) -> None:
        # A replay of the very record already handled (crash before the offset commit) is
        # not news for the publisher; a second record with a used id is.
        if same_record(event, first):
            self.counts["replayed"] += 1
            return
        self._count(event, Handled(Outcome.DUPLICATE), reports)

    def envelope_error(self, error: EnvelopeError, seen: dict[Key, Position]) -> None:
        position = error.position or RecordPosition("", 0, 0)
        source = publisher_of_topic(position.topic) or position.topic
        key = (f"/publishers/{source}", error.event_id or position.reference())
        if key in seen or key in self.keys:
            # As for events: a replay of the same record is silent, a re-sent id is a duplicate.
            if seen.get(key) != (position.topic, position.partition, position.offset):
                handled = Handled(Outcome.DUPLICATE)
                self._feedback(source, key[1], error.event_type, None, handled, position)
                self.counts[handled.outcome] += 1
                self.metric_keys[(handled.outcome.value, "")] += 1
            return
        self.keys.add(key)
        handled = Handled(Outcome.REJECTED, error.code, error.message_id, error.message_en)
        self.inserts.append(
            (
                *key,
                error.event_type,
                source,
                Outcome.REJECTED.value,
                error.code.value,
                position.topic,
                position.partition,
                position.offset,
            )
        )
        self._feedback(source, key[1], error.event_type, None, handled, position)
        self.counts[handled.outcome] += 1
        self.metric_keys[(handled.outcome.value, error.code.value)] += 1

    def _count(self, event: CloudEvent, handled: Handled, reports: bool) -> None:
        self.counts[handled.outcome] += 1
        self.metric_keys[
            (handled.outcome.value, handled.reason.value if handled.reason else "")
        ] += 1
        if handled.outcome is Outcome.REJECTED:
            log.info(
                "event rejected",
                event_id=event.id,
                publisher=event.publisher,
                event_type=event.type,
                outcome=handled.outcome.value,
                reason=handled.reason.value if handled.reason else None,
            )
        if reports and event.publisher is not None:
            self._feedback(
                event.publisher,
                event.id,
                event.type,
                event.subject or cohort_code_in(event),
                handled,
                event.position,
            )

    def _feedback(
        self,
        publisher: str,
        event_id: str,
        event_type: str | None,
        cohort_code: str | None,
        handled: Handled,
        record: RecordPosition | None,
    ) -> None:
        # An EventOutcome's fields as a plain dict: built once per ingest event on the hot
        # path (tests/shared/test_feedback_shape.py holds it to the model).
        self.outcomes.setdefault(publisher, []).append(
            (
                f"{record[0]}/{record[1]}/{record[2]}" if record else "",
                {
                    "event_id": event_id,
                    "event_type": event_type,
                    "outcome": handled.outcome.value,
                    "reason": handled.reason.value if handled.reason else None,
                    "message_id": handled.message_id,
                    "message_en": handled.message_en,
                    "cohort_code": cohort_code,
                },
            )
        )

    def feedback_rows(self) -> list[OutboxRow]:
        """The batch's outcomes as v2 feedback: per publisher, in chunks, in event order."""
        return [
            row
            for publisher, outcomes in self.outcomes.items()
            for start in range(0, len(outcomes), MAX_OUTCOMES_PER_MESSAGE)
            for row in fitting_rows(
                outcomes[start : start + MAX_OUTCOMES_PER_MESSAGE],
                partial(self._feedback_row, publisher),
            )
        ]

    def _feedback_row(
        self, publisher: str, outcomes: Sequence[tuple[str, dict[str, Any]]]
    ) -> OutboxRow:
        feedback = CloudEvent(
            id=outcomes_id(self.service, outcomes),
            source=f"/services/{self.service}",
            type=OUTCOMES_TYPE,
            time=self.now,
            data={
                "service": self.service,
                "decided_at": self.now_text,
                "outcomes": [outcome for _, outcome in outcomes],
            },
        )
        # Keyed by service: one service's outcomes for a publisher stay in order (parked, then
        # applied) on one partition.
        return OutboxRow(
            feedback_topic(publisher), self.service, feedback.id, to_structured(feedback)
        )


def same_record(event: CloudEvent, first: Position | None) -> bool:
    """Whether the inbox's first record of this event's key is this very record (a replay)."""
    position = event.position
    return (
        first is not None
        and position is not None
        and first == (position.topic, position.partition, position.offset)
    )


def outcomes_id(service: str, outcomes: Sequence[tuple[str, dict[str, Any]]]) -> str:
    """Derived from what was decided about which records: a batch replayed after a crash
    answers the same records alike under the same id (readers dedupe it), while two records
    that re-used one event id are two answers, never merged (consolidation counts each)."""
    digest = hashlib.blake2b(digest_size=16)
    for record, o in outcomes:
        digest.update(f"{record}\x1d{o['event_id']}\x1f{o['outcome']}\x1e".encode())
    return f"{service}:outcomes:{digest.hexdigest()}"


def waited_too_long(code: ReasonCode) -> Handled:
    """The rejection of a parked publisher's event whose wait is over."""
    message_id, message_en = DEFAULT_MESSAGES[code]
    return Handled.rejected(
        code, f"{message_id} (menunggu terlalu lama)", f"{message_en} (waited too long)"
    )
