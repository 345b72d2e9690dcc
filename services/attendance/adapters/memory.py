"""The attendance repository in memory, for handler unit tests: it passes the same contract
suite as the Postgres adapter (tests/attendance/repository_contract.py). An
`AttendanceMemory` is one database; `repository` gives the port on it (the connection the
unit of work passes is ignored)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from services.attendance import domain
from services.attendance.ports import Close, CohortRow, Enrolment, RosterRow
from shared.barrier import BarrierRow
from shared.barrier_memory import MemoryBarriers
from shared.events.domain import CohortInfo, SessionInfo
from shared.topics import publisher_source

MarkKey = tuple[str, str, int]  # cohort, NIP, session number
# The cohort's columns a schedule (or its amendment) sets; the others are its state.
_SCHEDULED = [f.name for f in dataclasses.fields(CohortRow)][:9]


@dataclass
class Member:
    name: str
    withdrawn: bool


@dataclass
class AttendanceMemory:
    """What the tables hold, by key."""

    cohorts: dict[str, CohortRow] = field(default_factory=dict)
    sessions: dict[str, list[SessionInfo]] = field(default_factory=dict)
    members: dict[tuple[str, str], Member] = field(default_factory=dict)
    marks: dict[MarkKey, domain.Mark] = field(default_factory=dict)
    finalisations: dict[tuple[str, str], domain.Figures] = field(default_factory=dict)
    barriers: MemoryBarriers = field(default_factory=MemoryBarriers)

    def repository(self, conn: object = None) -> MemoryAttendanceRepository:
        return MemoryAttendanceRepository(self)


class MemoryAttendanceRepository:
    def __init__(self, memory: AttendanceMemory) -> None:
        self.memory = memory

    async def save_cohort(self, info: CohortInfo) -> None:
        stored = self.memory.cohorts.get(info.cohort_code)
        self.memory.cohorts[info.cohort_code] = CohortRow(
            **{name: getattr(info, name) for name in _SCHEDULED},
            status=stored.status if stored else "scheduled",
            close_event_id=stored.close_event_id if stored else None,
            finalised_at=stored.finalised_at if stored else None,
        )
        self.memory.sessions[info.cohort_code] = list(info.sessions)

    async def cancel_cohort(self, code: str) -> None:
        stored = self.memory.cohorts.get(code)
        if stored is not None and stored.status == "scheduled":
            self.memory.cohorts[code] = dataclasses.replace(stored, status="cancelled")

    async def mark_closed_many(self, closes: Sequence[Close]) -> None:
        for code, event_id, _ in closes:
            stored = self.memory.cohorts.get(code)
            if stored is not None and stored.close_event_id is None:
                self.memory.cohorts[code] = dataclasses.replace(stored, close_event_id=event_id)

    async def finalise_ready(self, codes: Sequence[str], at: dt.datetime) -> list[CohortRow]:
        finalised = []
        for code in dict.fromkeys(codes):
            stored = self.memory.cohorts.get(code)
            if stored is None or stored.status != "scheduled" or not self._close_passed(stored):
                continue
            stored = dataclasses.replace(stored, status="finalised", finalised_at=at)
            self.memory.cohorts[code] = stored
            finalised.append(stored)
        return finalised

    def _close_passed(self, cohort: CohortRow) -> bool:
        source = publisher_source(cohort.publisher)
        return self.memory.barriers.confirmed(cohort.cohort_code, source, cohort.close_event_id)

    async def enrol_many(self, rows: Sequence[Enrolment]) -> None:
        for code, nip, name, _ in rows:
            self.memory.members[(code, nip)] = Member(name, withdrawn=False)

    async def withdraw(self, code: str, nip: str, at: dt.datetime) -> None:
        self.memory.members.setdefault((code, nip), Member("", withdrawn=True)).withdrawn = True

    async def mark_facts(
        self, marks: Sequence[domain.Mark]
    ) -> tuple[dict[str, domain.CohortFacts], domain.Held]:
        nips = {m.nip for m in marks}
        nos = {m.session_no for m in marks}
        cohorts = {
            code: self._facts(cohort, nips)
            for code in {m.cohort_code for m in marks}
            if (cohort := self.memory.cohorts.get(code))
        }
        held = {
            key: (mark.time, mark.event_id)
            for key, mark in self.memory.marks.items()
            if key[0] in cohorts and key[1] in nips and key[2] in nos
        }
        return cohorts, held

    def _facts(self, cohort: CohortRow, nips: set[str]) -> domain.CohortFacts:
        code = cohort.cohort_code
        members = {nip: m for (c, nip), m in self.memory.members.items() if c == code}
        return domain.CohortFacts(
            cohort.publisher,
            cohort.status,
            cohort.close_event_id is not None,
            frozenset(s.no for s in self.memory.sessions.get(code, [])),
            frozenset(n for n in nips if n in members and not members[n].withdrawn),
            frozenset(n for n in nips if n in members and members[n].withdrawn),
            tuple(self.memory.barriers.standing_of(code, publisher_source(cohort.publisher))),
        )

    async def save_marks(self, marks: Sequence[domain.Mark]) -> None:
        for mark in marks:
            self.memory.marks[(mark.cohort_code, mark.nip, mark.session_no)] = mark

    async def schedules_of(self, codes: Sequence[str]) -> dict[str, list[domain.Session]]:
        return {
            code: [
                domain.Session(s.no, s.starts_at.date(), s.starts_at.time(), s.ends_at.time(), s.jp)
                for s in sorted(self.memory.sessions[code], key=lambda s: s.no)
            ]
            for code in codes
            if self.memory.sessions.get(code)
        }

    async def rosters_of(self, codes: Sequence[str]) -> dict[str, list[RosterRow]]:
        rosters: dict[str, list[RosterRow]] = {}
        for (code, nip), member in sorted(
            self.memory.members.items(), key=lambda item: (item[1].name, item[0][1])
        ):
            if code in codes:
                rosters.setdefault(code, []).append(RosterRow(nip, member.name, member.withdrawn))
        return rosters

    async def marks_of(self, codes: Sequence[str]) -> dict[str, dict[str, dict[int, str]]]:
        held: dict[str, dict[str, dict[int, str]]] = {}
        for (code, nip, no), mark in self.memory.marks.items():
            if code in codes:
                held.setdefault(code, {}).setdefault(nip, {})[no] = mark.status
        return held

    async def save_finalisations_many(
        self, results: dict[str, dict[str, domain.Figures]], at: dt.datetime
    ) -> set[tuple[str, str]]:
        new = {
            (code, nip): figures
            for code, per_nip in results.items()
            for nip, figures in per_nip.items()
            if (code, nip) not in self.memory.finalisations
        }
        self.memory.finalisations.update(new)
        return set(new)

    async def note_barriers(self, rows: Sequence[BarrierRow]) -> None:
        self.memory.barriers.note(rows)

    async def rule_barriers(self, rows: Sequence[BarrierRow]) -> None:
        self.memory.barriers.rule(rows)
