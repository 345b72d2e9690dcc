"""Enrolment's repository port: what its handlers load and save, as one narrow interface.

As the consumer core's ports (`shared/consumer/ports.py`), it works in the caller's one
transaction. `adapters/postgres.py` is the adapter the service runs on, `adapters/memory.py`
the in-memory one for handler unit tests; tests/enrolment/repository_contract.py holds both
to the same assertions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple, Protocol, cast

from services.enrolment.domain import CohortView, EnrolmentStatus
from shared.consumer import UnitOfWork
from shared.events.domain import CohortInfo


@dataclass(frozen=True)
class StoredCohort:
    """A cohort as the decisions see it, plus the counters and version the handlers need."""

    view: CohortView
    policy_version: int
    enrolled: int
    withdrawn: int


class EnrolledPerson(Protocol):
    """Who is enrolled, as stored: the announced `Participant` or the registration's own
    validated data (the hot path stores that as it is, without building another model)."""

    @property
    def nip(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def asn_type(self) -> Literal["PNS", "PPPK"]: ...
    @property
    def gender(self) -> Literal["L", "P"]: ...
    @property
    def position(self) -> str: ...
    @property
    def rank(self) -> str | None: ...
    @property
    def agency(self) -> str: ...
    @property
    def region(self) -> str: ...


class NewEnrolment(NamedTuple):
    """(A tuple: one is built per registration taken, at a fraction of a frozen dataclass's
    cost.)"""

    cohort_code: str
    participant: EnrolledPerson
    was_withdrawn: bool


Statuses = dict[tuple[str, str], EnrolmentStatus]


class EnrolmentRepository(Protocol):
    """Cohorts as their publishers scheduled them, with seat counters, and enrolments."""

    async def load_cohort(self, cohort_code: str) -> StoredCohort | None: ...

    async def load_cohorts(self, cohort_codes: Collection[str]) -> dict[str, StoredCohort]:
        """The known ones of these cohorts, by code."""
        ...

    async def insert_cohort(self, info: CohortInfo, now: dt.datetime) -> None:
        """A new cohort, scheduled, with no one enrolled."""
        ...

    async def insert_cohorts(self, infos: Sequence[CohortInfo], now: dt.datetime) -> None:
        """`insert_cohort` for many."""
        ...

    async def amend_cohort(self, info: CohortInfo, now: dt.datetime) -> None:
        """Replace a cohort's schedule and policy version; its state and counters stay."""
        ...

    async def cancel_cohort(self, cohort_code: str, reason: str, now: dt.datetime) -> None: ...

    async def close_cohorts(self, closes: Sequence[tuple[str, dt.datetime]]) -> None:
        """Close each (cohort code, closed at)."""
        ...

    async def enrolment_status(self, cohort_code: str, nip: str) -> EnrolmentStatus | None:
        """The participant's status in the cohort; None if never registered there."""
        ...

    async def enrolment_statuses(
        self, keys: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], EnrolmentStatus]:
        """`enrolment_status` of each (cohort, NIP) that has one."""
        ...

    async def registration_facts(
        self, keys: Collection[tuple[str, str]]
    ) -> tuple[dict[str, StoredCohort], Statuses]:
        """For a run of registrations (cohort, NIP): the known cohorts among them, and the
        status of each (cohort, NIP) that has one, read together."""
        ...

    async def enrol_many(self, enrolments: Sequence[NewEnrolment], now: dt.datetime) -> None:
        """Enrol (or re-enrol a withdrawn participant): each takes a seat of its cohort."""
        ...

    async def withdraw(self, cohort_code: str, nip: str, reason: str, now: dt.datetime) -> None:
        """The participant is withdrawn and frees a seat: the quota counts active ones only."""
        ...

    async def home_regions(self, nips: Collection[str]) -> dict[str, str]:
        """The home region each of these ASN has in the roster, for those it names."""
        ...

    async def record_home_regions(
        self, regions: Sequence[tuple[str, str]], now: dt.datetime
    ) -> None:
        """Each (NIP, region) as the ASN's home region from now on."""
        ...


def repository(uow: UnitOfWork) -> EnrolmentRepository:
    """The transaction's enrolment repository, as the composition root wired it."""
    return cast(EnrolmentRepository, uow.repository)
