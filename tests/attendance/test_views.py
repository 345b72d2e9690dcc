"""The API's pure views: sessions shown on the venue's clock, presence counted per local day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from services.attendance.adapters.postgres import SessionRow
from services.attendance.entrypoints.api import column, daily_counts

UTC = dt.UTC


def _session(no: int, starts_at: dt.datetime) -> SessionRow:
    return SessionRow(
        no=no,
        jp=Decimal(2),
        title=None,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
    )


def test_an_0730_wita_session_is_shown_on_its_local_date_with_the_zone():
    shown = column(_session(1, dt.datetime(2024, 3, 4, 23, 30, tzinfo=UTC)), "Asia/Makassar")
    assert (shown.date, shown.start, shown.end) == (dt.date(2024, 3, 5), "07:30 WITA", "09:30 WITA")


def test_a_wib_session_shows_wib():
    shown = column(_session(1, dt.datetime(2024, 3, 5, 1, 0, tzinfo=UTC)), "Asia/Jakarta")
    assert shown.start == "08:00 WIB"


def test_daily_counts_only_enrolled_participants_and_unrecorded_sessions():
    columns = [
        column(_session(n, dt.datetime(2024, 7, d, 21, 0, tzinfo=UTC)), "Asia/Jayapura")
        for n, d in ((1, 1), (2, 1), (3, 2))
    ]
    marks = {"a": {1: "HADIR", 2: "TERLAMBAT", 3: "SAKIT"}, "b": {1: "IZIN"}, "gone": {1: "HADIR"}}
    days = daily_counts(columns, ["a", "b"], marks)
    assert [(d.date, d.sessions, d.present, d.unrecorded) for d in days] == [
        (dt.date(2024, 7, 2), [1, 2], 2, 1),
        (dt.date(2024, 7, 3), [3], 0, 1),
    ]
    assert days[0].absent_by_status == {"IZIN": 1, "SAKIT": 0, "ALPA": 0}
    assert days[1].absent_by_status["SAKIT"] == 1
