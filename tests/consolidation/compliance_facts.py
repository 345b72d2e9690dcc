"""Facts of the 20 JP tests written straight into the read model: roster rows through the
compliance store, trainings as the projection's rows (cohort, enrolment, attendance, decision)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from services.consolidation.adapters.roster import RosterChange, record_roster
from shared.events.ingest import AsnRecorded

AT = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
SITI = "198703152010012002"  # in Tuban's roster, trains 24 JP
BUDI = "198609262015051001"  # in Tuban's roster, trains nothing
RINA = "199001012019032001"  # trained, in no roster
ANI = "198811112012122003"  # in Jambi Kota's roster (15.71), trains nothing


def roster_row(nip: str, name: str, **changes: Any) -> AsnRecorded:
    fields = {
        "nip": nip,
        "name": name,
        "asn_type": "PNS",
        "gender": "P" if nip[14] == "2" else "L",
        "agency": "Pemerintah Kabupaten Tuban",
        "region": "35.23",
        "status_since": dt.date(2015, 1, 1),
    }
    return AsnRecorded.model_validate({**fields, **changes})


async def record(conn: asyncpg.Connection, event_id: str, row: AsnRecorded, publisher: str) -> None:
    await record_roster(conn, [RosterChange(event_id, publisher, AT, row)])


async def train(conn: asyncpg.Connection, nip: str, region: str, *, completed: bool) -> None:
    code = f"35.23/TEKNIS/2024/{nip[-3:]}"
    await conn.execute(
        """INSERT INTO cohorts (cohort_code, publisher, organizer_province, programme_name,
               category, organizer, year, angkatan, location, start_date, end_date, total_jp,
               changed_at, min_attendance_pct)
           VALUES ($1, '35.23', '35', 'Bimtek SIPD', 'bimtek', 'BKPSDM Tuban', 2024, 'I',
               'Tuban', '2024-03-04', '2024-03-07', 24, $2, 90)""",
        code,
        AT,
    )
    await enrol(conn, code, nip, region)
    await conn.execute(
        "INSERT INTO attendance VALUES ($1, $2, $3, 24, $4)",
        code,
        nip,
        24 if completed else 18,
        100 if completed else 75,
    )
    await decide(conn, code, nip, completed)
    if completed:
        await conn.execute(
            """INSERT INTO certificates (certificate_id, number, version, cohort_code, publisher,
                   nip, name, programme_name, category, organizer, year, total_jp, end_date,
                   issued_at)
               VALUES ($1, $2, 1, $3, '35.23', $4, 'Peserta', 'Bimtek SIPD', 'bimtek',
                   'BKPSDM Tuban', 2024, 24, '2024-03-07', $5)""",
            f"cert-{nip}",
            f"800/{nip[-3:]}/BKPSDM/2024",
            code,
            nip,
            AT,
        )


async def add_cohort(
    conn: asyncpg.Connection, code: str, end: dt.date, jp: Any, *, cancelled: bool = False
) -> None:
    await conn.execute(
        """INSERT INTO cohorts (cohort_code, publisher, organizer_province, programme_name,
               category, organizer, year, angkatan, location, start_date, end_date, total_jp,
               status, changed_at, min_attendance_pct)
           VALUES ($1, '35.23', '35', 'Bimtek SIPD', 'bimtek', 'BKPSDM Tuban', $2, 'I',
               'Tuban', $3, $3, $4, $5, $6, 90)""",
        code,
        end.year,
        end,
        jp,
        "cancelled" if cancelled else "closed",
        AT,
    )


async def enrol(
    conn: asyncpg.Connection, code: str, nip: str, region: str, *, withdrawn: bool = False
) -> None:
    """An enrolment and the ASN row the projection derives from it (the first claim stays)."""
    await conn.execute(
        """INSERT INTO enrolments (cohort_code, nip, name, asn_type, gender, position, agency,
               region, region_province, enrolled_at, publisher, claim_authority, withdrawn)
           VALUES ($1, $2, 'Peserta', 'PNS', 'P', 'Analis', 'Pemkab Tuban', $3, $4, $5,
               '35.23', 3, $6)""",
        code,
        nip,
        region,
        region[:2],
        AT,
        withdrawn,
    )
    await conn.execute(
        """INSERT INTO asn (nip, name, gender, asn_type, agency, region, region_province,
               enrolled_at) VALUES ($1, 'Peserta', 'P', 'PNS', 'Pemkab Tuban', $2, $3, $4)
           ON CONFLICT (nip) DO NOTHING""",
        nip,
        region,
        region[:2],
        AT,
    )


async def decide(conn: asyncpg.Connection, code: str, nip: str, completed: bool) -> None:
    await conn.execute(
        "INSERT INTO completions (cohort_code, nip, completed, decided_at) VALUES ($1, $2, $3, $4)",
        code,
        nip,
        completed,
        AT,
    )
