"""What a publisher reads on `diklat.feedback.<publisher>`: one message per ingest outcome."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from shared.reasons import Outcome, ReasonCode

FEEDBACK_TYPE = "diklat.feedback.outcome.v1"
NOTICE_TYPE = "diklat.feedback.notice.v1"


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
