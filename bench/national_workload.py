"""The national scenario's domain-event history: every region's roster (one
`asn_recorded` per ASN, keyed by NIP), then one year of cohorts of about 30 over the regions'
publishers (schedule, enrolments, completion decisions), as the services would have published
them. Generated lazily: the full size is tens of millions of records."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence

from pydantic import BaseModel

from bench.national_roster import RECORDED_AT, YEAR, Region, apportion, layout, nip, roster
from builders.calendar import working_days
from builders.domain import (
    Record,
    completion_decided,
    domain_record,
    enrolled,
    roster_record,
    roster_recorded,
    scheduled,
)
from shared.regions import NASIONAL

SIZE = 30  # participants per cohort
JP_CHOICES = (8, 12, 16, 24, 32)  # one to four days of training
COMPLETED_PER_100 = 88
FIRST_DAY = dt.date(YEAR, 1, 8)


def history(run: str, asn: int, enrolments: int) -> Iterator[Record]:
    """The roster of `asn` ASN, then `enrolments` enrolments with their decisions."""
    regions = layout(asn)
    for region, row in roster(regions):
        data = roster_recorded(row, region.publisher, f"i:{run}:{row.nip}", at=RECORDED_AT)
        yield roster_record(data, f"r:{run}:{row.nip}", time=RECORDED_AT)
    yield from cohorts(run, regions, enrolments)


def cohorts(run: str, regions: Sequence[Region], enrolments: int) -> Iterator[Record]:
    """Each region's publisher trains its own ASN, as many enrolments as its share of the
    roster: cohorts of `SIZE` (fewer in a region with fewer ASN) drawn from its roster."""
    peopled = [r for r in regions if r.size]
    seats = apportion(enrolments, [r.size for r in peopled])
    for region, wanted in zip(peopled, seats, strict=True):
        yield from region_cohorts(run, region, wanted)


def region_cohorts(run: str, region: Region, enrolments: int) -> Iterator[Record]:
    rng = random.Random(region.code)  # the same cohorts on every run
    c, left = 0, enrolments
    while left > 0:
        taken = min(SIZE, region.size, left)
        yield from cohort(run, region, c, rng.sample(region.indexes, taken), rng)
        left -= taken
        c += 1


def cohort(
    run: str, region: Region, c: int, members: list[int], rng: random.Random
) -> Iterator[Record]:
    code = f"{region.publisher}/BENCH-{run}/{YEAR}/{c}"
    jp = JP_CHOICES[c % len(JP_CHOICES)]
    days = working_days(FIRST_DAY + dt.timedelta(days=(c * 7) % 320), max(1, jp // 8))
    sessions = [(n, d, "08:00", "16:00", str(jp // len(days))) for n, d in enumerate(days, 1)]
    schedule = scheduled(code, region.publisher, "Asia/Jakarta", sessions,
                         programme="Pelatihan Teknis", organizer=_organizer(region),
                         year=YEAR, angkatan=str(c + 1), quota=SIZE)  # fmt: skip
    at = dt.datetime.combine(days[0], dt.time(1), dt.UTC)
    yield _record(schedule, f"s:{code}", at)
    for i in members:
        agency = region.agency(i)
        data = enrolled(code, region.publisher, nip(i), f"ASN {i}", gender=_gender(i),
                        region=region.code, agency=agency, at=at)  # fmt: skip
        yield _record(data, f"e:{code}:{i}", at)
    decided = dt.datetime.combine(days[-1], dt.time(10), dt.UTC)
    for i in members:
        done = rng.randrange(100) < COMPLETED_PER_100
        decision = completion_decided(code, region.publisher, nip(i), done, at=decided)
        yield _record(decision, f"d:{code}:{i}", decided)


def _record(data: BaseModel, event_id: str, at: dt.datetime) -> Record:
    record, _ = domain_record(data, event_id, time=at)
    return record


def _gender(i: int) -> str:
    return "P" if i % 2 else "L"


def _organizer(region: Region) -> str:
    if region.code == NASIONAL:
        return "BPSDM Kemendagri"
    return f"BPSDM {region.code}" if len(region.code) == 2 else f"BKPSDM {region.code}"
