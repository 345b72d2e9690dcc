"""Working days, as organisers schedule sessions."""

from __future__ import annotations

import datetime as dt

# The instant builders date events at unless told otherwise (a Friday before the sessions).
T0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)


def working_days(
    start: dt.date, count: int, *, step: int = 1, skip_weekend: bool = True
) -> list[dt.date]:
    """`count` days from `start` on, `step` days apart, Saturdays and Sundays skipped unless
    `skip_weekend=False`."""
    days: list[dt.date] = []
    day = start
    while len(days) < count:
        if not skip_weekend or day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=step)
    return days
