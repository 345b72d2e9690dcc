"""A close's figures per participant: participants who attended alike share one computation,
and nobody gets another's figures because their marks have the same statuses elsewhere."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from services.attendance.adapters.postgres import RosterRow
from services.attendance.domain import Session, finalise_roster

START = dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC)
# Two sessions of 2 JP and one of 6: which session was missed decides the rate.
SESSIONS = [
    Session(no, (START + dt.timedelta(days=no)).date(), START.time(), START.time(), Decimal(jp))
    for no, jp in ((1, 2), (2, 2), (3, 6))
]


def _member(n: int, withdrawn: bool = False) -> RosterRow:
    return RosterRow(f"19800101200501100{n}", f"Peserta {n}", withdrawn)


def test_each_participant_gets_the_figures_of_their_own_marks() -> None:
    a, b, c, d = (_member(n) for n in range(1, 5))
    gone = _member(5, withdrawn=True)
    marks = {
        a.nip: {1: "HADIR", 2: "HADIR", 3: "ALPA"},
        b.nip: {1: "ALPA", 2: "HADIR", 3: "HADIR"},  # the same statuses, another session
        c.nip: {1: "HADIR", 2: "HADIR", 3: "ALPA"},  # as a
        gone.nip: {1: "HADIR", 2: "HADIR", 3: "HADIR"},
    }
    results = finalise_roster(SESSIONS, [a, b, c, d, gone], marks)
    assert {nip: f.rate_pct for nip, f in results.items()} == {
        a.nip: Decimal(40),
        b.nip: Decimal(80),
        c.nip: Decimal(40),
        d.nip: Decimal(0),  # no marks at all
    }
    assert results[a.nip].missed_by_status == {"IZIN": 0, "SAKIT": 0, "ALPA": 1, "UNRECORDED": 0}
    assert results[d.nip].missed_by_status["UNRECORDED"] == 3
    assert results[a.nip] is results[c.nip]  # computed once for both
