"""The soak's stream and everything the system must end up with, derived only from here, never
from the services' own code (tests/reliability/test_faults.py sends it under faults). Seeded, so
a failure replays the same stream."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from builders.calendar import working_days
from builders.ingest import cohort_data, daily_sessions, ingest_event, participant_data
from builders.nips import nips

SEED = 20_240_817
PUBLISHERS = ("15", "16", "35.23", "nasional")
COHORTS_PER_PUBLISHER = 15
PARTICIPANTS = 30
DAYS = 10
HOME_REGIONS = ("15", "15.71", "16", "16.71", "35.23")
WIB = dt.timezone(dt.timedelta(hours=7))
PRESENT = ("HADIR", "TERLAMBAT")
ABSENT = ("ALPA", "IZIN", "SAKIT")
SCORES = ("95", "88.5", "72", "60.01", "60", "41")


@dataclass
class Plan:
    """The stream and everything the system must end up with, derived only from here."""

    streams: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # per publisher
    outcomes: dict[str, Counter[tuple[str, str | None]]] = field(default_factory=dict)
    certificates: set[tuple[str, str]] = field(default_factory=set)
    ledger: Counter[tuple[str, int]] = field(default_factory=Counter)  # completed JP only
    enrolled_years: dict[str, set[int]] = field(default_factory=dict)
    resent: set[str] = field(default_factory=set)

    @property
    def records(self) -> int:
        return sum(len(s) for s in self.streams.values())

    @property
    def distinct(self) -> int:
        return sum(sum(c.values()) for c in self.outcomes.values())

    def expect(self, service: str, outcome: str, reason: str | None = None) -> None:
        self.outcomes.setdefault(service, Counter())[(outcome, reason)] += 1


class CohortWriter:
    """Builds one cohort's stream in its publisher's order and notes the expected result."""

    def __init__(self, plan: Plan, rng: random.Random, publisher: str, index: int) -> None:
        self.plan, self.rng, self.publisher = plan, rng, publisher
        self.year = 2023 + index % 2
        self.code = f"{publisher}/SOAK-{index:02d}/{self.year}/I"
        self.jp = 2 + index % 2
        self.evaluated = index % 4 == 0
        self.events: list[dict[str, Any]] = []
        self.start = dt.date(self.year, 1 + index % 11, 3)
        # From the first session on (08:00 of its first working day): a close timed before
        # it is refused (issue 17).
        self.clock = dt.datetime.combine(working_days(self.start, 1)[0], dt.time(8), WIB)

    def add(
        self, kind: str, data: dict[str, Any], owner: str, outcome: str, reason: str | None = None
    ) -> None:
        self.clock += dt.timedelta(seconds=1)  # corrections are later in `time` too
        self.events.append(ingest_event(kind, data, self.publisher, time_=self.clock))
        self.plan.expect(owner, outcome, reason)

    def mark(self, nip: str, session: int, status: str, **expected: Any) -> None:
        data = {"cohort_code": self.code, "nip": nip, "session_no": session, "status": status}
        self.add("attendance.recorded", data, "attendance", **{"outcome": "applied", **expected})

    def write(self, people: list[str], strangers: list[str], broken: bool, late: bool) -> None:
        rng, code = self.rng, self.code
        sessions = daily_sessions(self.start, DAYS, self.jp)
        completion = {"min_attendance_pct": "90", "evaluation_required": self.evaluated}
        self.add(
            "cohort.scheduled",
            cohort_data(
                code,
                self.publisher,
                sessions=sessions,
                quota=40,
                open_to_other_regions=True,
                completion=completion,
                year=self.year,
            ),
            "enrolment",
            "applied",
        )
        for nip in people:
            region = rng.choice(HOME_REGIONS)  # every cohort is open to other regions
            self.add(
                "participant.registered",
                participant_data(code, nip, region=region),
                "enrolment",
                "applied",
            )
            self.plan.enrolled_years.setdefault(nip, set()).add(self.year)
        if broken:
            wrong = people[0][:14] + "9" + people[0][15:]  # gender digit 9
            self.add(
                "participant.registered",
                participant_data(code, wrong, region="15"),
                "enrolment",
                "rejected",
                "INVALID_NIP",
            )
            self.add(
                "cohort.renamed",
                {"cohort_code": code, "name": "x"},
                "enrolment",
                "rejected",
                "UNKNOWN_TYPE",
            )
            # Re-sent at once: a rejected id sent again is a duplicate too.
            self.events.append(self.events[-1])
            self.plan.resent.add(self.events[-1]["id"])
        # Per participant: the final status of each session (what the expectation uses).
        final: dict[str, dict[int, str]] = {}
        for nip in people:
            absent = rng.choices([0, 1, 2, 3], weights=[70, 15, 10, 5])[0]  # 1 of 10 = 90 %: passes
            missed = set(rng.sample(range(1, DAYS + 1), absent))
            final[nip] = {
                s: rng.choice(ABSENT) if s in missed else rng.choices(PRESENT, weights=[9, 1])[0]
                for s in range(1, DAYS + 1)
            }
        corrected = {nip: rng.randint(1, DAYS - 2) for nip in rng.sample(people, 2)}
        for session in range(1, DAYS + 1):
            for nip in people:
                if corrected.get(nip) == session:
                    self.mark(nip, session, "ALPA")  # corrected two sessions later
                else:
                    self.mark(nip, session, final[nip][session])
                if corrected.get(nip) == session - 2:
                    self.mark(nip, session - 2, final[nip][session - 2])
            if broken and session == 3:
                self.mark(
                    people[1], DAYS + 5, "HADIR", outcome="rejected", reason="UNKNOWN_SESSION"
                )
                # Parked until the roster is final, then rejected.
                self.mark(strangers[0], 1, "HADIR", outcome="rejected", reason="NOT_ENROLLED")
        scores: dict[str, Fraction] = {}
        if self.evaluated:
            for nip in people:
                score = rng.choice(SCORES)
                scores[nip] = Fraction(score)
                data = {"cohort_code": code, "nip": nip, "score": score}
                self.add("evaluation.recorded", data, "certification", "applied")
        self.add("cohort.closed", {"cohort_code": code}, "enrolment", "applied")
        if late:
            self.mark(people[2], 1, "HADIR", outcome="rejected", reason="COHORT_CLOSED")
            if self.evaluated:
                data = {"cohort_code": code, "nip": people[2], "score": "99"}
                self.add("evaluation.recorded", data, "certification", "rejected", "COHORT_CLOSED")
        total = self.jp * DAYS
        for nip in people:
            present = sum(self.jp for s in final[nip].values() if s in PRESENT)
            passed = Fraction(present * 100, total) >= 90 and (
                not self.evaluated or scores[nip] >= Fraction("60.01")
            )
            if passed:
                self.plan.certificates.add((code, nip))
                self.plan.ledger[(nip, self.year)] += total
        self.resend_some()

    def resend_some(self) -> None:
        """About 1 % of the events again, same id, anywhere later in the cohort's stream."""
        for _ in range(max(1, len(self.events) // 100)):
            original = self.rng.randrange(len(self.events))
            self.plan.resent.add(self.events[original]["id"])
            at = self.rng.randint(original + 1, len(self.events))
            self.events.insert(at, self.events[original])


def merge(rng: random.Random, streams: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Interleave streams at random, each keeping its own order."""
    labels = [i for i, s in enumerate(streams) for _ in s]
    rng.shuffle(labels)
    iterators = [iter(s) for s in streams]
    return [next(iterators[i]) for i in labels]


def generate(seed: int = SEED) -> Plan:
    rng = random.Random(seed)
    plan = Plan()
    pool = list(nips(1600, women=700))
    for publisher in PUBLISHERS:
        stream: list[dict[str, Any]] = []
        # Three cohorts run at a time, so closes (and certificates) happen all along.
        for wave in range(0, COHORTS_PER_PUBLISHER, 3):
            cohorts = []
            for index in range(wave, min(wave + 3, COHORTS_PER_PUBLISHER)):
                writer = CohortWriter(plan, rng, publisher, index)
                people = rng.sample(pool, PARTICIPANTS + 1)
                writer.write(people[:-1], people[-1:], broken=index % 3 == 0, late=index % 5 == 1)
                cohorts.append(writer.events)
            stream += merge(rng, cohorts)
        plan.streams[publisher] = stream
    return plan
