"""Certification's handlers and admin commands as unit tests, on the in-memory repository and
the core's in-memory ports (no Postgres, no Kafka), as cosmicpython's tests/unit/test_handlers.py
runs on a FakeUnitOfWork: what is decided, issued, announced, parked and released."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import BaseModel

from services.certification import commands, completion, handlers
from services.certification.adapters.memory import MemoryRepository
from services.certification.certificates import Correction
from shared.consumer import Handled, UnitOfWork, waiting_for_cohort
from shared.consumer.memory import MemoryStore
from shared.envelope import CloudEvent, RecordPosition
from shared.events.ingest import COHORT_CLOSED, EVALUATION_RECORDED
from shared.events.per_cohort import MAX_PER_PART, in_parts
from shared.outbox import domain_event
from shared.reasons import ReasonCode
from shared.topics import ingest_topic
from tests.certification import builders as b

pytestmark = pytest.mark.unit

CODE, JAMBI = "15/PKA/2022/IV", "15"
NIP1, NIP2, NIP3 = "198001012005011001", "198502022010012002", "199003032015011003"
Run = Callable[[UnitOfWork, Sequence[CloudEvent]], Awaitable[list[Handled]]]


@dataclass
class Told:
    """What one unit of work emitted and released."""

    rows: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (kind, data)
    unparked: list[str] = field(default_factory=list)  # event ids

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.rows]

    def data(self, kind: str) -> list[dict[str, Any]]:
        """Rows of this kind; a decision or certificate also from within a cohort's
        announcement (`cohort-decided`)."""
        own = [data for k, data in self.rows if k == kind]
        within = {"decided": "decisions", "issued": "certificates"}.get(kind)
        cohorts = [data for k, data in self.rows if k == "cohort-decided"] if within else []
        return own + [entry for cohort in cohorts for entry in cohort[within or ""]]


class Certification:
    """The service's handlers on memory: one store, one repository, a transaction per call."""

    def __init__(self) -> None:
        self.store = MemoryStore()
        self.repo = MemoryRepository()
        self.offset = 0

    def unit_of_work(self, tx: Any, park_timeout: dt.timedelta) -> UnitOfWork:
        """A unit of work on the in-memory ports and repository (no connection at all)."""
        return UnitOfWork(
            None,  # type: ignore[arg-type]
            "certification",
            park_timeout,
            parking=tx.parking,
            repository_factory=lambda _: self.repo,
        )

    async def run(self, handler: Run, *events: CloudEvent) -> tuple[list[Handled], Told]:
        async with self.store.transaction() as tx:
            uow = self.unit_of_work(tx, dt.timedelta(minutes=5))
            outcomes = await handler(uow, events)
        return outcomes, told(uow)

    async def command(self, act: Callable[[UnitOfWork], Awaitable[Any]]) -> tuple[Any, Told]:
        async with self.store.transaction() as tx:
            uow = self.unit_of_work(tx, dt.timedelta(0))
            result = await act(uow)
        return result, told(uow)

    def from_enrolment(self, data: BaseModel) -> CloudEvent:
        return domain_event("enrolment", data, subject=CODE)

    def from_attendance(self, data: BaseModel) -> CloudEvent:
        return domain_event("attendance", data, subject=CODE)

    def ingest(self, event_type: str, data: dict[str, Any], publisher: str = JAMBI) -> CloudEvent:
        """A publisher's event as read from its ingest partition, each after the last."""
        self.offset += 1
        return CloudEvent(
            id=f"{event_type}-{self.offset}",
            source=f"/publishers/{publisher}",
            type=event_type,
            time=b.NOW + dt.timedelta(seconds=self.offset),
            data=data,
            subject=data["cohort_code"],
            position=RecordPosition(ingest_topic(publisher), 0, self.offset),
        )

    async def scheduled_with(self, *nips: str, **policy: Any) -> None:
        await self.run(
            one(handlers.on_cohort_info), self.from_enrolment(b.cohort(CODE, JAMBI, **policy))
        )
        runs = [
            self.from_enrolment(b.participants_enrolled(CODE, JAMBI, *part, name="Siti"))
            for part in in_parts(nips)
        ]
        await self.run(handlers.on_participants_enrolled_run, *runs)

    async def closed(self) -> Told:
        """The owner's close passed on our log, then enrolment's word that it applied it."""
        close = self.ingest(COHORT_CLOSED, {"cohort_code": CODE})
        await self.run(handlers.on_close_recorded_run, close)
        _, said = await self.run(
            handlers.on_cohort_closed_run, self.from_enrolment(b.closed(CODE, JAMBI, close.id))
        )
        return said

    async def finalised(self, *marks: tuple[str, str]) -> Told:
        results = [self.from_attendance(b.finalised(CODE, JAMBI, n, jp)) for n, jp in marks]
        _, said = await self.run(handlers.on_participant_finalised_run, *results)
        return said


