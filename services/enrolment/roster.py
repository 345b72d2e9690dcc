"""The roster gate (issue 19): each `diklat.asn.recorded.v1` row is checked (NIP, who may
record whom) against the home regions accepted so far, and an accepted row is announced as
`diklat.enrolment.asn_recorded.v1` for the national view. Load, decide, save, emit."""

from __future__ import annotations

from collections.abc import Sequence

from services.enrolment.announcements import ingest_ref
from services.enrolment.ports import repository
from shared.consumer import Handled, UnitOfWork, validated_run
from shared.envelope import CloudEvent
from shared.events import domain as events
from shared.events import ingest
from shared.events.roster import change_kind, roster_problem
from shared.events.rules import AsnType, Gender, validate_nip
from shared.reasons import ReasonCode
from shared.topics import ENROLMENT_EVENTS


async def on_asn_recorded(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_roster_run(uow, [event]))[0]


async def on_roster_run(uow: UnitOfWork, run: Sequence[CloudEvent]) -> list[Handled]:
    """A run of roster rows (a region's roster upload): home regions read once, rows decided in
    order (an earlier row of the run may have moved the ASN), regions written in one upsert."""
    repo = repository(uow)
    outcomes, valid = validated_run(run, ingest.AsnRecorded)
    regions = await repo.home_regions({row.nip for _, _, row in valid})
    moved: dict[str, str] = {}
    for index, event, row in valid:
        before = regions.get(row.nip)
        refusal = _refusal(uow, event.publisher or "", before, row)
        if refusal is not None:
            outcomes[index] = refusal
            continue
        regions[row.nip] = moved[row.nip] = row.region
        uow.emit(ENROLMENT_EVENTS, _accepted(uow, event, before, row), subject=row.nip)
        outcomes[index] = Handled.applied()
    await repo.record_home_regions(sorted(moved.items()), uow.now)
    return [o for o in outcomes if o is not None]


def _refusal(
    uow: UnitOfWork, publisher: str, before: str | None, row: ingest.AsnRecorded
) -> Handled | None:
    nip = validate_nip(row.nip, AsnType(row.asn_type), Gender(row.gender), today=uow.now.date())
    if nip is not None:
        return Handled.rejected(ReasonCode.INVALID_NIP, nip.message_id, nip.message_en)
    problem = roster_problem(publisher, before, row)
    if problem is not None:
        return Handled.rejected(ReasonCode.NOT_OWNER, problem.message_id, problem.message_en)
    return None


def _accepted(
    uow: UnitOfWork, event: CloudEvent, before: str | None, row: ingest.AsnRecorded
) -> events.RosterEntryRecorded:
    return events.RosterEntryRecorded(
        asn=row,
        publisher=event.publisher or "",
        change=change_kind(before, row),
        previous_region=before,
        recorded_at=uow.now,
        cause=ingest_ref(event),
    )
