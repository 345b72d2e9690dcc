"""The enrolment repository in memory, for handler unit tests: it passes the same contract
suite as the Postgres adapter (tests/enrolment/repository_contract.py). An `EnrolmentMemory`
is one database; `repository` gives the port on it (the connection the unit of work passes
is ignored)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from services.enrolment.domain import CohortStatus, CohortView, EnrolmentStatus
from services.enrolment.ports import NewEnrolment, StoredCohort
from shared.events.domain import CohortInfo


@dataclass
class EnrolmentMemory:
    """What the tables hold: cohorts by code, enrolment statuses by (cohort, NIP)."""

    cohorts: dict[str, StoredCohort] = field(default_factory=dict)
    enrolments: dict[tuple[str, str], EnrolmentStatus] = field(default_factory=dict)
    home_regions: dict[str, str] = field(default_factory=dict)  # the roster: NIP -> region

    def repository(self, conn: object = None) -> MemoryEnrolmentRepository:
        return MemoryEnrolmentRepository(self)


def view_of(info: CohortInfo, status: CohortStatus) -> CohortView:
    first_start = min(s.starts_at for s in info.sessions)
    return CohortView(
        info.cohort_code,
        info.publisher,
        status,
        first_start,
        info.quota,
        info.open_to_other_regions,
        info.timezone,
    )


class MemoryEnrolmentRepository:
    def __init__(self, memory: EnrolmentMemory) -> None:
        self.memory = memory

    async def load_cohort(self, cohort_code: str) -> StoredCohort | None:
        return self.memory.cohorts.get(cohort_code)

    async def load_cohorts(self, cohort_codes: Collection[str]) -> dict[str, StoredCohort]:
        return {c: s for c in cohort_codes if (s := self.memory.cohorts.get(c))}

    async def insert_cohort(self, info: CohortInfo, now: dt.datetime) -> None:
        await self.insert_cohorts([info], now)

    async def insert_cohorts(self, infos: Sequence[CohortInfo], now: dt.datetime) -> None:
        for info in infos:
            if info.cohort_code in self.memory.cohorts:
                raise KeyError(f"cohort {info.cohort_code} exists")  # the primary key refuses
            view = view_of(info, CohortStatus.SCHEDULED)
            self.memory.cohorts[info.cohort_code] = StoredCohort(view, info.policy_version, 0, 0)

    async def amend_cohort(self, info: CohortInfo, now: dt.datetime) -> None:
        stored = self.memory.cohorts.get(info.cohort_code)
        if stored is not None:
            view = view_of(info, stored.view.status)
            self.memory.cohorts[info.cohort_code] = dataclasses.replace(
                stored, view=view, policy_version=info.policy_version
            )

    async def cancel_cohort(self, cohort_code: str, reason: str, now: dt.datetime) -> None:
        self._set_status(cohort_code, CohortStatus.CANCELLED)

    async def close_cohorts(self, closes: Sequence[tuple[str, dt.datetime]]) -> None:
        for code, _ in closes:
            self._set_status(code, CohortStatus.CLOSED)

    def _set_status(self, cohort_code: str, status: CohortStatus) -> None:
        stored = self.memory.cohorts.get(cohort_code)
        if stored is not None:
            view = dataclasses.replace(stored.view, status=status)
            self.memory.cohorts[cohort_code] = dataclasses.replace(stored, view=view)

    async def enrolment_status(self, cohort_code: str, nip: str) -> EnrolmentStatus | None:
        return self.memory.enrolments.get((cohort_code, nip))

    async def enrolment_statuses(
        self, keys: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], EnrolmentStatus]:
        return {k: s for k in keys if (s := self.memory.enrolments.get(k))}

    async def registration_facts(
        self, keys: Collection[tuple[str, str]]
    ) -> tuple[dict[str, StoredCohort], dict[tuple[str, str], EnrolmentStatus]]:
        cohorts = await self.load_cohorts({code for code, _ in keys})
        return cohorts, await self.enrolment_statuses([k for k in keys if k[0] in cohorts])

    async def enrol_many(self, enrolments: Sequence[NewEnrolment], now: dt.datetime) -> None:
        for e in enrolments:
            self.memory.enrolments[(e.cohort_code, e.participant.nip)] = EnrolmentStatus.ENROLLED
            self._count(e.cohort_code, enrolled=1, withdrawn=-1 if e.was_withdrawn else 0)

    async def withdraw(self, cohort_code: str, nip: str, reason: str, now: dt.datetime) -> None:
        if (cohort_code, nip) in self.memory.enrolments:
            self.memory.enrolments[(cohort_code, nip)] = EnrolmentStatus.WITHDRAWN
        self._count(cohort_code, enrolled=-1, withdrawn=1)

    async def home_regions(self, nips: Collection[str]) -> dict[str, str]:
        return {n: r for n in nips if (r := self.memory.home_regions.get(n))}

    async def record_home_regions(
        self, regions: Sequence[tuple[str, str]], now: dt.datetime
    ) -> None:
        self.memory.home_regions.update(regions)

    def _count(self, cohort_code: str, enrolled: int, withdrawn: int) -> None:
        stored = self.memory.cohorts.get(cohort_code)
        if stored is not None:
            self.memory.cohorts[cohort_code] = dataclasses.replace(
                stored, enrolled=stored.enrolled + enrolled, withdrawn=stored.withdrawn + withdrawn
            )