def told(uow: UnitOfWork) -> Told:
    rows = [(row.event_id.split(":")[1], json.loads(row.payload)["data"]) for row in uow.rows]
    return Told(rows, [event.id for event in uow.unparked])


def one(handler: Callable[[UnitOfWork, CloudEvent], Awaitable[Handled]]) -> Run:
    """A one-event handler as a run of one."""

    async def run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
        return [await handler(uow, event) for event in events]

    return run


@pytest.fixture
def service() -> Certification:
    return Certification()


async def test_a_participant_who_attended_enough_completes_and_is_issued_a_certificate(
    service: Certification,
) -> None:
    await service.scheduled_with(NIP1)
    assert (await service.closed()).rows == []  # nobody's attendance is in yet
    said = await service.finalised((NIP1, "20"))
    assert said.kinds() == ["cohort-decided", "cohort-results"]
    [decided] = said.data("decided")
    assert (decided["nip"], decided["completed"]) == (NIP1, True)
    [issued] = said.data("issued")
    assert issued["number"] == "800/0001/BPSDM-15/2022"
    assert issued["predicate"] == "Telah Mengikuti"
    [results] = said.data("cohort-results")  # the publisher's, by the NIP it sent
    assert results["issued"] == [{"nip": NIP1, "certificate_number": issued["number"]}]
    assert results["not_completed"] == []


async def test_enrolments_of_either_shape_enrol_alike(service: Certification) -> None:
    """A registration run's one event (today) and one event per participant (history)."""
    await service.run(one(handlers.on_cohort_info), service.from_enrolment(b.cohort(CODE, JAMBI)))
    await service.run(
        handlers.on_participant_enrolled_run,
        service.from_enrolment(b.enrolled(CODE, JAMBI, NIP1, "Siti")),
    )
    await service.run(
        handlers.on_participants_enrolled_run,
        service.from_enrolment(b.participants_enrolled(CODE, JAMBI, NIP2, name="Siti")),
    )
    enrolments = service.repo.tables.enrolments
    assert set(enrolments) == {(CODE, NIP1), (CODE, NIP2)}
    one_each, one_run = (enrolments[(CODE, n)].participant for n in (NIP1, NIP2))
    assert one_each == {**one_run, "nip": NIP1}


async def test_too_little_attendance_fails_completion_and_tells_the_publisher(
    service: Certification,
) -> None:
    await service.scheduled_with(NIP1)
    await service.closed()
    said = await service.finalised((NIP1, "10"))
    assert said.kinds() == ["cohort-decided", "cohort-results"]
    assert said.data("decided")[0]["completed"] is False
    assert service.repo.tables.certificates == {}


async def test_attendance_in_before_the_close_is_decided_at_the_close(
    service: Certification,
) -> None:
    await service.scheduled_with(NIP1, NIP2)
    assert (await service.finalised((NIP1, "20"), (NIP2, "19"))).rows == []
    said = await service.closed()
    assert said.kinds() == ["cohort-decided", "cohort-results"]
    numbers = [data["number"] for data in said.data("issued")]
    assert numbers == ["800/0001/BPSDM-15/2022", "800/0002/BPSDM-15/2022"]


async def test_a_certificate_is_issued_exactly_once_whatever_is_delivered_again(
    service: Certification,
) -> None:
    await service.scheduled_with(NIP1)
    await service.closed()
    await service.finalised((NIP1, "20"))
    assert (await service.finalised((NIP1, "20"))).rows == []
    assert (await service.closed()).rows == []
    assert [c.nip for c in service.repo.tables.certificates.values()] == [NIP1]


