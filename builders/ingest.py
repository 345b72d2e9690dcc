"""A publisher's events: the `data` of each ingest type and the structured CloudEvent around it.

Defaults follow seed 001: Kabupaten Tuban (35.23), Kasi Pemerintahan, quota 30, 8 effective
days from 25 Sep 2017 (weekends skipped), 6 JP a day. Pass `start=` a future date to get a
cohort whose schedule may still be amended.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from builders.calendar import T0, working_days

TUBAN = "35.23"
TUBAN_COHORT = "35.23/KASI-PEM/2017/I"
SEED_001_START = dt.date(2017, 9, 25)


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
        for i, day in enumerate(working_days(start, days), start=1)
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
    """`data` of diklat.participant.withdrawn.v1."""
    return {"cohort_code": code, "nip": nip, "reason": reason}


def mark_data(code: str, nip: str, session_no: int, status: str) -> dict[str, Any]:
    """`data` of diklat.attendance.recorded.v1."""
    return {"cohort_code": code, "nip": nip, "session_no": session_no, "status": status}


def mark(
    code: str,
    publisher: str,
    nip: str,
    session_no: int,
    status: str,
    at: dt.datetime = T0,
    event_id: str | None = None,
) -> dict[str, Any]:
    """A publisher's attendance mark, sent at `at`."""
    data = mark_data(code, nip, session_no, status)
    return ingest_event("attendance.recorded", data, publisher, time_=at, event_id=event_id)


def ingest_event(
    event_type: str,
    data: dict[str, Any],
    publisher: str,
    *,
    event_id: str | None = None,
    time_: dt.datetime | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """A structured CloudEvent as a publisher sends it (`type` may be the short name)."""
    full_type = event_type if event_type.startswith("diklat.") else f"diklat.{event_type}.v1"
    return {
        "specversion": "1.0",
        "id": event_id or str(uuid.uuid4()),
        "source": source or f"/publishers/{publisher}",
        "type": full_type,
        "time": (time_ or dt.datetime.now(dt.UTC)).isoformat(),
        "subject": data.get("cohort_code"),
        "datacontenttype": "application/json",
        "data": data,
    }


def ingest_record(
    event_type: str, data: dict[str, Any], publisher: str, event_id: str | None = None
) -> bytes:
    """`ingest_event` as the bytes of a Kafka record's value."""
    return json.dumps(ingest_event(event_type, data, publisher, event_id=event_id)).encode()
