"""Certification's cohort as enrolment and attendance publish it: Jambi (15), 2022, four 5-JP
sessions from 15 February, closed and finalised on 24 May 2022 (`NOW`).

The events are `builders.domain`'s, dated `NOW` and described as this cohort's participants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from functools import partial

from builders import domain
from builders.calendar import working_days
from builders.ingest import ingest_event
from shared.events.domain import CohortScheduled
from shared.events.ingest import CompletionPolicy
from tests.support import Publisher

NOW = dt.datetime(2022, 5, 24, 10, 0, tzinfo=dt.UTC)
START = dt.date(2022, 2, 15)
SESSIONS = [
    (no, day, "08:00", "12:00", "5")
    for no, day in enumerate(working_days(START, 4, skip_weekend=False), start=1)
]


def cohort(
    code: str,
    publisher: str,
    *,
    evaluation_required: bool = False,
    min_attendance_pct: str = "90",
    pass_score: str = "60.01",
    programme: str = "Pelatihan Kepemimpinan Administrator",
) -> CohortScheduled:
    policy = CompletionPolicy(
        min_attendance_pct=Decimal(min_attendance_pct),
        evaluation_required=evaluation_required,
        pass_score=Decimal(pass_score),
    )
    return domain.scheduled(
        code,
        publisher,
        "Asia/Jakarta",
        SESSIONS,
        titled=None,
        programme=programme,
        category="kepemimpinan_pka",
        organizer="BPSDM Provinsi Jambi",
        year=2022,
        angkatan="IV",
        location="Jambi",
        completion=policy,
        end_date=NOW.date(),
    )


# Who the test cohort's participants are, one at a time or a registration run at once.
_PERSON = {
    "position": "Camat",
    "rank": "Penata Tk. I (III/d)",
    "agency": "Pemerintah Kabupaten Muaro Jambi",
    "region": "15",
}
enrolled = partial(domain.enrolled, **_PERSON, at=NOW)
participants_enrolled = partial(domain.participants_enrolled, **_PERSON, at=NOW)
withdrawn = partial(domain.withdrawn, reason="tugas dinas", at=NOW)
closed = partial(domain.closed, at=NOW)
finalised = partial(domain.finalised, at=NOW)
cohort_finalised = partial(domain.cohort_finalised, at=NOW)
cohort_attendance = partial(domain.cohort_attendance, at=NOW)
send_domain = partial(domain.send_domain, time=NOW)


async def complete_cohort(pub: Publisher, code: str, nips: Sequence[str]) -> None:
    """A cohort without evaluation whose participants all attended everything, closed by its
    organiser and finalised."""
    await send_domain(pub, cohort(code, "15"))
    for index, nip in enumerate(nips):
        await send_domain(pub, enrolled(code, "15", nip, f"Budi Santoso {index}"))
    close = ingest_event("cohort.closed", {"cohort_code": code}, "15")
    await pub.send("15", close)
    await send_domain(pub, closed(code, "15", close["id"], enrolled=len(nips)))
    results = [finalised(code, "15", nip, "20") for nip in nips]
    await send_domain(pub, cohort_attendance(code, "15", results))
