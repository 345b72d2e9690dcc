"""Certification's repository in memory, for unit tests: it passes the same contract suite as
the Postgres one (tests/certification/repository_contract.py). One `MemoryRepository` is one
database; transactions are the caller's (the core's `MemoryStore`), so it keeps no undo."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.certification import domain
from services.certification.adapters.due import Found, due_in_wanted_order
from services.certification.certificates import Issuer
from services.certification.credentials import StatusPosition
from services.certification.ports import (
    Candidate,
    Certificate,
    Close,
    Cohort,
    Decision,
    Wanted,
)
from shared import judgement
from shared.consumer import Handled, applied_unless_invalid
from shared.envelope import CloudEvent, RecordPosition
from shared.events.domain import (
    CloseRefused,
    CohortClosed,
    CohortInfo,
    IngestRef,
    ParticipantFinalised,
)
from shared.events.ingest import CohortClosed as IngestClose
from shared.topics import publisher_source

Key = tuple[str, str]  # (cohort, NIP)
BarrierKey = tuple[str, str, str]  # (cohort, source, event id)


@dataclass
class Barrier:
    """Where a close sits on the ingest log, whether we passed it, and enrolment's verdict."""

    topic: str
    partition: int
    offset: int
    passed: bool
    verdict: str | None


@dataclass
class Enrolment:
    participant: dict[str, Any]
    withdrawn: bool = False


@dataclass
class Score:
    score: Decimal
    event_id: str
    event_time: dt.datetime


@dataclass
class MemoryTables:
    """What certification's tables hold, by their keys."""

    cohorts: dict[str, Cohort] = field(default_factory=dict)
    enrolments: dict[Key, Enrolment] = field(default_factory=dict)
    barriers: dict[BarrierKey, Barrier] = field(default_factory=dict)
    scores: dict[Key, Score] = field(default_factory=dict)
    attendance: dict[Key, ParticipantFinalised] = field(default_factory=dict)
    decisions: dict[Key, Decision] = field(default_factory=dict)
    counters: dict[tuple[str, int], int] = field(default_factory=dict)
    certificates: dict[uuid.UUID, Certificate] = field(default_factory=dict)
    profiles: dict[str, Issuer] = field(default_factory=dict)
    status_heads: dict[str, int] = field(default_factory=dict)
    status_positions: dict[uuid.UUID, tuple[str, StatusPosition]] = field(default_factory=dict)


