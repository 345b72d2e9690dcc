"""Reusable ingest `data` builders for cohorts and participants (used by every service's tests).

Defaults follow seed 001: Kabupaten Tuban (35.23), Kasi Pemerintahan, quota 30, 8 effective
days from 25 Sep 2017 (weekends skipped), 6 JP a day. Pass `start=` a future date to get a
cohort whose schedule may still be amended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from services.enrolment.domain import Gender
from tests.enrolment.nips import make_nip

TUBAN = "35.23"
TUBAN_COHORT = "35.23/KASI-PEM/2017/I"
SEED_001_START = dt.date(2017, 9, 25)


def effective_days(start: dt.date, days: int) -> list[dt.date]:
    """`days` working days from `start` on, skipping Saturdays and Sundays."""
    out: list[dt.date] = []
    day = start
    while len(out) < days:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def daily_sessions(
    start: dt.date = SEED_001_START,
    days: int = 8,
    jp: int | str = 6,
    begin: str = "08:00",
    end: str = "15:00",
) -> list[dict[str, Any]]:
    """One session per effective day, numbered from 1."""
    return [
        {
            "no": i,
            "date": day.isoformat(),
            "start": begin,
            "end": end,
            "jp": str(jp),
            "method": "ceramah",
            "title": f"Hari {i}",
        }
        for i, day in enumerate(effective_days(start, days), start=1)
    ]


def cohort_data(
    code: str = TUBAN_COHORT,
    publisher: str = TUBAN,
    *,
    sessions: list[dict[str, Any]] | None = None,
    quota: int = 30,
    start: dt.date = SEED_001_START,
    days: int = 8,
    timezone: str = "Asia/Jakarta",
    open_to_other_regions: bool = False,
    category: str = "teknis",
    programme: str = "Diklat Kasi Pemerintahan",
    angkatan: str = "I",
    year: int | None = None,
    completion: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """`data` of diklat.cohort.scheduled.v1; `publisher` only shapes the organiser's name."""
    schedule = sessions if sessions is not None else daily_sessions(start, days)
    data: dict[str, Any] = {
        "cohort_code": code,
        "programme": {"name": programme, "category": category},
        "organizer": f"BKPSDM {publisher}",
        "year": year or int(schedule[0]["date"][:4]),
        "angkatan": angkatan,
        "location": "Aula Kantor",
        "timezone": timezone,
        "sessions": schedule,
        "quota": quota,
        "open_to_other_regions": open_to_other_regions,
        "completion": completion or {"min_attendance_pct": "90", "evaluation_required": False},
    }
    data.update(extra)
    return data


def participant_data(
    code: str,
    nip: str,
    *,
    name: str = "Peserta Uji",
    gender: str | None = None,
    asn_type: str = "PNS",
    region: str = TUBAN,
    position: str = "Kepala Seksi Pemerintahan",
    rank: str | None = "III/c",
    agency: str = "Kecamatan Tuban",
    **extra: Any,
) -> dict[str, Any]:
    """`data` of diklat.participant.registered.v1; gender defaults to what the NIP encodes."""
    stated = gender or ("P" if nip[14:15] == "2" else "L")
    data: dict[str, Any] = {
        "cohort_code": code,
        "nip": nip,
        "name": name,
        "asn_type": asn_type,
        "gender": stated,
        "position": position,
        "rank": rank,
        "agency": agency,
        "region": region,
    }
    data.update(extra)
    return data


def withdrawal_data(code: str, nip: str, reason: str = "tugas dinas") -> dict[str, Any]:
    return {"cohort_code": code, "nip": nip, "reason": reason}


def nips(count: int, women: int = 0, first_seq: int = 1) -> Iterator[str]:
    """`count` distinct valid PNS NIPs, the first `women` of them women (gender digit 2)."""
    for i in range(count):
        # Birth dates stay before 1998 and the TMT is 2005-03, so every NIP is valid.
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=(37 * i) % 10_000)
        yield make_nip(
            birth=birth,
            tmt=(2005, 3),
            gender=Gender.P if i < women else Gender.L,
            seq=(first_seq - 1 + i // 10_000) % 999 + 1,
        )
