"""Certification handlers: evaluations in, completion decided at close, certificates issued once.

A participant is decided when three things are all present, whichever arrives last: the
enrolment CohortClosed (naming its ingest cause), this service's own close barrier for that
cause, and the participant's attendance (a part of the cohort's CohortAttendanceFinalised, or
a ParticipantFinalised in history before it). Withdrawn participants are decided when the
cohort's finalisation is complete (its last part, or v1's CohortFinalised). The decisions
table's primary key and the partial unique index on valid certificates make every step
idempotent under redelivery.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.certification import domain, repository
from services.certification.completion import decide_all, decide_due
from shared import judgement
from shared.barrier import waiting_for_close, waiting_key
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
from shared.events.domain import (
    CloseRefused,
    CohortCancelled,
    CohortClosed,
    CohortFinalised,
    CohortInfo,
    ParticipantEnrolled,
    ParticipantFinalised,
    ParticipantsEnrolled,
    ParticipantWithdrawn,
    enrolments_in,
)
from shared.events.ingest import (
    COHORT_CLOSED,
    EVALUATION_RECORDED,
    INGEST_TYPES,
    EvaluationRecorded,
)
from shared.events.per_cohort import CohortAttendanceFinalised
from shared.reasons import ReasonCode

# --- ingest ------------------------------------------------------------------------------


async def on_evaluation_recorded(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, EvaluationRecorded)
    repo = repository.of(uow)
    facts, held_time = await repo.evaluation_facts(data.cohort_code, data.nip)
    decision = domain.judge_evaluation(facts, event.publisher, event.position or _NOWHERE)
    if isinstance(decision, judgement.Wait):
        key = waiting_key(decision.waiting, data.cohort_code, data.nip)
        return await uow.park(event, waiting_for=key, reject_code=decision.reason)
    if isinstance(decision, judgement.Reject):
        return Handled.rejected(decision.reason, decision.message_id, decision.message_en)
    if domain.score_replaces(event.time, held_time):
        await repo.save_evaluation(data.cohort_code, data.nip, data.score, event.id, event.time)
    return Handled.applied()


_NOWHERE = RecordPosition("", 0, 0)


async def on_close_recorded(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_close_recorded_run(uow, [event]))[0]


async def on_close_recorded_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """The closes as seen on our ingest partitions (enrolment reports on them, not us): the
    barriers in one insert, then whatever they made due."""
    outcomes, codes = await repository.of(uow).note_closes(events)
    await decide_due(uow, codes)
    return outcomes


async def on_close_recorded_duplicate(uow: UnitOfWork, event: CloudEvent) -> None:
    """A close whose id we saw on another record (a score, say) is still a close on the log:
    enrolment may have accepted it, and deciding needs us to have passed it."""
    await on_close_recorded_run(uow, [event])


# --- enrolment domain events -------------------------------------------------------------


async def on_cohort_info(uow: UnitOfWork, event: CloudEvent) -> Handled:
    info = validate_data(event, CohortInfo)
    await repository.of(uow).upsert_cohort(info)
    await uow.unpark(waiting_for_cohort(info.cohort_code))
    return Handled.applied()


async def on_cohort_cancelled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, CohortCancelled)
    await repository.of(uow).cancel_cohort(data.cohort_code)
    return Handled.applied()


async def on_cohort_closed(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_cohort_closed_run(uow, [event]))[0]


async def on_cohort_closed_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """Enrolment's closes, set-based: a burst of closes is a handful of statements, not a
    dozen round trips per cohort (cohorts are independent of one another)."""
    outcomes, valid = applied_unless_invalid(events, CohortClosed)
    closes = [d for _, d in valid]
    repo = repository.of(uow)
    await repo.close_cohorts(
        [(d.cohort_code, d.cause.event_id, d.closed_at, d.closed_on) for d in closes]
    )
    await repo.confirm_closes(closes)
    codes = [d.cohort_code for d in closes]
    # The rosters are final: evaluations still waiting for an enrolment are rejected now, and
    # those sent after the close, which waited for this word, too (COHORT_CLOSED).
    await uow.unpark_cohorts(codes)
    await uow.unpark_many([waiting_for_close(code) for code in codes])
    await decide_due(uow, codes)
    return outcomes


async def on_close_refused(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_close_refused_run(uow, [event]))[0]


async def on_close_refused_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """Closes enrolment did not apply: their barriers are dropped, and the evaluations that
    waited for the verdict are judged as if the record had never been sent."""
    outcomes, valid = applied_unless_invalid(events, CloseRefused)
    await repository.of(uow).refuse_closes([d for _, d in valid])
    await uow.unpark_many([waiting_for_close(d.cohort_code) for _, d in valid])
    return outcomes


async def on_participant_enrolled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_participant_enrolled_run(uow, [event]))[0]


async def on_participant_enrolled_run(
    uow: UnitOfWork, events: Sequence[CloudEvent]
) -> list[Handled]:
    """A run of enrolments: one upsert, one unpark."""
    outcomes, valid = applied_unless_invalid(events, ParticipantEnrolled)
    await _enrol(uow, [d for _, d in valid])
    return outcomes


async def on_participants_enrolled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_participants_enrolled_run(uow, [event]))[0]


async def on_participants_enrolled_run(
    uow: UnitOfWork, events: Sequence[CloudEvent]
) -> list[Handled]:
    """Registration runs' enrolments (one event per cohort and run), as the per-participant
    events."""
    outcomes, valid = applied_unless_invalid(events, ParticipantsEnrolled)
    await _enrol(uow, [e for _, d in valid for e in enrolments_in(d)])
    return outcomes


async def _enrol(uow: UnitOfWork, enrolled: Sequence[ParticipantEnrolled]) -> None:
    await repository.of(uow).upsert_enrolments(
        [(d.cohort_code, d.participant.model_dump(mode="json")) for d in enrolled]
    )
    await uow.unpark_many(
        [waiting_for_enrolment(d.cohort_code, d.participant.nip) for d in enrolled]
    )


async def on_participant_withdrawn(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ParticipantWithdrawn)
    await repository.of(uow).withdraw(data.cohort_code, data.nip)
    return Handled.applied()


# --- attendance domain events ------------------------------------------------------------


async def on_participant_finalised_run(
    uow: UnitOfWork, events: Sequence[CloudEvent]
) -> list[Handled]:
    """The hot path after a close, set-based: one attendance insert for the run, one read of
    the cohorts that may decide, one of what is due, and the decisions and certificates of all
    of it in bulk.

    Deciding a participant reads only its own rows and the cohort, which these events do not
    change, so saving the whole run first decides exactly as event by event would."""
    outcomes, checked = applied_unless_invalid(events, ParticipantFinalised)
    valid = [d for _, d in checked]
    repo = repository.of(uow)
    await repo.save_attendances(valid)
    cohorts = await repo.deciding_cohorts(list(dict.fromkeys(d.cohort_code for d in valid)))
    wanted = [
        (d.cohort_code, d.nip, cohorts[d.cohort_code].finalised)
        for d in valid
        if d.cohort_code in cohorts
    ]
    due = {
        (code, candidate.nip): (cohorts[code], candidate)
        for code, candidate in await repo.undecided(wanted)
    }
    # In event order, as event by event (certificate numbers follow it).
    ordered = [due.pop(key) for d in valid if (key := (d.cohort_code, d.nip)) in due]
    await decide_all(uow, ordered)
    return outcomes


async def on_participant_finalised(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_participant_finalised_run(uow, [event]))[0]


async def on_cohort_finalised(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_cohort_finalised_run(uow, [event]))[0]


async def on_cohort_finalised_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """Attendance has finalised these cohorts: their withdrawn participants may be decided.
    Attendance's topic may run ahead of enrolment's here (a replay, a lagging consumer): a
    cohort not scheduled here yet waits for its schedule instead of losing the flag."""
    outcomes, valid = validated_run(events, CohortFinalised)
    marked = await repository.of(uow).mark_finalised([d.cohort_code for _, _, d in valid])
    for index, event, data in valid:
        if data.cohort_code in marked:
            outcomes[index] = Handled.applied()
        else:
            waiting = waiting_for_cohort(data.cohort_code)
            outcomes[index] = await uow.park(event, waiting, ReasonCode.UNKNOWN_COHORT)
    await decide_due(uow, [d.cohort_code for _, _, d in valid if d.cohort_code in marked])
    return [o for o in outcomes if o is not None]


async def on_cohort_attendance(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_cohort_attendance_run(uow, [event]))[0]


async def on_cohort_attendance_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """Cohorts' finalisations (v2), set-based: every part's figures in one insert, the cohorts
    whose last part this is marked finalised (a cohort not scheduled here yet waits for its
    schedule, as v1's CohortFinalised does), then each cohort decided in one pass."""
    outcomes, valid = validated_run(events, CohortAttendanceFinalised)
    repo = repository.of(uow)
    await repo.save_attendances([f for _, _, d in valid for f in ev.finalisations_in(d)])
    marked = await repo.mark_finalised([d.cohort_code for _, _, d in valid if d.last])
    for index, event, data in valid:
        if not data.last or data.cohort_code in marked:
            outcomes[index] = Handled.applied()
        else:
            waiting = waiting_for_cohort(data.cohort_code)
            outcomes[index] = await uow.park(event, waiting, ReasonCode.UNKNOWN_COHORT)
    await decide_due(uow, [d.cohort_code for _, _, d in valid])
    return [o for o in outcomes if o is not None]


_EVALUATION = Route(on_evaluation_recorded)
INGEST_ROUTES: RouteTable = route_table(
    INGEST_TYPES,
    {
        EVALUATION_RECORDED: _EVALUATION,
        COHORT_CLOSED: Route(
            on_close_recorded,
            reports=False,
            batch=on_close_recorded_run,
            duplicate=on_close_recorded_duplicate,
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
        ev.ATTENDANCE_PARTICIPANT_FINALISED: Route(
            on_participant_finalised, batch=on_participant_finalised_run
        ),
        ev.ATTENDANCE_COHORT_FINALISED: Route(on_cohort_finalised, batch=on_cohort_finalised_run),
        ev.ATTENDANCE_COHORT_FINALISED_V2: Route(
            on_cohort_attendance, batch=on_cohort_attendance_run
        ),
    },
)
