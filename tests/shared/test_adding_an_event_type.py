"""The checklist of docs/architecture.md ("Adding an event type"), tried on a small type: a
publisher's `diklat.cohort.noted.v1` (a note on a cohort), owned by a toy service that keeps
the latest note per cohort and announces it. Each step is the real seam a new type goes
through; only the service is made up."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from pydantic import BaseModel, ConfigDict, Field

from shared.asyncapi import REF_TEMPLATE, envelope
from shared.consumer import Handled, NotInContract, Route, UnitOfWork, route_table, validated_run
from shared.envelope import CloudEvent
from shared.events import domain as ev
from shared.reasons import ReasonCode
from tests.handler_fakes import FakeService, logged

pytestmark = pytest.mark.unit
NOW = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)


# 1. The data model and its type constant, in a contract map (shared/events/ingest.py).
class CohortNoted(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    cohort_code: str = Field(min_length=3, max_length=80)
    note: str = Field(min_length=1, max_length=200)


COHORT_NOTED = "diklat.cohort.noted.v1"
TOY_TYPES: dict[str, type[BaseModel]] = {COHORT_NOTED: CohortNoted}


# ...and what the service announces, a domain type (shared/events/domain.py and its map).
class NoteKept(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    cohort_code: str
    note: str


NOTE_KEPT = "diklat.toy.note_kept.v1"


# 3. The rule, pure (services/<svc>/domain.py).
def note_problem(cohort_code: str, publisher: str) -> str | None:
    return None if cohort_code.startswith(f"{publisher}/") else "not this publisher's cohort"


# The repository port and an in-memory adapter (services/<svc>/ports.py, adapters/memory.py).
class Notes:
    def __init__(self) -> None:
        self.latest: dict[str, str] = {}

    def repository(self, conn: object = None) -> Notes:
        return self


# 4. The handler: validate, load, decide, save, emit (services/<svc>/handlers.py).
async def on_notes_run(uow: UnitOfWork, events: list[CloudEvent]) -> list[Handled]:
    notes = cast(Notes, uow.repository)
    outcomes, valid = validated_run(events, CohortNoted)
    for index, event, data in valid:
        problem = note_problem(data.cohort_code, event.publisher or "")
        if problem is not None:
            outcomes[index] = Handled.rejected(ReasonCode.NOT_OWNER, problem, problem)
            continue
        notes.latest[data.cohort_code] = data.note
        kept = NoteKept(cohort_code=data.cohort_code, note=data.note)
        uow.emit("diklat.domain.toy", kept, subject=data.cohort_code)
        outcomes[index] = Handled.applied()
    return [o for o in outcomes if o is not None]


async def on_note(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_notes_run(uow, [event]))[0]


def test_a_route_for_a_type_outside_the_contract_is_refused_at_import() -> None:
    with pytest.raises(NotInContract, match=r"diklat\.cohort\.typo\.v1"):
        route_table(TOY_TYPES, {"diklat.cohort.typo.v1": Route(on_note)})


async def test_the_new_type_goes_through_its_route_to_a_decision_and_an_announcement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(ev.TYPE_OF, NoteKept, NOTE_KEPT)  # step 1 for the domain type
    # 5. The route table, from the contract map: each route carries the contract's model.
    routes = route_table(TOY_TYPES, {COHORT_NOTED: Route(on_note, batch=on_notes_run)})
    assert routes[COHORT_NOTED].model is CohortNoted
    notes = Notes()
    service = FakeService("toy", notes.repository, now=NOW)

    def noted(publisher: str, **data: Any) -> CloudEvent:
        return logged(
            "cohort.noted", data, publisher, event_id=f"n-{publisher}", offset=1, time=NOW
        )

    applied = await service.handle(
        routes[COHORT_NOTED].handler, noted("15", cohort_code="15/A", note="ruang pindah")
    )
    foreign = await service.handle(
        routes[COHORT_NOTED].handler, noted("16", cohort_code="15/A", note="x")
    )
    bad = await service.handle(routes[COHORT_NOTED].handler, noted("15", cohort_code="15/A"))
    assert [h.outcome.value for h in (applied, foreign, bad)] == ["applied", "rejected", "rejected"]
    assert (foreign.reason, bad.reason) == (ReasonCode.NOT_OWNER, ReasonCode.SCHEMA_INVALID)
    assert notes.latest == {"15/A": "ruang pindah"}
    assert service.published() == [(NOTE_KEPT, {"cohort_code": "15/A", "note": "ruang pindah"})]


def test_the_new_type_has_its_asyncapi_message() -> None:
    # 8. The AsyncAPI message is made from the same model.
    schema = envelope(COHORT_NOTED, CohortNoted, "/publishers/{publisher}").model_json_schema(
        ref_template=REF_TEMPLATE
    )
    assert schema["properties"]["type"]["const"] == COHORT_NOTED
    assert set(schema["$defs"]["CohortNoted"]["required"]) == {"cohort_code", "note"}
