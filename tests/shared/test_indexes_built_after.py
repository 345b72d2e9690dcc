"""A bulk load with the secondary indexes built once after it (shared.db.indexes_built_after),
on real Postgres: the same indexes come back, used by the planner, and a failed load gives
them back too."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from shared.db import indexes_built_after

pytestmark = pytest.mark.integration


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url)
    await connection.execute("CREATE SCHEMA bulk; SET search_path = bulk")
    await connection.execute(
        """CREATE TABLE rows_ (year int, nip text, standing text, code text UNIQUE,
               PRIMARY KEY (year, nip));
           CREATE UNIQUE INDEX rows_one_met ON rows_ (nip) WHERE standing = 'MET';
           CREATE INDEX rows_nip ON rows_ (nip);
           CREATE INDEX rows_at_risk ON rows_ (year, nip) WHERE standing IN ('BELOW', 'ZERO')"""
    )
    try:
        yield connection
    finally:
        await connection.execute("DROP SCHEMA bulk CASCADE")
        await connection.close()


async def definitions(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch("SELECT indexdef FROM pg_indexes WHERE tablename = 'rows_' ORDER BY 1")
    return [r["indexdef"] for r in rows]


async def test_the_indexes_are_gone_during_the_load_and_the_same_after_it(conn) -> None:
    before = await definitions(conn)
    async with indexes_built_after(conn, "rows_"):
        during = await definitions(conn)
        await conn.execute(
            """INSERT INTO rows_ SELECT 2024, lpad(n::text, 18, '0'), 'ZERO'
               FROM generate_series(1, 2000) n"""
        )
    # Kept: the key, the unique constraint's index and the unique index (checks need them).
    assert [d.split()[2 if d.startswith("CREATE INDEX") else 3] for d in during] == [
        "rows__code_key",
        "rows__pkey",
        "rows_one_met",
    ]
    assert await definitions(conn) == before
    await conn.execute("ANALYZE rows_")
    plan = await conn.fetchval("EXPLAIN SELECT * FROM rows_ WHERE nip = '000000000000001234'")
    assert "rows_nip" in plan


async def test_a_failed_load_gives_the_indexes_back(conn) -> None:
    before = await definitions(conn)
    with pytest.raises(asyncpg.UniqueViolationError):
        async with indexes_built_after(conn, "rows_"):
            await conn.execute("INSERT INTO rows_ VALUES (2024, 'a', 'MET'), (2024, 'a', 'MET')")
    assert await definitions(conn) == before
    assert await conn.fetchval("SELECT count(*) FROM rows_") == 0