async def test_a_revoked_certificate_is_announced_and_cannot_be_revoked_twice(
    service: Certification,
) -> None:
    await service.scheduled_with(NIP1)
    await service.closed()
    await service.finalised((NIP1, "20"))
    [held] = service.repo.tables.certificates.values()
    revoked, said = await service.command(lambda uow: commands.revoke(uow, held.id, "fraud"))
    assert revoked.id == held.id
    assert said.kinds() == ["revoked", "notice-revoked"]
    assert service.repo.tables.certificates[held.id].status == "revoked"
    again, said = await service.command(lambda uow: commands.revoke(uow, held.id, "fraud"))
    assert again is None and said.rows == []


async def test_a_reissue_supersedes_the_old_certificate_with_a_second_version(
    service: Certification,
) -> None:
    await service.scheduled_with(NIP1)
    await service.closed()
    await service.finalised((NIP1, "20"))
    [old] = service.repo.tables.certificates.values()
    correction = Correction(reason="typo", name="Siti Aminah")
    new, said = await service.command(lambda uow: commands.reissue(uow, old.id, correction))
    assert said.kinds() == ["superseded", "issued", "notice-issued"]
    assert (new.number, new.version, new.previous_id) == (f"{old.number}-v2", 2, old.id)
    superseded = service.repo.tables.certificates[old.id]
    assert (superseded.status, superseded.superseded_by) == ("superseded", new.id)
    assert new.content["name"] == "Siti Aminah"


async def test_a_score_for_an_unknown_cohort_waits_for_it_and_is_released_by_its_schedule(
    service: Certification,
) -> None:
    score = service.ingest(EVALUATION_RECORDED, {"cohort_code": CODE, "nip": NIP1, "score": "88"})
    [outcome], _ = await service.run(one(handlers.on_evaluation_recorded), score)
    assert outcome == Handled.parked()
    _, said = await service.run(
        one(handlers.on_cohort_info), service.from_enrolment(b.cohort(CODE, JAMBI))
    )
    assert said.unparked == [score.id]


async def test_a_score_from_another_publisher_is_rejected_not_owner(
    service: Certification,
) -> None:
    await service.scheduled_with(NIP1)
    score = service.ingest(
        EVALUATION_RECORDED, {"cohort_code": CODE, "nip": NIP1, "score": "88"}, publisher="16"
    )
    [outcome], _ = await service.run(one(handlers.on_evaluation_recorded), score)
    assert (outcome.outcome, outcome.reason) == ("rejected", ReasonCode.NOT_OWNER)


async def test_a_score_counts_towards_the_predicate(service: Certification) -> None:
    await service.scheduled_with(NIP1, evaluation_required=True)
    score = service.ingest(EVALUATION_RECORDED, {"cohort_code": CODE, "nip": NIP1, "score": "91"})
    [outcome], _ = await service.run(one(handlers.on_evaluation_recorded), score)
    assert outcome == Handled.applied()
    await service.closed()
    said = await service.finalised((NIP1, "20"))
    assert said.data("decided")[0]["score"] == "91"
    assert said.data("issued")[0]["predicate"] == "Sangat Memuaskan"


async def test_a_cohort_finalised_before_its_schedule_waits_for_the_cohort(
    service: Certification,
) -> None:
    finalised = service.from_attendance(b.cohort_finalised(CODE, JAMBI, 1))
    [outcome], _ = await service.run(handlers.on_cohort_finalised_run, finalised)
    assert outcome == Handled.parked()
    parked = list(service.store.state.parked.values())
    assert [(p.waiting_for, p.reject_code) for p in parked] == [
        (waiting_for_cohort(CODE), ReasonCode.UNKNOWN_COHORT)
    ]


async def test_a_withdrawn_participant_is_decided_once_attendance_finalises_the_cohort(
    service: Certification,
) -> None:
    await service.scheduled_with(NIP1, NIP2)
    await service.run(
        one(handlers.on_participant_withdrawn),
        service.from_enrolment(b.withdrawn(CODE, JAMBI, NIP2)),
    )
    await service.closed()
    assert (await service.finalised((NIP1, "20"))).data("decided")[0]["nip"] == NIP1
    _, said = await service.run(
        handlers.on_cohort_finalised_run,
        service.from_attendance(b.cohort_finalised(CODE, JAMBI, 2)),
    )
    assert said.kinds() == ["cohort-decided", "cohort-results"]
    assert said.data("decided")[0]["nip"] == NIP2
    assert said.data("decided")[0]["rate_pct"] == str(Decimal(0))


