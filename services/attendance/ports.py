"""Attendance's repository port: what its handlers load and save, as one narrow interface.

As the consumer core's ports (`shared/consumer/ports.py`), it works in the caller's one
transaction. `adapters/postgres.py` is the adapter the service runs on, `adapters/memory.py`
the in-memory one for handler unit tests; tests/attendance/repository_contract.py holds both
to the same assertions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, cast

from services.attendance import domain
from shared.barrier import BarrierRow
from shared.consumer import UnitOfWork
from shared.events.domain import CohortInfo

# A cohort closed by enrolment: code, the id of the owner's close it accepted, closed at.
Close = tuple[str, str, dt.datetime]
# An enrolment as announced: cohort, NIP, name, enrolled at.
Enrolment = tuple[str, str, str, dt.datetime]


@dataclass(frozen=True)
class CohortRow:
    cohort_code: str
    publisher: str
    programme_name: str
    organizer: str
    angkatan: str
    year: int
    location: str
    timezone: str
    total_jp: Decimal
    status: str
    close_event_id: str | None
    finalised_at: dt.datetime | None


@dataclass(frozen=True)
class RosterRow:
    nip: str
    name: str
    withdrawn: bool


class AttendanceRepository(Protocol):
    """Cohorts and rosters as enrolment announced them, close barriers, marks, finalisations."""

    async def save_cohort(self, info: CohortInfo) -> None:
        """Insert or replace a cohort and its schedule (scheduled or amended); its status and
        close stay as they are."""
        ...

    async def cancel_cohort(self, code: str) -> None:
        """A scheduled cohort is cancelled (a finalised one stays finalised)."""
        ...

    async def mark_closed_many(self, closes: Sequence[Close]) -> None:
        """Note enrolment's closes; the first close of a cohort wins, later ones change nothing."""
        ...

    async def finalise_ready(self, codes: Sequence[str], at: dt.datetime) -> list[CohortRow]:
        """Mark finalised those of `codes` that are scheduled, closed, and whose accepted close
        this service has passed on its ingest log; only a first finalisation returns one."""
        ...

    async def enrol_many(self, rows: Sequence[Enrolment]) -> None:
        """Enrol (or re-enrol, no longer withdrawn) each participant; the last of a key wins."""
        ...

    async def withdraw(self, code: str, nip: str, at: dt.datetime) -> None:
        """The participant is withdrawn (even one whose enrolment has not arrived yet)."""
        ...

    async def mark_facts(
        self, marks: Sequence[domain.Mark]
    ) -> tuple[dict[str, domain.CohortFacts], domain.Held]:
        """What a run of marks is judged against, by cohort (unknown cohorts absent), and the
        marks held for their cohorts, NIPs and sessions."""
        ...

    async def save_marks(self, marks: Sequence[domain.Mark]) -> None:
        """Store each mark, replacing the one held for its (cohort, NIP, session)."""
        ...

    async def schedules_of(self, codes: Sequence[str]) -> dict[str, list[domain.Session]]:
        """Each cohort's sessions in number order, as finalisation needs them."""
        ...

    async def rosters_of(self, codes: Sequence[str]) -> dict[str, list[RosterRow]]:
        """Each cohort's roster (withdrawn ones too), by name then NIP."""
        ...

    async def marks_of(self, codes: Sequence[str]) -> dict[str, dict[str, dict[int, str]]]:
        """The held marks: cohort -> NIP -> session number -> status."""
        ...

    async def save_finalisations_many(
        self, results: dict[str, dict[str, domain.Figures]], at: dt.datetime
    ) -> set[tuple[str, str]]:
        """Store each (cohort, NIP)'s figures once; the (cohort, NIP) stored now."""
        ...

    async def note_barriers(self, rows: Sequence[BarrierRow]) -> None:
        """Closes this service passed on its ingest log (`shared.barrier.noted_barriers`)."""
        ...

    async def rule_barriers(self, rows: Sequence[BarrierRow]) -> None:
        """Enrolment's verdicts on closes (`confirmed_barriers`, `refused_barriers`); a
        confirmation is never undone."""
        ...


def repository(uow: UnitOfWork) -> AttendanceRepository:
    """The transaction's attendance repository, as the composition root wired it."""
    return cast(AttendanceRepository, uow.repository)
