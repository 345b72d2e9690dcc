"""Attendance handlers: one per incoming event type; load, apply the rule, save, emit."""

from __future__ import annotations

from collections.abc import Sequence

from services.attendance import domain
from services.attendance.ports import CohortRow, repository
from shared import judgement
from shared.barrier import (
    confirmed_barriers,
    noted_barriers,
    refused_barriers,
    waiting_for_close,
    waiting_key,
)
from shared.consumer import (
    Handled,
    Route,
    RouteTable,
    UnitOfWork,
    applied_unless_invalid,
    route_table,
    validated_run,
    waiting_for_cohort,
    waiting_for_enrolment,
)
from shared.envelope import CloudEvent, RecordPosition, validate_data
from shared.events import domain as ev
from shared.events.ingest import (
    ATTENDANCE_RECORDED,
    COHORT_CLOSED,
    INGEST_TYPES,
    AttendanceRecorded,
)
from shared.events.per_cohort import CohortAttendanceFinalised, FinalFigures, in_parts
from shared.topics import ATTENDANCE_EVENTS

# --- ingest --------------------------------------------------------------------------------


async def on_attendance_recorded(uow: UnitOfWork, event: CloudEvent) -> Handled:
    """One mark: the same decision as a run of one."""
    return (await on_attendance_run(uow, [event]))[0]


async def on_attendance_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """The hot path, set-based: one read of the facts and one upsert for a whole run of marks.

    Marks do not change what other marks are judged against (cohort, roster, barriers), so
    one read serves the run; the winner is by (time, id), so order within it is irrelevant.
    """
    outcomes, valid = validated_run(events, AttendanceRecorded)
    marks = [
        domain.Mark(d.cohort_code, d.nip, d.session_no, d.status.value, d.note, e.id, e.time)
        for _, e, d in valid
    ]
    repo = repository(uow)
    cohorts, held = await repo.mark_facts(marks) if marks else ({}, {})
    counted: list[domain.Mark] = []
    for (index, event, _), mark in zip(valid, marks, strict=True):
        position = event.position or _NOWHERE
        decision = domain.judge(cohorts.get(mark.cohort_code), mark, event.publisher, position)
        if isinstance(decision, judgement.Save):
            counted.append(mark)
            outcomes[index] = Handled.applied()
        elif isinstance(decision, judgement.Wait):
            key = waiting_key(decision.waiting, mark.cohort_code, mark.nip)
            outcomes[index] = await uow.park(event, key, decision.reason)
        else:
            outcomes[index] = Handled.rejected(
                decision.reason, decision.message_id, decision.message_en
            )
    await repo.save_marks(domain.winning_marks(counted, held))
    return [o for o in outcomes if o is not None]


_NOWHERE = RecordPosition("", 0, 0)


async def on_ingest_cohort_closed(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_ingest_close_run(uow, [event]))[0]


async def on_ingest_close_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """The closes as this service's ingest consumer passes them: the close barriers."""
    outcomes, barriers = noted_barriers(events)
    await repository(uow).note_barriers(barriers)
    await _finalise_ready(uow, [barrier[0] for barrier in barriers])
    return outcomes


async def on_ingest_close_duplicate(uow: UnitOfWork, event: CloudEvent) -> None:
    """A close whose id we saw on another record (a mark, say) is still a close on the log:
    enrolment may have accepted it, and it needs us to have passed it."""
    await on_ingest_close_run(uow, [event])


# --- enrolment domain events -----------------------------------------------------------------


async def on_cohort_info(uow: UnitOfWork, event: CloudEvent) -> Handled:
    """A first schedule or an amendment: both carry the whole cohort."""
    info = validate_data(event, ev.CohortInfo)
    await repository(uow).save_cohort(info)
    await uow.unpark(waiting_for_cohort(info.cohort_code))
    return Handled.applied()


async def on_cohort_cancelled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.CohortCancelled)
    await repository(uow).cancel_cohort(data.cohort_code)
    await uow.unpark_cohort(data.cohort_code)  # re-run now: rejected COHORT_CANCELLED
    return Handled.applied()


async def on_participant_enrolled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_participant_enrolled_run(uow, [event]))[0]


async def on_participant_enrolled_run(
    uow: UnitOfWork, events: Sequence[CloudEvent]
) -> list[Handled]:
    """A run of enrolments (an organiser's spreadsheet): one upsert, one unpark. One at a time
    this service took ~1.5 ms an enrolment and fell ever further behind the enrolment service."""
    outcomes, valid = applied_unless_invalid(events, ev.ParticipantEnrolled)
    await _enrol(uow, [d for _, d in valid])
    return outcomes


async def on_participants_enrolled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_participants_enrolled_run(uow, [event]))[0]


async def on_participants_enrolled_run(
    uow: UnitOfWork, events: Sequence[CloudEvent]
) -> list[Handled]:
    """Registration runs' enrolments (one event per cohort and run): as the per-participant
    events, in one upsert."""
    outcomes, valid = applied_unless_invalid(events, ev.ParticipantsEnrolled)
    await _enrol(uow, [e for _, d in valid for e in ev.enrolments_in(d)])
    return outcomes


async def _enrol(uow: UnitOfWork, enrolled: Sequence[ev.ParticipantEnrolled]) -> None:
    await repository(uow).enrol_many(
        [(d.cohort_code, d.participant.nip, d.participant.name, d.enrolled_at) for d in enrolled],
    )
    await uow.unpark_many(
        [waiting_for_enrolment(d.cohort_code, d.participant.nip) for d in enrolled]
    )


async def on_participant_withdrawn(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.ParticipantWithdrawn)
    await repository(uow).withdraw(data.cohort_code, data.nip, data.withdrawn_at)
    await uow.unpark(waiting_for_enrolment(data.cohort_code, data.nip))
    return Handled.applied()


