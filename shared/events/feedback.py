"""What a publisher reads on `diklat.feedback.<publisher>`.

Outcomes travel batched (v2): one message per consumed batch and publisher carries the outcome
of each of its events in that batch, in order. One message per event (v1) cost the services a
quarter of their ingest CPU (encoding, outbox rows, produce requests); v1 stays readable for
history written before the change. Notices (certificates, completion failures) stay one each.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from shared.reasons import Outcome, ReasonCode

FEEDBACK_TYPE = "diklat.feedback.outcome.v1"  # read only: history before v2
OUTCOMES_TYPE = "diklat.feedback.outcomes.v2"
NOTICE_TYPE = "diklat.feedback.notice.v1"
REMINDER_TYPE = "diklat.feedback.compliance_reminder.v1"
MAX_OUTCOMES_PER_MESSAGE = 500  # ~150 KB: well inside the brokers' 1 MB message limit


class IngestOutcome(BaseModel):
    """The outcome of one ingest event in one service; `reason` only when rejected."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    event_type: str | None
    service: str
    outcome: Outcome
    reason: ReasonCode | None = None
    message_id: str | None = None
    message_en: str | None = None
    cohort_code: str | None = None
    decided_at: dt.datetime


class EventOutcome(BaseModel):
    """One event's outcome inside an `IngestOutcomes` message."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    event_type: str | None
    outcome: Outcome
    reason: ReasonCode | None = None
    message_id: str | None = None
    message_en: str | None = None
    cohort_code: str | None = None


class IngestOutcomes(BaseModel):
    """The outcomes one service decided in one batch for one publisher's events, in order."""

    model_config = ConfigDict(frozen=True)

    service: str
    decided_at: dt.datetime
    outcomes: list[EventOutcome]

    def each(self) -> list[IngestOutcome]:
        """Flattened to the per-event shape (what v1 carried), for readers of both."""
        return [
            IngestOutcome(service=self.service, decided_at=self.decided_at, **o.model_dump())
            for o in self.outcomes
        ]


class Notice(BaseModel):
    """A certificate issued or a completion failed, told to the cohort's publisher."""

    model_config = ConfigDict(frozen=True)

    kind: str  # certificate_issued | completion_failed | certificate_revoked
    cohort_code: str
    nip_masked: str
    message_id: str
    message_en: str
    certificate_number: str | None = None
    at: dt.datetime


class ComplianceReminder(BaseModel):
    """A region's ASN below the 20 JP minimum, told to its publisher once a reminder period
    (consolidation, from 1 October by default): counts only, the list is behind `list_path`."""

    model_config = ConfigDict(frozen=True)

    year: int
    period: str  # e.g. 2026-P03
    region: str
    roster: int
    below: int
    zero: int
    deadline: dt.date
    list_path: str
    message_id: str
    message_en: str
    at: dt.datetime


FEEDBACK_TYPES: dict[str, type[BaseModel]] = {
    OUTCOMES_TYPE: IngestOutcomes,
    FEEDBACK_TYPE: IngestOutcome,
    NOTICE_TYPE: Notice,
    REMINDER_TYPE: ComplianceReminder,
}
