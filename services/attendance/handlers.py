"""Attendance handlers: one per incoming event type; load, apply the rule, save, emit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.attendance import domain
from services.attendance.adapters import postgres as repo
from shared.barrier import confirm_closes, note_closes, refuse_closes, waiting_for_close
from shared.consumer import (
    Handled,
    Route,
    UnitOfWork,
    applied_unless_invalid,
    validated_run,
    waiting_for_cohort,
    waiting_for_enrolment,
)
from shared.envelope import CloudEvent, RecordPosition, validate_data
from shared.events import domain as ev
from shared.events.ingest import ATTENDANCE_RECORDED, COHORT_CLOSED, AttendanceRecorded
from shared.reasons import ReasonCode
from shared.topics import ATTENDANCE_EVENTS

# --- ingest --------------------------------------------------------------------------------


async def on_attendance_recorded(uow: UnitOfWork, event: CloudEvent) -> Handled:
    """One mark: the same decision as a run of one."""
    return (await on_attendance_run(uow, [event]))[0]


async def on_attendance_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """The hot path, set-based: one context read and one upsert for a whole run of marks.

    Marks do not change what other marks are checked against (cohort, roster, barrier), so
    one read serves the run; supersession is by (time, id), so order within it is irrelevant.
    """
    outcomes, valid = validated_run(events, AttendanceRecorded)
    keys = [
        repo.MarkKey(d.cohort_code, d.nip, d.session_no, *(e.position or RecordPosition("", 0, 0)))
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
    if ctx.awaits_close_verdict:
        # Sent after a close enrolment has not ruled on yet: closed or not, we cannot tell.
        return _Park(waiting_for_close(code), ReasonCode.COHORT_CLOSED)
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
    return (await on_ingest_close_run(uow, [event]))[0]


async def on_ingest_close_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """The closes as this service's ingest consumer passes them: the close barriers."""
    outcomes, codes = await note_closes(uow.conn, events)
    await _finalise_ready(uow, codes)
    return outcomes


async def on_ingest_close_duplicate(uow: UnitOfWork, event: CloudEvent) -> None:
    """A close whose id we saw on another record (a mark, say) is still a close on the log:
    enrolment may have accepted it, and it needs us to have passed it."""
    await on_ingest_close_run(uow, [event])


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
    return (await on_participant_enrolled_run(uow, [event]))[0]


async def on_participant_enrolled_run(
    uow: UnitOfWork, events: Sequence[CloudEvent]
) -> list[Handled]:
    """A run of enrolments (an organiser's spreadsheet): one upsert, one unpark. One at a time
    this service took ~1.5 ms an enrolment and fell ever further behind the enrolment service."""
    outcomes, valid = applied_unless_invalid(events, ev.ParticipantEnrolled)
    await repo.enrol_many(
        uow.conn,
        [(d.cohort_code, d.participant.nip, d.participant.name, d.enrolled_at) for _, d in valid],
    )
    await uow.unpark_many(
        [waiting_for_enrolment(d.cohort_code, d.participant.nip) for _, d in valid]
    )
    return outcomes


async def on_participant_withdrawn(uow: UnitOfWork, event: CloudEvent) -> Handled:
    data = validate_data(event, ev.ParticipantWithdrawn)
    await repo.withdraw(uow.conn, data.cohort_code, data.nip, data.withdrawn_at)
    await uow.unpark(waiting_for_enrolment(data.cohort_code, data.nip))
    return Handled.applied()