class MemoryCohorts:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    async def upsert_cohort(self, info: CohortInfo) -> None:
        held = self.tables.cohorts.get(info.cohort_code)
        if held is not None and held.policy_version > info.policy_version:
            return
        policy = info.completion
        self.tables.cohorts[info.cohort_code] = Cohort(
            cohort_code=info.cohort_code,
            publisher=held.publisher if held else info.publisher,
            info=info.model_dump(mode="json"),
            policy_version=info.policy_version,
            min_attendance_pct=policy.min_attendance_pct,
            evaluation_required=policy.evaluation_required,
            pass_score=policy.pass_score,
            cancelled=held.cancelled if held else False,
            close_event_id=held.close_event_id if held else None,
            finalised=held.finalised if held else False,
            closed_at=held.closed_at if held else None,
            closed_on=held.closed_on if held else None,
        )

    async def cancel_cohort(self, cohort_code: str) -> None:
        self._change(cohort_code, cancelled=True)

    async def close_cohorts(self, closes: Sequence[Close]) -> None:
        for code, cause, closed_at, closed_on in closes:
            held = self.tables.cohorts.get(code)
            if held is not None and held.close_event_id is None:
                self._change(code, close_event_id=cause, closed_at=closed_at, closed_on=closed_on)

    async def mark_finalised(self, cohort_codes: Sequence[str]) -> set[str]:
        known = {code for code in cohort_codes if code in self.tables.cohorts}
        for code in known:
            self._change(code, finalised=True)
        return known

    async def upsert_enrolments(self, rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
        for code, participant in rows:
            self.tables.enrolments[(code, participant["nip"])] = Enrolment(participant)

    async def withdraw(self, cohort_code: str, nip: str) -> None:
        if (enrolment := self.tables.enrolments.get((cohort_code, nip))) is not None:
            enrolment.withdrawn = True

    async def note_closes(self, events: Sequence[CloudEvent]) -> tuple[list[Handled], list[str]]:
        outcomes, valid = applied_unless_invalid(events, IngestClose)
        noted: dict[BarrierKey, RecordPosition] = {}
        for event, data in valid:
            noted.setdefault(
                (data.cohort_code, event.source, event.id),
                event.position or RecordPosition("", 0, 0),
            )
        for key, position in noted.items():
            self._pass(key, position)
        return outcomes, [key[0] for key in noted]

    async def confirm_closes(self, closes: Sequence[CohortClosed]) -> None:
        self._rule(
            [(d.cohort_code, publisher_source(d.publisher), d.cause) for d in closes], "closed"
        )

    async def refuse_closes(self, refusals: Sequence[CloseRefused]) -> None:
        self._rule(
            [(d.cohort_code, publisher_source(d.publisher), d.cause) for d in refusals], "refused"
        )

    def _change(self, cohort_code: str, **changes: Any) -> None:
        if (held := self.tables.cohorts.get(cohort_code)) is not None:
            self.tables.cohorts[cohort_code] = dataclasses.replace(held, **changes)

    def _pass(self, key: BarrierKey, position: RecordPosition) -> None:
        """A row a verdict made first takes the position we saw; one passed keeps the first."""
        held = self.tables.barriers.get(key)
        if held is None or not held.passed:
            verdict = held.verdict if held else None
            self.tables.barriers[key] = Barrier(
                position.topic, position.partition, position.offset, True, verdict
            )

    def _rule(self, verdicts: Sequence[tuple[str, str, IngestRef]], verdict: str) -> None:
        """A confirmation is never undone; a barrier not seen yet is noted, not passed."""
        for code, source, cause in verdicts:
            held = self.tables.barriers.get((code, source, cause.event_id))
            if held is None:
                self.tables.barriers[(code, source, cause.event_id)] = Barrier(
                    cause.topic, cause.partition, cause.offset, False, verdict
                )
            elif held.verdict != "closed":
                held.verdict = verdict


class MemoryEvaluations:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    async def evaluation_facts(
        self, cohort_code: str, nip: str
    ) -> tuple[domain.EvaluationFacts | None, dt.datetime | None]:
        cohort = self.tables.cohorts.get(cohort_code)
        if cohort is None:
            return None, None
        held = self.tables.scores.get((cohort_code, nip))
        facts = domain.EvaluationFacts(
            cohort.publisher,
            cohort.cancelled,
            cohort.close_event_id is not None,
            (cohort_code, nip) in self.tables.enrolments,
            self._standing_barriers(cohort),
        )
        return facts, held.event_time if held else None

    def _standing_barriers(self, cohort: Cohort) -> tuple[judgement.CloseBarrier, ...]:
        """The owner's closes we passed that enrolment has not refused."""
        owner = publisher_source(cohort.publisher)
        return tuple(
            judgement.CloseBarrier(b.topic, b.partition, b.offset, b.verdict is not None)
            for (code, source, _), b in self.tables.barriers.items()
            if code == cohort.cohort_code and source == owner and b.passed
            if b.verdict != "refused"
        )

    async def save_evaluation(
        self, cohort_code: str, nip: str, score: Decimal, event_id: str, event_time: dt.datetime
    ) -> None:
        self.tables.scores[(cohort_code, nip)] = Score(score, event_id, event_time)

    async def save_attendances(self, results: Sequence[ParticipantFinalised]) -> None:
        for result in results:
            self.tables.attendance.setdefault((result.cohort_code, result.nip), result)


class MemoryDecisions:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    async def deciding_cohorts(self, codes: Sequence[str]) -> dict[str, Cohort]:
        cohorts = (self.tables.cohorts.get(code) for code in codes)
        return {c.cohort_code: c for c in cohorts if c is not None and self._may_decide(c)}

    def _may_decide(self, cohort: Cohort) -> bool:
        if cohort.cancelled or cohort.close_event_id is None:
            return False
        key = (cohort.cohort_code, publisher_source(cohort.publisher), cohort.close_event_id)
        barrier = self.tables.barriers.get(key)
        return barrier is not None and barrier.passed and barrier.verdict == "closed"

    async def undecided(self, wanted: Sequence[Wanted]) -> list[tuple[str, Candidate]]:
        codes = {code for code, _, _ in wanted}
        keys = sorted(k for k in self.tables.enrolments if k[0] in codes)
        found = [self._found(key) for key in keys if key not in self.tables.decisions]
        return due_in_wanted_order(found, wanted)

    def _found(self, key: Key) -> Found:
        enrolment = self.tables.enrolments[key]
        result = self.tables.attendance.get(key)
        held = self.tables.scores.get(key)
        candidate = Candidate(
            nip=key[1],
            participant=enrolment.participant,
            withdrawn=enrolment.withdrawn,
            jp_present=result.jp_present if result else None,
            jp_total=result.jp_total if result else None,
            rate_pct=result.rate_pct if result else None,
            score=held.score if held else None,
        )
        return key[0], candidate, result is not None

    async def insert_decisions(self, decisions: Sequence[Decision]) -> set[tuple[str, str]]:
        inserted: set[Key] = set()
        for decision in decisions:
            key = (decision.cohort_code, decision.nip)
            if key not in self.tables.decisions:
                self.tables.decisions[key] = decision
                inserted.add(key)
        return inserted


class MemoryCertificates:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    async def next_sequences(self, publisher: str, year: int, count: int) -> range:
        last = self.tables.counters.get((publisher, year), 0) + count
        self.tables.counters[(publisher, year)] = last
        return range(last - count + 1, last + 1)

    async def insert_certificates(self, certificates: Sequence[Certificate]) -> set[uuid.UUID]:
        inserted: set[uuid.UUID] = set()
        for certificate in certificates:
            if not self._holds_a_valid_one(certificate.cohort_code, certificate.nip):
                self.tables.certificates[certificate.id] = certificate
                inserted.add(certificate.id)
        return inserted

    def _holds_a_valid_one(self, cohort_code: str, nip: str) -> bool:
        return any(
            c.cohort_code == cohort_code and c.nip == nip and c.status == "valid"
            for c in self.tables.certificates.values()
        )

    async def insert_certificate(self, certificate: Certificate) -> bool:
        return certificate.id in await self.insert_certificates([certificate])

    async def get_certificate(
        self, certificate_id: uuid.UUID, for_update: bool = False
    ) -> Certificate | None:
        return self.tables.certificates.get(certificate_id)

    async def set_status(
        self,
        certificate_id: uuid.UUID,
        status: str,
        reason: str,
        at: dt.datetime,
        superseded_by: uuid.UUID | None = None,
    ) -> bool:
        held = self.tables.certificates.get(certificate_id)
        if held is None or held.status != "valid":
            return False
        self.tables.certificates[certificate_id] = dataclasses.replace(
            held,
            status=status,
            status_reason=reason,
            status_changed_at=at,
            superseded_by=superseded_by,
        )
        return True


class MemoryProfiles:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    async def publisher_profiles(self, publishers: Sequence[str]) -> dict[str, Issuer]:
        return {p: self.tables.profiles[p] for p in publishers if p in self.tables.profiles}

    async def save_profile(self, publisher: str, profile: Issuer, at: dt.datetime) -> None:
        self.tables.profiles[publisher] = profile


class MemoryStatusLists:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    async def status_positions(
        self, certificate_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, StatusPosition]:
        held = self.tables.status_positions
        return {i: held[i][1] for i in certificate_ids if i in held}

    async def open_status_list(self, publisher: str) -> tuple[int, set[int]]:
        list_no = self.tables.status_heads.setdefault(publisher, 1)
        return list_no, self._indexes(publisher, list_no, lambda _: True)

    async def insert_status_positions(
        self, publisher: str, positions: Sequence[tuple[uuid.UUID, StatusPosition]]
    ) -> None:
        for certificate_id, position in positions:
            self.tables.status_positions[certificate_id] = (publisher, position)
            head = self.tables.status_heads.get(publisher, 1)
            self.tables.status_heads[publisher] = max(head, position.list_no)

    async def status_list(self, publisher: str, list_no: int) -> set[int] | None:
        newest = self.tables.status_heads.get(publisher)
        if newest is None or not 1 <= list_no <= newest:
            return None
        certificates = self.tables.certificates
        return self._indexes(publisher, list_no, lambda i: certificates[i].status != "valid")

    def _indexes(
        self, publisher: str, list_no: int, chosen: Callable[[uuid.UUID], bool]
    ) -> set[int]:
        return {
            position.index
            for certificate_id, (owner, position) in self.tables.status_positions.items()
            if owner == publisher and position.list_no == list_no and chosen(certificate_id)
        }


class MemoryRepository(
    MemoryCohorts,
    MemoryEvaluations,
    MemoryDecisions,
    MemoryCertificates,
    MemoryProfiles,
    MemoryStatusLists,
):
    """The whole repository on one set of tables (each part keeps `tables`)."""

    def __init__(self, tables: MemoryTables | None = None) -> None:
        self.tables = tables or MemoryTables()
