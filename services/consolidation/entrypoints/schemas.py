"""The API's response models: one per view's row, and the page that wraps a list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Generic, TypeVar

import asyncpg
from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    total: int
    limit: int
    offset: int
    items: list[T]


class Statistics(BaseModel):
    scheduled: int
    running: int
    closed: int
    cancelled: int
    enrolled: int
    withdrawn: int
    completed: int
    not_completed: int
    certificates_issued: int
    certificates_revoked: int
    jp_delivered: float
    women: int
    men: int
    completion_rate: float | None


class ProvinceRow(BaseModel):
    code: str
    name: str
    cohorts: int
    participants: int
    completion_rate: float | None
    asn_years: int
    jp_compliant: int
    jp_compliance: float | None


class PublisherRow(BaseModel):
    publisher: str
    cohorts: int
    participants: int
    completion_rate: float | None


class CohortRow(BaseModel):
    cohort_code: str
    publisher: str
    organizer: str
    programme_name: str
    category: str
    year: int
    angkatan: str
    location: str
    start_date: dt.date
    end_date: dt.date
    total_jp: float
    phase: str
    participants: int
    completed: int
    not_completed: int


class ParticipantRow(BaseModel):
    nip: str
    name: str
    gender: str
    agency: str
    region: str
    withdrawn: bool
    completed: bool | None
    predicate: str | None
    rate_pct: float | None
    certificate_number: str | None
    score: float | None = None
    # Certification's words for its decision (older decisions: none kept).
    explanation_id: str | None = None
    explanation_en: str | None = None
    certificate_code: str | None = None  # its verification page is /verify/<code>


class Training(BaseModel):
    cohort_code: str
    publisher: str
    organizer: str
    programme_name: str
    category: str
    year: int
    start_date: dt.date
    end_date: dt.date
    total_jp: float
    withdrawn: bool
    completed: bool | None
    certificate_number: str | None


class JpYear(BaseModel):
    year: int
    jp: float
    meets_minimum: bool


class AsnView(BaseModel):
    nip: str
    name: str
    region: str
    agency: str
    trainings: list[Training]
    jp_per_year: list[JpYear]


class BelowMinimumRow(BaseModel):
    nip: str
    name: str
    region: str
    agency: str
    jp: float


class CertificateRow(BaseModel):
    number: str
    version: int
    status: str
    nip: str
    name: str
    cohort_code: str
    publisher: str
    programme_name: str
    organizer: str
    total_jp: float
    end_date: dt.date
    predicate: str | None
    issue_date: dt.date | None = None  # the date the STTP carries (older ones: unknown)
    verification_code: str | None = None  # its public page is /verify/<code>


class QualityRow(BaseModel):
    publisher: str
    applied: int
    duplicate: int
    parked: int
    rejected: int
    rejected_by_reason: dict[str, int]


class QualityPeriodRow(BaseModel):
    """One publisher's outcomes in one week or month (`period`: its first day, UTC)."""

    publisher: str
    period: dt.date
    applied: int
    duplicate: int
    parked: int
    rejected: int
    rejected_by_reason: dict[str, int]


def plain(row: asyncpg.Record | dict[str, Any]) -> dict[str, Any]:
    """The row with its numerics as the floats the models declare."""
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in dict(row).items()}


class ComplianceCounts(BaseModel):
    """One group of the 20 JP drill-down (or the totals): roster size is every ASN of the
    roster placed here; the rate is met over assessed (met, below, zero)."""

    key: str
    name: str
    roster: int
    met: int
    below: int
    zero: int
    exempt: int
    not_in_roster: int
    compliance_pct: float | None
    median_jp: float | None
    mean_jp: float | None


class ComplianceSummary(BaseModel):
    year: int
    level: str  # what `rows` are: province | region | agency | unit
    province: str | None
    region: str | None
    agency: str | None
    totals: ComplianceCounts
    rows: list[ComplianceCounts]


class AtRiskRow(BaseModel):
    nip: str
    name: str
    region: str
    agency: str
    unit: str | None
    jp: float
    minimum: float | None
    shortfall: float
    standing: str
    reason: str


class ProvenanceRow(BaseModel):
    cohort_code: str
    jp: float
    counted: str
    certificate_number: str | None
    why_id: str
    why_en: str


class RosterChangeRow(BaseModel):
    recorded_at: dt.datetime
    change: str  # new | same | transfer
    region: str
    agency: str
    status: str
    status_since: dt.date
    publisher: str


class DeterminationView(BaseModel):
    nip: str
    name: str
    year: int
    region: str
    agency: str
    unit: str | None
    jp: float
    minimum: float | None
    standing: str
    reason: str
    shortfall: float
    provenance: list[ProvenanceRow]
    roster_history: list[RosterChangeRow]


class TrendRow(ComplianceCounts):
    year: int


class ReminderRow(BaseModel):
    publisher: str
    period: str
    year: int
    roster: int
    below: int
    zero: int
    sent_at: dt.datetime
