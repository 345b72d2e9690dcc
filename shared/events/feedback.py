"""What a publisher reads on `diklat.feedback.<publisher>`.

Outcomes travel batched (v2): one message per consumed batch and publisher carries the outcome
of each of its events in that batch, in order. One message per event (v1) cost the services a
quarter of their ingest CPU (encoding, outbox rows, produce requests); v1 stays readable for
history written before the change. A closed cohort's results travel the same way (issue 23):
one `CohortResults` per cohort (in parts) instead of a notice per participant; notices stay
for what happens to one certificate later (revoked, re-issued) and for history.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from shared.events.per_cohort import MAX_PER_PART
from shared.logging import mask_nip
from shared.reasons import Outcome, ReasonCode

FEEDBACK_TYPE = "diklat.feedback.outcome.v1"  # read only: history before v2
OUTCOMES_TYPE = "diklat.feedback.outcomes.v2"
NOTICE_TYPE = "diklat.feedback.notice.v1"
REMINDER_TYPE = "diklat.feedback.compliance_reminder.v1"
COHORT_RESULTS_TYPE = "diklat.feedback.cohort_results.v1"
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
    nip: str | None = None  # in full when read from a cohort's results (`CohortResults`)


class ResultIssued(BaseModel):
    model_config = ConfigDict(frozen=True)

    nip: str
    certificate_number: str


class ResultNotCompleted(BaseModel):
    model_config = ConfigDict(frozen=True)

    nip: str
    message_id: str
    message_en: str


class CohortResults(BaseModel):
    """A closed cohort's results, told to its publisher at once (parts 1..parts, at most
    MAX_PER_PART participants each): each certificate issued and each participant who did not
    complete, with the reason. NIPs are in full: the publisher sent them and alone reads its
    topic, and a masked NIP does not tell participants of one cohort apart."""

    model_config = ConfigDict(frozen=True)

    cohort_code: str
    part: int = Field(ge=1)
    parts: int = Field(ge=1)
    issued: list[ResultIssued] = Field(max_length=MAX_PER_PART)
    not_completed: list[ResultNotCompleted] = Field(max_length=MAX_PER_PART)
    at: dt.datetime

    def each(self) -> list[Notice]:
        """As one notice per participant (what came before), for readers of both."""
        return [self._issued(r) for r in self.issued] + [
            self._not_completed(r) for r in self.not_completed
        ]

    def _issued(self, r: ResultIssued) -> Notice:
        number = r.certificate_number
        return Notice(
            kind="certificate_issued",
            cohort_code=self.cohort_code,
            nip_masked=mask_nip(r.nip),
            nip=r.nip,
            message_id=f"STTP {number} diterbitkan.",
            message_en=f"Certificate {number} issued.",
            certificate_number=number,
            at=self.at,
        )

    def _not_completed(self, r: ResultNotCompleted) -> Notice:
        return Notice(
            kind="completion_failed",
            cohort_code=self.cohort_code,
            nip_masked=mask_nip(r.nip),
            nip=r.nip,
            message_id=r.message_id,
            message_en=r.message_en,
            at=self.at,
        )


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
    COHORT_RESULTS_TYPE: CohortResults,
    REMINDER_TYPE: ComplianceReminder,
}
