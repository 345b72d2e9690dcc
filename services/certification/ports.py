"""Certification's ports: the repository its handlers and admin commands record and read
through, as narrow interfaces, and the values they exchange; the publishers' seals and
credential keys; and the seal check the public verification page asks (`SealCheck`).

As the consumer core's ports (shared/consumer/ports.py), each works inside the caller's one
transaction. `adapters/postgres/` implements them on the unit of work's connection, and
`adapters/memory.py` in memory for unit tests; tests/certification/repository_contract.py holds
both to the same assertions. Handlers reach the repository through `repository.of(uow)`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from services.certification import domain
from services.certification.certificates import Issuer
from services.certification.credentials import StatusPosition
from shared.consumer import Handled
from shared.envelope import CloudEvent
from shared.events.domain import CloseRefused, CohortClosed, CohortInfo, ParticipantFinalised


@dataclass(frozen=True)
class Cohort:
    cohort_code: str
    publisher: str
    info: dict[str, Any]
    policy_version: int
    min_attendance_pct: Decimal
    evaluation_required: bool
    pass_score: Decimal
    cancelled: bool
    close_event_id: str | None
    finalised: bool
    closed_at: dt.datetime | None = None
    closed_on: dt.date | None = None  # the close date the organiser gave, if any


@dataclass(frozen=True)
class Candidate:
    """A participant whose decision is due: roster entry, attendance (if any), latest score."""

    nip: str
    participant: dict[str, Any]
    withdrawn: bool
    jp_present: Decimal | None
    jp_total: Decimal | None
    rate_pct: Decimal | None
    score: Decimal | None


@dataclass(frozen=True)
class Decision:
    cohort_code: str
    nip: str
    completed: bool
    policy_version: int
    rate_pct: Decimal
    score: Decimal | None
    predicate: str | None
    explanation_id: str
    explanation_en: str
    decided_at: dt.datetime


@dataclass(frozen=True)
class Certificate:
    id: uuid.UUID
    cohort_code: str
    nip: str
    publisher: str
    number: str
    version: int
    verification_code: str
    status: str
    content: dict[str, Any]
    issued_at: dt.datetime
    previous_id: uuid.UUID | None = None
    superseded_by: uuid.UUID | None = None
    status_reason: str | None = None
    status_changed_at: dt.datetime | None = None


# (cohort, cause event id, closed at, closed on) of an enrolment close.
Close = tuple[str, str, dt.datetime, dt.date | None]
# (cohort, NIP or None for all of the cohort, whether withdrawn participants are due).
Wanted = tuple[str, str | None, bool]


class Cohorts(Protocol):
    """The cohorts and rosters learned from enrolment, and the close barriers."""

    async def upsert_cohort(self, info: CohortInfo) -> None:
        """Learn a cohort, or its newer schedule (an older policy version changes nothing)."""
        ...

    async def cancel_cohort(self, cohort_code: str) -> None: ...

    async def close_cohorts(self, closes: Sequence[Close]) -> None:
        """Record the close of cohorts not closed yet; a cohort's first close listed wins."""
        ...

    async def mark_finalised(self, cohort_codes: Sequence[str]) -> set[str]:
        """Flag these cohorts finalised by attendance; returns those known here."""
        ...

    async def upsert_enrolments(self, rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """(Re-)enrol (cohort, participant) pairs in order: the last of a key wins, and one
        enrolled again after a withdrawal is no longer withdrawn."""
        ...

    async def withdraw(self, cohort_code: str, nip: str) -> None: ...

    async def note_closes(self, events: Sequence[CloudEvent]) -> tuple[list[Handled], list[str]]:
        """Note where each ingest close sits (shared/barrier.py: note_closes); each event's
        outcome and the cohorts of the barriers noted."""
        ...

    async def confirm_closes(self, closes: Sequence[CohortClosed]) -> None:
        """Enrolment applied these closes: their barriers count."""
        ...

    async def refuse_closes(self, refusals: Sequence[CloseRefused]) -> None:
        """Enrolment did not apply these closes: their barriers do not count."""
        ...


class Evaluations(Protocol):
    """Scores and attendance results, what completion is decided on."""

    async def evaluation_facts(
        self, cohort_code: str, nip: str
    ) -> tuple[domain.EvaluationFacts | None, dt.datetime | None]:
        """What a score is judged against (None for an unknown cohort) and the `time` of the
        score held."""
        ...

    async def save_evaluation(
        self, cohort_code: str, nip: str, score: Decimal, event_id: str, event_time: dt.datetime
    ) -> None:
        """Hold this score for the participant (the domain chose it over the one held)."""
        ...

    async def save_attendances(self, results: Sequence[ParticipantFinalised]) -> None:
        """Keep each participant's attendance result; the first one of a participant wins."""
        ...


class Decisions(Protocol):
    """Who is due a decision, and the decisions taken (once each)."""

    async def deciding_cohorts(self, codes: Sequence[str]) -> dict[str, Cohort]:
        """Those of `codes` whose participants may be decided: closed, not cancelled, and the
        owner's close confirmed by enrolment and passed on our own ingest log."""
        ...

    async def undecided(self, wanted: Sequence[Wanted]) -> list[tuple[str, Candidate]]:
        """Enrolled participants without a decision that have their attendance (or are
        withdrawn, where wanted), in the order wanted, then NIP order."""
        ...

    async def insert_decisions(self, decisions: Sequence[Decision]) -> set[tuple[str, str]]:
        """Insert the decisions not taken yet; returns the (cohort, NIP) pairs inserted."""
        ...


class Certificates(Protocol):
    """Certificates, their numbers and their status."""

    async def next_sequences(self, publisher: str, year: int, count: int) -> range:
        """The next `count` numbers of an organiser and year."""
        ...

    async def insert_certificates(self, certificates: Sequence[Certificate]) -> set[uuid.UUID]:
        """Insert certificates, skipping any whose participant holds a valid one; returns the
        ids inserted."""
        ...

    async def insert_certificate(self, certificate: Certificate) -> bool:
        """`insert_certificates` for one; True if inserted."""
        ...

    async def get_certificate(
        self, certificate_id: uuid.UUID, for_update: bool = False
    ) -> Certificate | None: ...

    async def set_status(
        self,
        certificate_id: uuid.UUID,
        status: str,
        reason: str,
        at: dt.datetime,
        superseded_by: uuid.UUID | None = None,
    ) -> bool:
        """Move a valid certificate to revoked or superseded; False if it was not valid."""
        ...


class Profiles(Protocol):
    """Each publisher's default signatory and place of issue (set by an admin)."""

    async def publisher_profiles(self, publishers: Sequence[str]) -> dict[str, Issuer]:
        """The profiles of those of `publishers` that have one."""
        ...

    async def save_profile(self, publisher: str, profile: Issuer, at: dt.datetime) -> None:
        """Set a publisher's profile whole (a field left None is cleared)."""
        ...


class StatusLists(Protocol):
    """Each certificate's place in its publisher's revocation status lists (issue 20), drawn
    when its credential is first asked for; the bits are the certificates' status."""

    async def status_positions(
        self, certificate_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, StatusPosition]:
        """The positions these certificates hold (those without one are left out)."""
        ...

    async def open_status_list(self, publisher: str) -> tuple[int, set[int]]:
        """The publisher's newest list number (1 at first) and the indexes taken on it, held
        until commit: one transaction at a time draws a publisher's positions."""
        ...

    async def insert_status_positions(
        self, publisher: str, positions: Sequence[tuple[uuid.UUID, StatusPosition]]
    ) -> None:
        """Record drawn positions; a list number beyond the newest becomes the newest."""
        ...

    async def status_list(self, publisher: str, list_no: int) -> set[int] | None:
        """The indexes set on the list: those of certificates revoked or superseded; None if
        the publisher has no such list."""
        ...


class CertificationRepository(
    Cohorts, Evaluations, Decisions, Certificates, Profiles, StatusLists, Protocol
):
    """All of certification's repository, as one unit of work sees it."""


# --- the publisher's seal and credential key (issue 20) -------------------------------------


@dataclass(frozen=True)
class SealIdentity:
    """Who seals for a publisher: its seal certificate and the chain up to a trust root, DER."""

    publisher: str
    certificate: bytes
    chain: tuple[bytes, ...]


class SealSigner(Protocol):
    """Signs a document digest as a publisher's electronic seal. Only the digest leaves the
    service: the hash-signing flow of a remote signer such as BSrE's e-sign, and of a local key
    alike."""

    def identity(self, publisher: str) -> SealIdentity:
        """The publisher's seal certificate and its chain; KeyError if it has none."""
        ...

    async def sign_digest(self, publisher: str, digest: bytes, digest_algorithm: str) -> bytes:
        """The seal's signature (DER, as CMS carries it) over a precomputed digest."""
        ...


class CredentialKeys(Protocol):
    """The publisher's key for verifiable credentials, as JWKs (RFC 7517)."""

    def private_jwk(self, publisher: str) -> dict[str, Any]: ...

    def public_jwk(self, publisher: str) -> dict[str, Any]: ...


# --- the seal check of the public verification page (issue 20) -----------------------------


@dataclass(frozen=True)
class SealStatus:
    """The electronic seal on a certificate's PDF: who sealed it and whether it verifies."""

    signer: str
    verified: bool
    signed_at: dt.datetime | None = None


class SealCheck(Protocol):
    """Whether a certificate's PDF carries a seal that verifies (the public verification page);
    outside any transaction: an adapter reads what it needs itself."""

    async def check(self, certificate_id: uuid.UUID) -> SealStatus | None:
        """The seal of this certificate's PDF, or None while it has none (not sealed yet, or no
        such certificate)."""
        ...
