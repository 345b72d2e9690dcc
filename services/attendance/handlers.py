"""Attendance handlers: one per incoming event type; load, apply the rule, save, emit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.attendance import domain
from services.attendance.adapters import postgres as repo
from shared.barrier import has_barrier, record_close
from shared.consumer import (
    Handled,
    Route,
    UnitOfWork,
    waiting_for_cohort,
    waiting_for_enrolment,
)
from shared.envelope import CloudEvent, EnvelopeError, RecordPosition, validate_data
from shared.events import domain as ev
from shared.events.ingest import ATTENDANCE_RECORDED, COHORT_CLOSED, AttendanceRecorded
from shared.reasons import ReasonCode
from shared.topics import ATTENDANCE_EVENTS

UNRECORDED = "UNRECORDED"


# --- ingest --------------------------------------------------------------------------------


async def on_attendance_recorded(uow: UnitOfWork, event: CloudEvent) -> Handled:
    """One mark: the same decision as a run of one."""
    return (await on_attendance_run(uow, [event]))[0]


async def on_attendance_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """The hot path, set-based: one context read and one upsert for a whole run of marks.

    Marks do not change what other marks are checked against (cohort, roster, barrier), so
    one read serves the run; supersession is by (time, id), so order within it is irrelevant.
    """
    outcomes: list[Handled | None] = [None] * len(events)
    valid: list[tuple[int, CloudEvent, AttendanceRecorded]] = []
    for index, event in enumerate(events):
        try:
            valid.append((index, event, validate_data(event, AttendanceRecorded)))
        except EnvelopeError as error:
            outcomes[index] = Handled.rejected(error.code, error.message_id, error.message_en)
    keys = [
        repo.MarkKey(d.cohort_code, d.nip, d.session_no, e.position or RecordPosition("", 0, 0))
        for _, e, d in valid
    ]
    contexts = await repo.mark_contexts(uow.conn, keys) if keys else []
    marks: list[repo.Mark] = []
    for (index, event, data), ctx in zip(valid, contexts, strict=True):
        decision = _judge(ctx, event, data)
        if isinstance(decision, _Park):
            outcomes[index] = await uow.park(event, decision.waiting_for, decision.reject_code)
            continue
        if decision is None:
            marks.append(
                repo.Mark(
                    data.cohort_code,
                    data.nip,
                    data.session_no,
                    data.status.value,
                    data.note,
                    event.id,
                    event.time,
                )
            )
            decision = Handled.applied()
        outcomes[index] = decision
    await repo.save_marks(uow.conn, marks)
    return [o for o in outcomes if o is not None]


@dataclass(frozen=True)
class _Park:
    waiting_for: str
    reject_code: ReasonCode


def _judge(
    ctx: repo.MarkContext | None, event: CloudEvent, data: AttendanceRecorded
) -> Handled | _Park | None:
    """A rejection, a reason to wait, or None: the mark is to be saved."""
    code = data.cohort_code
    if ctx is None:
        return _Park(waiting_for_cohort(code), ReasonCode.UNKNOWN_COHORT)
    if ctx.publisher != event.publisher:
        return Handled.rejected(
            ReasonCode.NOT_OWNER,
            f"Angkatan {code} milik penerbit {ctx.publisher}.",
            f"Cohort {code} belongs to publisher {ctx.publisher}.",
        )
    if ctx.status == "cancelled":
        return Handled.rejected(ReasonCode.COHORT_CANCELLED)
    if ctx.sent_after_close:
        return Handled.rejected(
            ReasonCode.COHORT_CLOSED,
            "Presensi dikirim setelah angkatan ditutup.",
            "Attendance was sent after the cohort was closed.",
        )
    if not ctx.session_known:
        return Handled.rejected(
            ReasonCode.UNKNOWN_SESSION,
            f"Sesi {data.session_no} tidak ada dalam jadwal {code}.",
            f"Session {data.session_no} is not in the schedule of {code}.",
        )
    if ctx.withdrawn:
        return Handled.rejected(
            ReasonCode.NOT_ENROLLED,
            "Peserta sudah mengundurkan diri dari angkatan ini.",
            "The participant has withdrawn from this cohort.",
        )
    if not ctx.enrolled:
        if ctx.roster_final:
            return Handled.rejected(ReasonCode.NOT_ENROLLED)
        # Enrolment may still be in flight on the domain topic: wait for it.
        return _Park(waiting_for_enrolment(code, data.nip), ReasonCode.NOT_ENROLLED)
    if ctx.status == "finalised":
        return Handled.rejected(ReasonCode.COHORT_CLOSED)
    return None


async def on_ingest_cohort_closed(uow: UnitOfWork, event: CloudEvent) -> Handled:
    """The owner's close as this service's ingest consumer passes it: the close barrier."""
    code = await record_close(uow.conn, event)
    if code is not None:
        await _finalise_if_ready(uow, code)
    return Handled.applied()


# --- enrolment domain events -----------------------------------------------------------------


async def on_cohort_info(uow: UnitOfWork, event: CloudEvent) -> Handled:
    """A first schedule or an amendment: both carry the whole cohort."""
    info = validate_data(event, ev.CohortInfo)
    await repo.save_cohort(uow.conn, info)
    await uow.unpark(waiting_for_cohort(info.cohort_code))
    return Handled.applied()


async def on_cohort_cancelled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.CohortCancelled)
    await repo.cancel_cohort(uow.conn, data.cohort_code)
    await uow.unpark_cohort(data.cohort_code)  # re-run now: rejected COHORT_CANCELLED
    return Handled.applied()


async def on_participant_enrolled(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.ParticipantEnrolled)
    await repo.enrol(
        uow.conn, data.cohort_code, data.participant.nip, data.participant.name, data.enrolled_at
    )
    await uow.unpark(waiting_for_enrolment(data.cohort_code, data.participant.nip))
    return Handled.applied()


async def on_participant_withdrawn(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.ParticipantWithdrawn)
    await repo.withdraw(uow.conn, data.cohort_code, data.nip, data.withdrawn_at)
    await uow.unpark(waiting_for_enrolment(data.cohort_code, data.nip))
    return Handled.applied()


async def on_cohort_closed(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.CohortClosed)
    await repo.mark_closed(uow.conn, data.cohort_code, data.cause.event_id, data.closed_at)
    await _finalise_if_ready(uow, data.cohort_code)
    return Handled.applied()


# --- finalisation ----------------------------------------------------------------------------


async def _finalise_if_ready(uow: UnitOfWork, code: str) -> None:
    """Whichever of the domain close and its ingest barrier arrives last finalises: only then
    has this service seen every mark sent before the close."""
    cohort = await repo.cohort(uow.conn, code)
    if cohort is None or cohort.status != "scheduled" or cohort.close_event_id is None:
        return
    if not await has_barrier(uow.conn, code, cohort.close_event_id):
        return
    if not await repo.mark_finalised(uow.conn, code, uow.now):
        return
    await _finalise(uow, cohort)
    # The roster is final: what still waits for an enrolment is rejected NOT_ENROLLED now.
    await uow.unpark_cohort(code)


async def _finalise(uow: UnitOfWork, cohort: repo.CohortRow) -> None:
    code = cohort.cohort_code
    # Only number and JP matter to the rate; the local date is the API's business.
    schedule = [
        domain.Session(s.no, s.starts_at.date(), s.starts_at.time(), s.ends_at.time(), s.jp)
        for s in await repo.sessions(uow.conn, code)
    ]
    marks = await repo.marks(uow.conn, code)
    results: dict[str, domain.Finalisation] = {}
    for member in await repo.roster(uow.conn, code):
        if not member.withdrawn:
            own = {no: domain.AttendanceStatus(s) for no, s in marks.get(member.nip, {}).items()}
            results[member.nip] = domain.finalise(schedule, own)
    rows = [
        (
            nip,
            f.jp_present,
            f.jp_total,
            domain.pct_as_decimal(f.rate_pct),
            f.sessions_total,
            f.sessions_present,
            missed_by_status(f),
            uow.now,
        )
        for nip, f in results.items()
    ]
    new = await repo.save_finalisations(uow.conn, code, rows)
    for nip in sorted(new):
        f = results[nip]
        uow.emit(
            ATTENDANCE_EVENTS,
            ev.ParticipantFinalised(
                cohort_code=code,
                publisher=cohort.publisher,
                nip=nip,
                jp_present=f.jp_present,
                jp_total=f.jp_total,
                rate_pct=domain.pct_as_decimal(f.rate_pct),
                sessions_total=f.sessions_total,
                sessions_present=f.sessions_present,
                missed_by_status=missed_by_status(f),
                finalised_at=uow.now,
            ),
            subject=code,
            event_id=f"attendance:finalised:{code}:{nip}",
        )
    uow.emit(
        ATTENDANCE_EVENTS,
        ev.CohortFinalised(
            cohort_code=code,
            publisher=cohort.publisher,
            participants=len(results),
            finalised_at=uow.now,
        ),
        subject=code,
        event_id=f"attendance:cohort-finalised:{code}",
    )


def missed_by_status(result: domain.Finalisation) -> dict[str, int]:
    missed = {s.value: n for s, n in result.sessions_missed_by_status.items()}
    missed[UNRECORDED] = result.sessions_unrecorded
    return missed


_ATTENDANCE = Route(on_attendance_recorded, batch=on_attendance_run)

INGEST_ROUTES: dict[str, Route] = {
    ATTENDANCE_RECORDED: _ATTENDANCE,
    # Enrolment owns the close and reports on it; we only note where it sits in the log.
    COHORT_CLOSED: Route(on_ingest_cohort_closed, reports=False),
}

DOMAIN_ROUTES: dict[str, Route] = {
    "diklat.enrolment.cohort_scheduled.v1": Route(on_cohort_info),
    "diklat.enrolment.cohort_amended.v1": Route(on_cohort_info),
    "diklat.enrolment.cohort_cancelled.v1": Route(on_cohort_cancelled),
    "diklat.enrolment.cohort_closed.v1": Route(on_cohort_closed),
    "diklat.enrolment.participant_enrolled.v1": Route(on_participant_enrolled),
    "diklat.enrolment.participant_withdrawn.v1": Route(on_participant_withdrawn),
}
