"""Per-cohort domain events (issue 23): one event per cohort where the work is per cohort.

A cohort's finalisation and its decisions with certificates each travel as one event per part
of at most MAX_PER_PART participants, parts 1..parts in order on the cohort's key, instead of
one event per participant. They replace, beside them in the contract, attendance's
`participant_finalised.v1` with `cohort_finalised.v1`, and certification's
`completion_decided.v1` with `certificate_issued.v1` at a close; the old types stay readable
for history (shared.events.domain converts the new to the old shape for readers of both).
Enrolment's `participants_enrolled.v1` (in shared.events.domain, beside the `Participant` it
carries) does the same for a registration run's `participant_enrolled.v1` events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar

from pydantic import Field

from shared.events.base import ContractData
from shared.events.ingest import Category

# Participants in one part: a certification part is ~150 KB at most, well under the 512 KB a
# consumer accepts (shared.envelope) and the brokers' 1 MB.
MAX_PER_PART = 250

T = TypeVar("T")


def in_parts(items: Sequence[T]) -> list[Sequence[T]]:
    """A cohort's items as the parts of its per-cohort events: at least one (maybe empty)."""
    return [items[i : i + MAX_PER_PART] for i in range(0, len(items), MAX_PER_PART)] or [items]


class FinalFigures(ContractData):
    """One participant's final attendance inside a cohort's finalisation."""

    nip: str
    jp_present: Decimal
    jp_total: Decimal
    rate_pct: Decimal  # exact percentage, e.g. 88.888888
    sessions_total: int
    sessions_present: int
    missed_by_status: dict[str, int]  # IZIN/SAKIT/ALPA/UNRECORDED -> sessions


class CohortAttendanceFinalised(ContractData):
    """A cohort's attendance, final once it closed (v2 of `cohort_finalised`): every
    participant's figures (withdrawn ones are not sent); the last part finalises the cohort."""

    cohort_code: str
    publisher: str
    part: int = Field(ge=1)
    parts: int = Field(ge=1)
    participants: int  # finalised in the whole cohort, all parts
    results: list[FinalFigures] = Field(max_length=MAX_PER_PART)
    finalised_at: dt.datetime

    @property
    def last(self) -> bool:
        return self.part == self.parts


class DecisionEntry(ContractData):
    """One participant's completion decision inside a cohort's."""

    nip: str
    completed: bool
    rate_pct: Decimal
    score: Decimal | None
    predicate: str | None
    explanation_id: str
    explanation_en: str


class CertificateEntry(ContractData):
    """One first certificate inside a cohort's decisions."""

    certificate_id: str
    number: str
    version: int
    verification_code: str
    nip: str
    name: str
    predicate: str | None


class CertificatesShare(ContractData):
    """What every certificate of one cohort carries alike."""

    programme_name: str
    category: Category
    organizer: str
    year: int
    total_jp: Decimal
    end_date: dt.date
    issued_at: dt.datetime
    issue_date: dt.date | None = None  # the date the STTP carries


class CohortDecided(ContractData):
    """A cohort's completion decisions taken together and the first certificates they issued:
    who completed has a certificate in the same part."""

    cohort_code: str
    publisher: str
    policy_version: int
    part: int = Field(ge=1)
    parts: int = Field(ge=1)
    decisions: list[DecisionEntry] = Field(max_length=MAX_PER_PART)
    certificates: list[CertificateEntry] = Field(default=[], max_length=MAX_PER_PART)
    shared: CertificatesShare | None = None  # none when this part issues no certificate
    decided_at: dt.datetime