async def on_cohort_closed(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return (await on_cohort_closed_run(uow, [event]))[0]


async def on_cohort_closed_run(uow: UnitOfWork, events: Sequence[CloudEvent]) -> list[Handled]:
    """Enrolment's closes, set-based: many cohorts closed at once are finalised in a handful
    of statements, not a dozen round trips each (they are independent of one another)."""
    outcomes, valid = applied_unless_invalid(events, ev.CohortClosed)
    closes = [d for _, d in valid]
    await repo.mark_closed_many(
        uow.conn, [(d.cohort_code, d.cause.event_id, d.closed_at) for d in closes]
    )
    await confirm_closes(uow.conn, closes)
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
    await refuse_closes(uow.conn, [d for _, d in valid])
    await uow.unpark_many([waiting_for_close(d.cohort_code) for _, d in valid])
    return outcomes


# --- finalisation ----------------------------------------------------------------------------


async def _finalise_ready(uow: UnitOfWork, codes: Sequence[str]) -> None:
    """Whichever of the domain close and its ingest barrier arrives last finalises: only then
    has this service seen every mark sent before the close. Cohorts in the order given."""
    codes = list(dict.fromkeys(codes))
    if not codes:
        return
    ready = {c.cohort_code: c for c in await repo.finalise_ready(uow.conn, codes, uow.now)}
    cohorts = [ready[code] for code in codes if code in ready]
    if not cohorts:
        return
    await _finalise(uow, cohorts)
    # The rosters are final: what still waits for an enrolment is rejected NOT_ENROLLED now.
    await uow.unpark_cohorts([c.cohort_code for c in cohorts])


async def _finalise(uow: UnitOfWork, cohorts: Sequence[repo.CohortRow]) -> None:
    codes = [c.cohort_code for c in cohorts]
    sessions = await repo.sessions_of(uow.conn, codes)
    marks = await repo.marks_of(uow.conn, codes)
    rosters = await repo.rosters_of(uow.conn, codes)
    results = {
        c.cohort_code: _results(
            sessions.get(c.cohort_code, []),
            rosters.get(c.cohort_code, []),
            marks.get(c.cohort_code, {}),
        )
        for c in cohorts
    }
    rows = [
        (code, nip, *_columns(figures, uow.now))
        for code, res in results.items()
        for nip, figures in res.items()
    ]
    new = await repo.save_finalisations_many(uow.conn, rows)
    for cohort in cohorts:
        _announce(uow, cohort, results[cohort.cohort_code], new)


def _results(
    sessions: Sequence[repo.SessionRow],
    roster: Sequence[repo.RosterRow],
    marks: dict[str, dict[int, str]],
) -> dict[str, domain.Figures]:
    """Each enrolled, not withdrawn participant's finalisation; no marks means rate 0.

    Participants with the same marks share one result: most of a cohort attended alike, and
    the rule and its figures are most of a close's work here."""
    # Only number and JP matter to the rate; the local date is the API's business.
    schedule = [
        domain.Session(s.no, s.starts_at.date(), s.starts_at.time(), s.ends_at.time(), s.jp)
        for s in sessions
    ]
    alike: dict[frozenset[tuple[int, str]], domain.Figures] = {}
    results: dict[str, domain.Figures] = {}
    for member in roster:
        if not member.withdrawn:
            own = marks.get(member.nip, {})
            key = frozenset(own.items())
            if (figures := alike.get(key)) is None:
                statuses = {no: domain.AttendanceStatus(s) for no, s in own.items()}
                figures = alike[key] = domain.figures(domain.finalise(schedule, statuses))
            results[member.nip] = figures
    return results


def _columns(f: domain.Figures, at: dt.datetime) -> tuple[Any, ...]:
    return (
        f.jp_present,
        f.jp_total,
        f.rate_pct,
        f.sessions_total,
        f.sessions_present,
        f.missed_by_status,
        at,
    )


def _announce(
    uow: UnitOfWork,
    cohort: repo.CohortRow,
    results: dict[str, domain.Figures],
    new: set[tuple[str, str]],
) -> None:
    """Participants finalised now (by NIP), then the cohort, exactly once across replays."""
    code = cohort.cohort_code
    for nip in sorted(nip for nip in results if (code, nip) in new):
        f = results[nip]
        uow.emit(
            ATTENDANCE_EVENTS,
            ev.ParticipantFinalised(
                cohort_code=code,
                publisher=cohort.publisher,
                nip=nip,
                jp_present=f.jp_present,
                jp_total=f.jp_total,
                rate_pct=f.rate_pct,
                sessions_total=f.sessions_total,
                sessions_present=f.sessions_present,
                missed_by_status=f.missed_by_status,
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


_ATTENDANCE = Route(on_attendance_recorded, batch=on_attendance_run)

INGEST_ROUTES: dict[str, Route] = {
    ATTENDANCE_RECORDED: _ATTENDANCE,
    # Enrolment owns the close and reports on it; we only note where it sits in the log.
    COHORT_CLOSED: Route(
        on_ingest_cohort_closed,
        reports=False,
        batch=on_ingest_close_run,
        duplicate=on_ingest_close_duplicate,
    ),
}

DOMAIN_ROUTES: dict[str, Route] = {
    "diklat.enrolment.cohort_scheduled.v1": Route(on_cohort_info),
    "diklat.enrolment.cohort_amended.v1": Route(on_cohort_info),
    "diklat.enrolment.cohort_cancelled.v1": Route(on_cohort_cancelled),
    "diklat.enrolment.cohort_closed.v1": Route(on_cohort_closed, batch=on_cohort_closed_run),
    "diklat.enrolment.close_refused.v1": Route(on_close_refused, batch=on_close_refused_run),
    "diklat.enrolment.participant_enrolled.v1": Route(
        on_participant_enrolled, batch=on_participant_enrolled_run
    ),
    "diklat.enrolment.participant_withdrawn.v1": Route(on_participant_withdrawn),
}
