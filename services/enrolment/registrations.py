"""Registrations, the bulk of enrolment's ingest, handled a run at a time: the run's data
validated in one pydantic call, its facts (cohorts, statuses) read in one statement, each
registration decided in order by the pure domain, the accepted ones written in one statement
and announced from the validated data as it is.

The announcement is one `ParticipantsEnrolled` per cohort of the run (in parts), not one
event per registration; it is built as the contract's JSON directly, not through its model
(tests/enrolment/test_registration_runs.py holds the two to the same bytes), and its id is
derived from its first registration's key, so a run needs no random draw.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from functools import partial
from typing import Any

import orjson
from pydantic import TypeAdapter

from services.enrolment import domain
from services.enrolment.domain import AsnType, Gender, Rejection
from services.enrolment.ports import NewEnrolment, StoredCohort, repository
from shared.consumer import Handled, UnitOfWork, validated_batch, waiting_for_cohort
from shared.envelope import CloudEvent
from shared.events import domain as events
from shared.events import ingest
from shared.events.per_cohort import in_parts
from shared.events.rules import NipProblem
from shared.outbox import OutboxRow, fitting_rows
from shared.reasons import ReasonCode
from shared.topics import ENROLMENT_EVENTS

_INSTANT = TypeAdapter(dt.datetime)
Key = tuple[str, str]


async def on_registration_run(uow: UnitOfWork, run: Sequence[CloudEvent]) -> list[Handled]:
    """A run of registrations, set-based: facts read once, decided in order in memory (seats
    and earlier registrations of the run count), written in one statement."""
    repo = repository(uow)
    outcomes, valid = validated_batch(run, ingest.ParticipantRegistered)
    cohorts, statuses = await repo.registration_facts({(d.cohort_code, d.nip) for _, _, d in valid})
    run_state = _RunState(uow, cohorts, statuses)
    for index, event, data in valid:
        outcomes[index] = await run_state.decide(event, data)
    await repo.enrol_many(run_state.enrolled, uow.now)
    uow.rows.extend(run_state.announcements.rows())
    return [o for o in outcomes if o is not None]


class _RunState:
    """What a run has decided so far: seats taken, statuses, enrolments to write."""

    def __init__(
        self,
        uow: UnitOfWork,
        cohorts: dict[str, StoredCohort],
        statuses: dict[Key, domain.EnrolmentStatus],
    ) -> None:
        self.uow = uow
        self.cohorts = cohorts
        self.statuses = statuses
        self.seats_taken = {code: stored.enrolled for code, stored in cohorts.items()}
        self.enrolled: list[NewEnrolment] = []
        self.today = uow.now.date()
        self.announcements = Announcements(uow.service, uow.now)

    async def decide(self, event: CloudEvent, data: ingest.ParticipantRegistered) -> Handled:
        publisher = event.publisher or ""  # ingest events passed check_source
        stored = self.cohorts.get(data.cohort_code)
        if stored is None:
            return await self._unknown_cohort(event, data.cohort_code, publisher)
        status = self.statuses.get((data.cohort_code, data.nip))
        decision = domain.decide_registration(
            stored.view,
            publisher,
            enrolled_count=self.seats_taken[data.cohort_code],
            enrolment=status,
            nip_problem=self._nip_problem(data),
            participant_region=data.region,
        )
        if isinstance(decision, Rejection):
            return _rejected(decision)
        self._enrol(event, data, publisher, status is domain.EnrolmentStatus.WITHDRAWN)
        return Handled.applied()

    def _nip_problem(self, data: ingest.ParticipantRegistered) -> NipProblem | None:
        return domain.validate_nip(
            data.nip, AsnType(data.asn_type), Gender(data.gender), today=self.today
        )

    async def _unknown_cohort(self, event: CloudEvent, code: str, publisher: str) -> Handled:
        """NOT_OWNER for a code the sender may never schedule; else parked for its schedule."""
        if not ingest.is_publishers_cohort_code(code, publisher):
            prefix = ingest.cohort_code_prefix(publisher)
            return _rejected(domain.not_publishers_code(code, publisher, prefix))
        return await self.uow.park(event, waiting_for_cohort(code), ReasonCode.UNKNOWN_COHORT)

    def _enrol(
        self, event: CloudEvent, data: ingest.ParticipantRegistered, publisher: str, rejoins: bool
    ) -> None:
        self.enrolled.append(NewEnrolment(data.cohort_code, data, rejoins))
        self.statuses[(data.cohort_code, data.nip)] = domain.EnrolmentStatus.ENROLLED
        self.seats_taken[data.cohort_code] += 1
        self.announcements.add(event, data, publisher)


def _rejected(rejection: Rejection) -> Handled:
    return Handled.rejected(ReasonCode(rejection.code), rejection.message_id, rejection.message_en)


class Announcements:
    """A run's `ParticipantsEnrolled` outbox rows: per cohort, who the run enrolled in order, in
    parts of at most MAX_PER_PART, each the structured CloudEvent `shared.envelope
    .to_structured` writes, with what every event of the run shares (source, type, time)
    worked out once."""

    def __init__(self, service: str, now: dt.datetime) -> None:
        self.source = f"/services/{service}"
        self.time = now.isoformat()
        self.enrolled_at = json_instant(now)
        # (cohort, publisher) -> each enrolment's registration and participant, in order.
        self.enrolled: dict[Key, list[tuple[CloudEvent, dict[str, Any]]]] = {}

    def add(self, event: CloudEvent, data: ingest.ParticipantRegistered, publisher: str) -> None:
        run = self.enrolled.setdefault((data.cohort_code, publisher), [])
        run.append((event, participant_data(data)))

    def rows(self) -> list[OutboxRow]:
        return [
            row
            for (code, publisher), enrolled in self.enrolled.items()
            for part in in_parts(enrolled)
            for row in fitting_rows(part, partial(self._row, code, publisher))
        ]

    def _row(
        self, code: str, publisher: str, part: Sequence[tuple[CloudEvent, dict[str, Any]]]
    ) -> OutboxRow:
        event_id = announcement_id(part[0][0])
        body = {
            "specversion": "1.0",
            "id": event_id,
            "source": self.source,
            "type": events.ENROLMENT_PARTICIPANTS_ENROLLED,
            "time": self.time,
            "datacontenttype": "application/json",
            "data": {
                "cohort_code": code,
                "publisher": publisher,
                "participants": [participant for _, participant in part],
                "enrolled_at": self.enrolled_at,
            },
            "subject": code,
        }
        return OutboxRow(ENROLMENT_EVENTS, code, event_id, orjson.dumps(body))


def participant_data(data: ingest.ParticipantRegistered) -> dict[str, Any]:
    """The registration's participant as `Participant` dumps it to JSON (same fields, order)."""
    return {
        "nip": data.nip,
        "name": data.name,
        "asn_type": data.asn_type,
        "gender": data.gender,
        "position": data.position,
        "rank": data.rank,
        "agency": data.agency,
        "region": data.region,
    }


def json_instant(at: dt.datetime) -> str:
    """An instant as the contract's models write it to JSON."""
    text: str = _INSTANT.dump_python(at, mode="json")
    return text


def announcement_id(first: CloudEvent) -> str:
    """A part's event id, from its first registration's inbox key: a registration is applied
    at most once and is in one part only, so no two parts share it."""
    digest = hashlib.blake2b(f"{first.source}\x1f{first.id}".encode(), digest_size=16)
    return f"participants-enrolled:{digest.hexdigest()}"