async def test_a_cohort_finalised_in_one_event_is_decided_in_one_pass(
    service: Certification,
) -> None:
    await service.scheduled_with(NIP1, NIP2, NIP3)
    await service.run(
        one(handlers.on_participant_withdrawn),
        service.from_enrolment(b.withdrawn(CODE, JAMBI, NIP3)),
    )
    await service.closed()
    figures = [b.finalised(CODE, JAMBI, NIP1, "20"), b.finalised(CODE, JAMBI, NIP2, "10")]
    [outcome], said = await service.run(
        handlers.on_cohort_attendance_run,
        service.from_attendance(b.cohort_attendance(CODE, JAMBI, figures)),
    )
    assert outcome == Handled.applied()
    decided = sorted((d["nip"], d["completed"]) for d in said.data("decided"))
    assert decided == [(NIP1, True), (NIP2, False), (NIP3, False)]
    assert [c.nip for c in service.repo.tables.certificates.values()] == [NIP1]


async def test_only_a_cohorts_last_part_waits_for_its_schedule(service: Certification) -> None:
    def part(no: int, nip: str) -> CloudEvent:
        figures = [b.finalised(CODE, JAMBI, nip, "20")]
        return service.from_attendance(b.cohort_attendance(CODE, JAMBI, figures, part=no, parts=2))

    outcomes, _ = await service.run(handlers.on_cohort_attendance_run, part(1, NIP1), part(2, NIP2))
    assert outcomes == [Handled.applied(), Handled.parked()]
    parked = list(service.store.state.parked.values())
    assert [(p.waiting_for, p.reject_code) for p in parked] == [
        (waiting_for_cohort(CODE), ReasonCode.UNKNOWN_COHORT)
    ]


async def test_a_large_cohort_is_announced_in_parts_each_with_its_certificates(
    service: Certification,
) -> None:
    people = (
        [f"1980010120050110{n:02d}" for n in range(1, 100)]
        + [f"1981010120050110{n:02d}" for n in range(1, 100)]
        + [f"1982010120050110{n:02d}" for n in range(1, 100)]
    )
    await service.scheduled_with(*people)
    await service.closed()
    figures = [b.finalised(CODE, JAMBI, n, "20" if n[3] != "2" else "10") for n in people]
    _, said = await service.run(
        handlers.on_cohort_attendance_run,
        service.from_attendance(b.cohort_attendance(CODE, JAMBI, figures[:250], parts=2)),
        service.from_attendance(b.cohort_attendance(CODE, JAMBI, figures[250:], part=2, parts=2)),
    )
    parts = said.data("cohort-decided")
    assert [(p["part"], p["parts"], len(p["decisions"])) for p in parts] == [
        (1, 2, MAX_PER_PART),
        (2, 2, len(people) - MAX_PER_PART),
    ]
    for part in parts:
        completed = [d["nip"] for d in part["decisions"] if d["completed"]]
        assert [c["nip"] for c in part["certificates"]] == completed
    assert len(said.data("issued")) == 198
    results = said.data("cohort-results")
    assert [(r["part"], r["parts"]) for r in results] == [(1, 2), (2, 2)]
    told = [(r["nip"], True) for p in results for r in p["issued"]]
    told += [(r["nip"], False) for p in results for r in p["not_completed"]]
    assert sorted(told) == sorted((n, n[3] != "2") for n in people)


