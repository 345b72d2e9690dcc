"""The roster and determinations in Postgres (services/consolidation/adapters/compliance.py):
each ASN-year re-determined from the facts, the counts moved by the difference and always equal
to a count from scratch."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from services.consolidation.adapters.compliance import (
    DETERMINED_TABLES,
    determine_everyone,
    open_years,
    redetermine,
)
from services.consolidation.adapters.upkeep import DeferredUpkeep, LiveUpkeep
from services.consolidation.entrypoints.app import DEFINITION
from shared import db
from shared.events.ingest import EmploymentStatus
from tests.consolidation.compliance_facts import (
    AT,
    BUDI,
    RINA,
    SITI,
    add_cohort,
    decide,
    enrol,
    record,
    roster_row,
    train,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url)
    migrations = db.service_migrations("consolidation", DEFINITION.migrations_package)
    await connection.execute("CREATE SCHEMA consolidation")
    await db.install_extensions(connection)  # what provisioning does before migrating
    await db.migrate(connection, "consolidation", migrations)
    await connection.execute("SET search_path = consolidation")
    try:
        yield connection
    finally:
        await connection.close()


async def standings(conn: asyncpg.Connection) -> dict[str, tuple[Any, ...]]:
    rows = await conn.fetch("SELECT nip, region, standing, jp, shortfall FROM asn_years")
    return {r["nip"]: (r["region"], r["standing"], r["jp"], r["shortfall"]) for r in rows}


async def assert_counts_match_a_count_from_scratch(conn: asyncpg.Connection) -> None:
    kept = await conn.fetch(
        """SELECT year, region, agency, met, below, zero, exempt, not_in_roster
           FROM compliance_counts ORDER BY 1, 2, 3"""
    )
    fresh = await conn.fetch(
        """SELECT year, region, agency, count(*) FILTER (WHERE standing = 'MET'),
                  count(*) FILTER (WHERE standing = 'BELOW'),
                  count(*) FILTER (WHERE standing = 'ZERO'),
                  count(*) FILTER (WHERE standing = 'EXEMPT'),
                  count(*) FILTER (WHERE standing = 'NOT_IN_ROSTER')
           FROM asn_years GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"""
    )
    assert [tuple(r) for r in kept] == [tuple(r) for r in fresh]
    histogram = await conn.fetch(
        "SELECT year, region, agency, jp, n FROM compliance_jp ORDER BY 1, 2, 3, 4"
    )
    assessed = await conn.fetch(
        """SELECT year, region, agency, jp, count(*) FROM asn_years
           WHERE standing IN ('MET', 'BELOW', 'ZERO') GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"""
    )
    assert [tuple(r) for r in histogram] == [tuple(r) for r in assessed]


async def test_the_zero_jp_asn_of_the_roster_is_determined_and_counted(conn) -> None:
    await open_years(conn, [2024])
    await record(conn, "r1", roster_row(SITI, "Siti Aminah"), "35.23")
    await record(conn, "r2", roster_row(BUDI, "Budi Santoso"), "35.23")
    await train(conn, SITI, "35.23", completed=True)
    await train(conn, RINA, "35.71", completed=True)
    await redetermine(conn, [SITI, BUDI, RINA])
    assert await standings(conn) == {
        SITI: ("35.23", "MET", Decimal(24), Decimal(0)),
        BUDI: ("35.23", "ZERO", Decimal(0), Decimal(20)),
        RINA: ("35.71", "NOT_IN_ROSTER", Decimal(24), Decimal(0)),
    }
    await assert_counts_match_a_count_from_scratch(conn)
    before = await conn.fetch("SELECT * FROM compliance_counts ORDER BY 1, 2, 3")
    await redetermine(conn, [SITI, BUDI, RINA])  # a replay moves nothing
    assert await conn.fetch("SELECT * FROM compliance_counts ORDER BY 1, 2, 3") == before


async def test_a_transfer_and_a_failed_training_move_the_counts(conn) -> None:
    await open_years(conn, [2024])
    await record(conn, "r1", roster_row(SITI, "Siti Aminah"), "35.23")
    await train(conn, SITI, "35.23", completed=False)
    await redetermine(conn, [SITI])
    assert (await standings(conn))[SITI][1] == "ZERO"
    moved = roster_row(SITI, "Siti Aminah", region="15", agency="Pemprov Jambi")
    await record(conn, "r2", moved, "35.23")
    await redetermine(conn, [SITI])
    assert (await standings(conn))[SITI][:2] == ("15", "ZERO")
    history = await conn.fetch("SELECT event_id, change, region FROM roster_history ORDER BY 1")
    assert [tuple(r) for r in history] == [("r1", "new", "35.23"), ("r2", "transfer", "15")]
    await assert_counts_match_a_count_from_scratch(conn)
    tuban = await conn.fetchval(
        "SELECT zero FROM compliance_counts WHERE region = '35.23' AND year = 2024"
    )
    assert tuban is None  # nobody is counted in Tuban any more: its row goes


async def test_a_year_owed_starts_with_the_asns_service(conn) -> None:
    await open_years(conn, [2014, 2024])
    await record(conn, "r1", roster_row(BUDI, "Budi Santoso"), "35.23")  # TMT 2015
    await redetermine(conn, [BUDI])
    years = await conn.fetch("SELECT year FROM asn_years WHERE nip = $1 ORDER BY 1", BUDI)
    assert [r["year"] for r in years] == [2024]


async def test_opening_a_year_determines_the_untrained_roster_in_one_pass(conn) -> None:
    await record(conn, "r1", roster_row(BUDI, "Budi Santoso"), "35.23")
    await record(conn, "r2", roster_row(SITI, "Siti Aminah", status="tugas_belajar"), "35.23")
    pppk = roster_row("199205052021212001", "Dewi", asn_type="PPPK")
    await record(conn, "r3", pppk, "35.23")
    assert await open_years(conn, [2024, 2024]) == [2024]
    assert await open_years(conn, [2024]) == []  # opened once
    assert await standings(conn) == {
        BUDI: ("35.23", "ZERO", Decimal(0), Decimal(20)),
        SITI: ("35.23", "EXEMPT", Decimal(0), Decimal(0)),
        pppk.nip: ("35.23", "EXEMPT", Decimal(0), Decimal(0)),
    }
    await assert_counts_match_a_count_from_scratch(conn)
    counts = await conn.fetch("SELECT * FROM compliance_counts ORDER BY 1, 2, 3")
    jp = await conn.fetch("SELECT * FROM compliance_jp ORDER BY 1, 2, 3, 4")
    await redetermine(conn, [BUDI, SITI, pppk.nip])  # the rules one by one agree: no change
    assert await conn.fetch("SELECT * FROM compliance_counts ORDER BY 1, 2, 3") == counts
    assert await conn.fetch("SELECT * FROM compliance_jp ORDER BY 1, 2, 3, 4") == jp


async def test_determining_everyone_from_scratch_leaves_what_the_live_upkeep_left(conn) -> None:
    await open_years(conn, [2024])
    await record(conn, "r1", roster_row(SITI, "Siti Aminah"), "35.23")
    await record(conn, "r2", roster_row(BUDI, "Budi Santoso"), "35.23")
    await train(conn, SITI, "35.23", completed=True)
    await train(conn, RINA, "35.71", completed=False)
    await redetermine(conn, [SITI, RINA, BUDI])  # as the handlers do for what a batch touched
    live = [await table(conn, t) for t in ("asn_years", "compliance_counts", "compliance_jp")]
    await determine_everyone(conn)
    assert [
        await table(conn, t) for t in ("asn_years", "compliance_counts", "compliance_jp")
    ] == live


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_determining_everyone_agrees_with_the_upkeep_on_a_varied_world(conn, seed) -> None:
    """Every case the rules tell apart, at random: trainings of several years and JP (some on a
    year's first or last day), withdrawn, cancelled, undecided, failed; PNS and PPPK; every
    status, begun before or after a year's end; service starting after a training; ASN in no
    roster; a transfer. The set-based rebuild must leave the rows the rules leave one by one."""
    world = random.Random(seed)
    cohorts = []
    for i in range(14):
        end = world.choice(_ENDS)
        code = f"35.23/TEKNIS/{end.year}/{i:03d}"
        await add_cohort(conn, code, end, world.choice(_JPS), cancelled=world.random() < 0.15)
        cohorts.append(code)
    nips = []
    for i in range(60):
        born, entered = f"19{world.randint(70, 99)}0101", f"{world.randint(2010, 2026)}01"
        nip = f"{born}{entered}{world.randint(1, 2)}{i:03d}"
        nips.append(nip)
        if world.random() < 0.8:
            changes = {
                "asn_type": world.choice(["PNS", "PNS", "PPPK"]),
                "status": world.choice(list(EmploymentStatus)),
                "status_since": world.choice(_ENDS) + dt.timedelta(days=world.choice([0, 1])),
            }
            await record(conn, f"r{i}", roster_row(nip, f"ASN {i}", **changes), "35.23")
            if world.random() < 0.1:
                moved = roster_row(nip, f"ASN {i}", region="15.71", agency="Pemkot Jambi")
                await record(conn, f"t{i}", moved, "35.23")
        for code in world.sample(cohorts, world.randint(0, 4)):
            await enrol(conn, code, nip, world.choice(["35.23", "15.71"]),
                        withdrawn=world.random() < 0.15)  # fmt: skip
            if world.random() < 0.85:
                await decide(conn, code, nip, world.random() < 0.7)
    # Two ASN of one case whose JP are one number at two scales, whatever the seed.
    same_case = [(Decimal("7.5"), "198001012015011901"), (Decimal("7.50"), "198001012015011902")]
    for jp, nip in same_case:
        code = f"35.23/TEKNIS/2024/JP{jp}"
        await add_cohort(conn, code, dt.date(2024, 6, 14), jp)
        await record(conn, f"r{nip}", roster_row(nip, "ASN"), "35.23")
        await enrol(conn, code, nip, "35.23")
        await decide(conn, code, nip, True)
        nips.append(nip)
    await open_years(conn, sorted({end.year for end in _ENDS} | {AT.year}))
    await redetermine(conn, nips)
    live = [await table(conn, t) for t in ("asn_years", "compliance_counts", "compliance_jp")]
    standings = {r["standing"] for r in await conn.fetch("SELECT standing FROM asn_years")}
    assert standings == {"MET", "BELOW", "ZERO", "EXEMPT", "NOT_IN_ROSTER"}  # a varied world
    await determine_everyone(conn)
    assert [
        await table(conn, t) for t in ("asn_years", "compliance_counts", "compliance_jp")
    ] == live


async def test_a_rebuild_owes_the_years_the_live_upkeep_opened(conn) -> None:
    """A cohort scheduled to end in 2025 and amended to 2024: live, 2025 was opened for the
    roster when the schedule came; the rebuild's first pass records it too, so its
    determinations from scratch owe 2025 as well."""
    await record(conn, "r1", roster_row(BUDI, "Budi Santoso"), "35.23")
    await train(conn, SITI, "35.23", completed=True)  # a cohort ending in 2024, as amended
    await LiveUpkeep(conn).years_seen({2025, 2024})
    await redetermine(conn, [SITI, BUDI])
    live = [await table(conn, t) for t in ("asn_years", "compliance_counts", "compliance_jp")]
    await conn.execute("TRUNCATE compliance_years")
    await DeferredUpkeep(conn).years_seen({2025, 2024})  # the first pass, seeing both events
    await determine_everyone(conn)
    rows = await table(conn, "asn_years")
    assert rows == live[0] and any(row.startswith(f"(2025,{BUDI},") for row in rows)
    assert [await table(conn, t) for t in ("compliance_counts", "compliance_jp")] == live[1:]


async def test_determining_everyone_locks_only_the_tables_it_names(conn, database_url) -> None:
    """The rebuild analyses every other table beside it, on another connection: nothing here may
    take more than a read's lock on those."""
    await record(conn, "r1", roster_row(BUDI, "Budi Santoso"), "35.23")
    await train(conn, SITI, "35.23", completed=True)
    alone = await asyncpg.connect(database_url, server_settings={"search_path": "consolidation"})
    try:
        async with alone.transaction():
            await determine_everyone(alone)
            locked = await alone.fetch(
                """SELECT DISTINCT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                   WHERE l.pid = pg_backend_pid() AND l.mode <> 'AccessShareLock'
                     AND c.relkind = 'r'"""
            )
    finally:
        await alone.close()
    assert {"asn_years", "compliance_years"} <= {r["relname"] for r in locked}
    assert {r["relname"] for r in locked} <= DETERMINED_TABLES


_ENDS = [dt.date(2023, 12, 31), dt.date(2024, 1, 1), dt.date(2024, 6, 14), dt.date(2024, 12, 31),
         dt.date(2025, 1, 1), dt.date(2025, 9, 30)]  # fmt: skip
# 7.5 and 7.50: one number, two shortfalls as the rules write them (12.5, 12.50).
_JPS = [Decimal(8), Decimal("12.5"), Decimal(20), Decimal(24), Decimal("7.50"), Decimal("7.5"),
        Decimal(40)]  # fmt: skip


async def table(conn: asyncpg.Connection, name: str) -> list[Any]:
    """The table's rows; each determination exactly as stored (a number's scale included), the
    counts by value (a JP bucket holds 7.5 and 7.50 alike, under whichever came first)."""
    if name == "asn_years":
        rows = await conn.fetch("SELECT t::text AS exact FROM asn_years t ORDER BY year, nip")
        return [r["exact"] for r in rows]
    rows = await conn.fetch(f"SELECT * FROM {name} ORDER BY 1, 2, 3, 4")
    return [
        dict(r)
        for r in rows
        if not (
            name == "compliance_counts" and not any(v for k, v in dict(r).items() if k in _COUNTS)
        )
    ]


_COUNTS = ("met", "below", "zero", "exempt", "not_in_roster")
