"""`diklat demo`: the stack, the four services, and a cohort from seed 001 flowing through them."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from decimal import Decimal

import typer

from shared.client import PublisherClient, follow_feedback
from shared.events import ingest
from shared.kafka import onboard_publisher
from shared.settings import InfraSettings

TUBAN = "35.23"
COHORT = "35.23/KASI-PEM/2017/I"
WIB = dt.timezone(dt.timedelta(hours=7))
FIRST_NAMES = (
    "Agus",
    "Budi",
    "Dedi",
    "Eko",
    "Fajar",
    "Hadi",
    "Imam",
    "Joko",
    "Kurniawan",
    "Lukman",
    "Mochamad",
    "Nur",
    "Rahmat",
    "Slamet",
    "Teguh",
    "Wahyu",
    "Yusuf",
    "Zainal",
    "Ahmad",
    "Bambang",
    "Catur",
    "Darmaji",
    "Gunawan",
)
WOMEN = (
    "Siti Aminah",
    "Dwi Lestari",
    "Endang Sulistyowati",
    "Rina Wulandari",
    "Hj. Tarbiyah, S.Pd",
    "Yuli Astuti",
    "Ninik Rahayu",
)


def _nip(index: int, woman: bool) -> str:
    birth = dt.date(1972, 1, 15) + dt.timedelta(days=211 * index)
    return f"{birth:%Y%m%d}200503{2 if woman else 1}{index + 1:03d}"


def _sessions() -> list[ingest.Session]:
    days: list[dt.date] = []
    day = dt.date(2017, 9, 25)
    while len(days) < 8:  # 8 effective days, 25 Sep – 4 Oct 2017
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return [
        ingest.Session(
            no=i,
            date=d,
            start=dt.time(8),
            end=dt.time(15),
            jp=Decimal(6),
            method=ingest.Method.CERAMAH,
            title=f"Hari ke-{i}",
        )
        for i, d in enumerate(days, start=1)
    ]


def seed_001() -> list[tuple[ingest._Data, dt.datetime]]:
    """Kabupaten Tuban's Kasi Pemerintahan diklat: 30 participants, 7 women, 8 days."""
    sessions = _sessions()
    events: list[tuple[ingest._Data, dt.datetime]] = []
    at = dt.datetime(2017, 9, 1, 9, tzinfo=WIB)
    events.append(
        (
            ingest.CohortScheduled(
                cohort_code=COHORT,
                programme=ingest.Programme(
                    name="Diklat Kepala Seksi Pemerintahan Kecamatan",
                    category=ingest.Category.TEKNIS,
                ),
                organizer="BKPSDM Kabupaten Tuban",
                year=2017,
                angkatan="I",
                location="Aula BKPSDM Kabupaten Tuban",
                sessions=sessions,
                quota=30,
            ),
            at,
        )
    )
    people = [
        (_nip(i, i < 7), WOMEN[i] if i < 7 else f"{FIRST_NAMES[i - 7]} Santoso") for i in range(30)
    ]
    for nip, name in people:
        events.append(
            (
                ingest.ParticipantRegistered(
                    cohort_code=COHORT,
                    nip=nip,
                    name=name,
                    asn_type="PNS",
                    gender="P" if nip[14] == "2" else "L",
                    position="Kepala Seksi Pemerintahan",
                    rank="III/c",
                    agency="Pemerintah Kabupaten Tuban",
                    region=TUBAN,
                ),
                at,
            )
        )
    for session in sessions:
        moment = dt.datetime.combine(session.date, dt.time(16), WIB)
        for index, (nip, _) in enumerate(people):
            absent = index in (3, 11) and session.no in (2, 5)  # two fall below 90%
            status = ingest.AttendanceStatus.ALPA if absent else ingest.AttendanceStatus.HADIR
            events.append(
                (
                    ingest.AttendanceRecorded(
                        cohort_code=COHORT, nip=nip, session_no=session.no, status=status
                    ),
                    moment,
                )
            )
    events.append(
        (ingest.CohortClosed(cohort_code=COHORT), dt.datetime(2017, 10, 5, 9, tzinfo=WIB))
    )
    return events


async def publish_and_follow(infra: InfraSettings, timeout: float = 120) -> Counter[str]:
    await onboard_publisher(infra, TUBAN)
    events = seed_001()
    async with PublisherClient(TUBAN, infra) as client:
        ids: list[str] = []
        for data, at in events:
            ids += await client.publish(data, time=at)
    wanted, outcomes = set(ids), {}
    async with asyncio.timeout(timeout):
        async for outcome in follow_feedback(TUBAN, infra):
            if outcome.event_id in wanted:
                outcomes[outcome.event_id] = outcome
            if len(outcomes) == len(wanted) and all(
                o.outcome != "parked" for o in outcomes.values()
            ):
                break
    return Counter(f"{o.outcome}" + (f" {o.reason}" if o.reason else "") for o in outcomes.values())


def run_demo(wait: bool) -> None:
    from diklat import cli

    cli.run("all", detach=True)
    counts = asyncio.run(publish_and_follow(InfraSettings()))
    typer.echo(f"\nseed 001 — {COHORT}: outcomes of {sum(counts.values())} ingest events")
    for outcome, count in sorted(counts.items()):
        typer.echo(f"  {outcome:<28} {count:>5}")
    typer.echo("\nnational dashboard: http://127.0.0.1:8084/  (token: national-demo-token)")
    if wait:
        cli.wait_for_interrupt()