async def test_a_burst_of_cohorts_is_decided_whole_cohorts_at_a_time_numbered_in_order(
    service: Certification, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five cohorts of three finalised in one run, decided at most four participants at a
    time: every cohort whole in one announcement, certificate numbers in the cohorts' order."""
    monkeypatch.setattr(completion, "MOST_AT_ONCE", 4)
    codes = [f"15/PKA/2022/B{i}" for i in range(5)]
    people = [NIP1, NIP2, NIP3]
    await _closed(service, codes, people)
    results = [
        domain_event(
            "attendance",
            b.cohort_attendance(code, JAMBI, [b.finalised(code, JAMBI, n, "20") for n in people]),
            subject=code,
        )
        for code in codes
    ]
    inserts: list[int] = []
    insert = service.repo.insert_certificates

    async def counted(certificates: Sequence[Any]) -> Any:
        inserts.append(len(certificates))
        return await insert(certificates)

    monkeypatch.setattr(service.repo, "insert_certificates", counted)
    outcomes, said = await service.run(handlers.on_cohort_attendance_run, *results)
    assert outcomes == [Handled.applied()] * len(codes)
    assert inserts == [3] * len(codes)  # one cohort a time: a second would pass four
    announced = said.data("cohort-decided")
    assert [(a["cohort_code"], len(a["certificates"])) for a in announced] == [
        (code, 3) for code in codes
    ]
    assert [r["cohort_code"] for r in said.data("cohort-results")] == codes
    issued = sorted(service.repo.tables.certificates.values(), key=lambda c: c.number)
    assert [c.cohort_code for c in issued] == [code for code in codes for _ in people]
    sequence = [int(c.number.split("/")[1]) for c in issued]
    assert sequence == list(range(sequence[0], sequence[0] + 15))


async def test_cohorts_interleaved_in_event_order_are_not_cut_apart(
    service: Certification, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per-participant results of two cohorts, alternating, past the bound: decided in event
    order, each cohort still in one announcement and one results notice."""
    monkeypatch.setattr(completion, "MOST_AT_ONCE", 4)
    codes = ["15/PKA/2022/X1", "15/PKA/2022/X2"]
    people = [NIP1, NIP2, NIP3]
    await _closed(service, codes, people)
    results = [
        domain_event("attendance", b.finalised(code, JAMBI, nip, "20"), subject=code)
        for nip in people
        for code in codes
    ]
    _, said = await service.run(handlers.on_participant_finalised_run, *results)
    assert [a["cohort_code"] for a in said.data("cohort-decided")] == codes
    assert [r["cohort_code"] for r in said.data("cohort-results")] == codes
    issued = sorted(service.repo.tables.certificates.values(), key=lambda c: c.number)
    assert [(c.cohort_code, c.nip) for c in issued] == [(c, n) for n in people for c in codes]


async def _closed(service: Certification, codes: list[str], people: list[str]) -> None:
    """These cohorts scheduled with these participants and closed by their owner."""
    for code in codes:
        await service.run(
            one(handlers.on_cohort_info),
            domain_event("enrolment", b.cohort(code, JAMBI), subject=code),
        )
        enrolled = b.participants_enrolled(code, JAMBI, *people, name="Siti")
        await service.run(
            handlers.on_participants_enrolled_run, domain_event("enrolment", enrolled, subject=code)
        )
        close = service.ingest(COHORT_CLOSED, {"cohort_code": code})
        await service.run(handlers.on_close_recorded_run, close)
        closed = domain_event("enrolment", b.closed(code, JAMBI, close.id), subject=code)
        await service.run(handlers.on_cohort_closed_run, closed)


@pytest.mark.parametrize(
    ("cohorts", "most", "parts"),
    [
        ("AAABBBCCCDDDEEE", 4, ["AAA", "BBB", "CCC", "DDD", "EEE"]),
        ("AAABBBCCCDDDEEE", 6, ["AAABBB", "CCCDDD", "EEE"]),
        ("AABBBBBBBBBBCCDD", 5, ["AA", "BBBBBBBBBB", "CCDD"]),
        ("ABABAB", 4, ["ABABAB"]),  # interleaved: never cut apart
        ("ABABABCC", 4, ["ABABAB", "CC"]),
        ("AABAC", 2, ["AABA", "C"]),
        ("A" * 30 + "B" * 30, 2_000, ["A" * 30 + "B" * 30]),
        ("", 4, []),
    ],
)
def test_due_is_cut_only_where_every_cohort_before_has_ended(
    cohorts: str, most: int, parts: list[str]
):
    due = [(SimpleNamespace(cohort_code=c), None) for c in cohorts]
    cut = list(completion.whole_cohorts(due, most))  # type: ignore[arg-type]
    assert ["".join(cohort.cohort_code for cohort, _ in part) for part in cut] == parts