async def on_cohort_closed(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_cohort_closed_run(uow, [event]))[0]


async def on_cohort_closed_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """Enrolment's closes, set-based: many cohorts closed at once are finalised in a handful
    of statements, not a dozen round trips each (they are independent of one another)."""
    outcomes, valid = applied_unless_invalid(events, ev.CohortClosed)
    closes = [d for _, d in valid]
    repo = repository(uow)
    await repo.mark_closed_many([(d.cohort_code, d.cause.event_id, d.closed_at) for d in closes])
    await repo.rule_barriers(confirmed_barriers(closes))
    await _finalise_ready(uow, [d.cohort_code for d in closes])
    # Marks sent after the close waited for this word: now they are rejected COHORT_CLOSED.
    await uow.unpark_many([waiting_for_close(d.cohort_code) for d in closes])
    return outcomes


async def on_close_refused(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_close_refused_run(uow, [event]))[0]


async def on_close_refused_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """Closes enrolment did not apply: their barriers are dropped, and the marks that waited
    for the verdict are judged as if the record had never been sent."""
    outcomes, valid = applied_unless_invalid(events, ev.CloseRefused)
    await repository(uow).rule_barriers(refused_barriers([d for _, d in valid]))
    await uow.unpark_many([waiting_for_close(d.cohort_code) for _, d in valid])
    return outcomes


# --- finalisation ----------------------------------------------------------------------------


async def _finalise_ready(uow: UnitOfWork, codes: Sequence[str]) -> None:
    """Whichever of the domain close and its ingest barrier arrives last finalises: only then
    has this service seen every mark sent before the close. Cohorts in the order given."""
    codes = list(dict.fromkeys(codes))
    if not codes:
        return
    ready = {c.cohort_code: c for c in await repository(uow).finalise_ready(codes, uow.now)}
    cohorts = [ready[code] for code in codes if code in ready]
    if not cohorts:
        return
    await _finalise(uow, cohorts)
    # The rosters are final: what still waits for an enrolment is rejected NOT_ENROLLED now.
    await uow.unpark_cohorts([c.cohort_code for c in cohorts])


async def _finalise(uow: UnitOfWork, cohorts: Sequence[CohortRow]) -> None:
    repo = repository(uow)
    codes = [c.cohort_code for c in cohorts]
    schedules = await repo.schedules_of(codes)
    marks = await repo.marks_of(codes)
    rosters = await repo.rosters_of(codes)
    results = {
        code: domain.finalise_roster(
            schedules.get(code, []), rosters.get(code, []), marks.get(code, {})
        )
        for code in codes
    }
    new = await repo.save_finalisations_many(results, uow.now)
    for cohort in cohorts:
        _announce(uow, cohort, results[cohort.cohort_code], new)


def _announce(
    uow: UnitOfWork,
    cohort: CohortRow,
    results: dict[str, domain.Figures],
    new: set[tuple[str, str]],
) -> None:
    """The cohort's finalisation, one event per part (participants by NIP), each participant
    in it once across replays: who was finalised now."""
    code = cohort.cohort_code
    finalised = [_final_figures(nip, results[nip]) for nip in sorted(results) if (code, nip) in new]
    parts = in_parts(finalised)
    for part, figures in enumerate(parts, start=1):
        uow.emit(
            ATTENDANCE_EVENTS,
            CohortAttendanceFinalised(
                cohort_code=code,
                publisher=cohort.publisher,
                part=part,
                parts=len(parts),
                participants=len(finalised),
                results=list(figures),
                finalised_at=uow.now,
            ),
            subject=code,
            event_id=f"attendance:cohort-finalised-v2:{code}:{part}",
        )


def _final_figures(nip: str, f: domain.Figures) -> FinalFigures:
    return FinalFigures(
        nip=nip,
        jp_present=f.jp_present,
        jp_total=f.jp_total,
        rate_pct=f.rate_pct,
        sessions_total=f.sessions_total,
        sessions_present=f.sessions_present,
        missed_by_status=f.missed_by_status,
    )


_ATTENDANCE = Route(on_attendance_recorded, batch=on_attendance_run)

INGEST_ROUTES: RouteTable = route_table(
    INGEST_TYPES,
    {
        ATTENDANCE_RECORDED: _ATTENDANCE,
        # Enrolment owns the close and reports on it; we only note where it sits in the log.
        COHORT_CLOSED: Route(
            on_ingest_cohort_closed,
            reports=False,
            batch=on_ingest_close_run,
            duplicate=on_ingest_close_duplicate,
        ),
    },
)

DOMAIN_ROUTES: RouteTable = route_table(
    ev.DOMAIN_TYPES,
    {
        ev.ENROLMENT_COHORT_SCHEDULED: Route(on_cohort_info),
        ev.ENROLMENT_COHORT_AMENDED: Route(on_cohort_info),
        ev.ENROLMENT_COHORT_CANCELLED: Route(on_cohort_cancelled),
        ev.ENROLMENT_COHORT_CLOSED: Route(on_cohort_closed, batch=on_cohort_closed_run),
        ev.ENROLMENT_CLOSE_REFUSED: Route(on_close_refused, batch=on_close_refused_run),
        ev.ENROLMENT_PARTICIPANT_ENROLLED: Route(
            on_participant_enrolled, batch=on_participant_enrolled_run
        ),
        ev.ENROLMENT_PARTICIPANTS_ENROLLED: Route(
            on_participants_enrolled, batch=on_participants_enrolled_run
        ),
        ev.ENROLMENT_PARTICIPANT_WITHDRAWN: Route(on_participant_withdrawn),
    },
)
