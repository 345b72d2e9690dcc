"""The rebuild's first pass gives the new schema's tables statistics as it fills them: the
tables start empty and autovacuum looks at them only after its naptime, so the handlers'
statements ran on plans for empty tables (bench/notes.md, session 16)."""

from __future__ import annotations

import asyncpg
import pytest

from services.consolidation.entrypoints.rebuild import StatisticsWhileFilling

pytestmark = pytest.mark.integration


async def _rows_as_planned(conn: asyncpg.Connection) -> float:
    """What the planner believes the table holds: set by ANALYZE alone (-1 before any)."""
    reltuples: float = await conn.fetchval(
        "SELECT reltuples FROM pg_class WHERE oid = 'filling.t'::regclass"
    )
    return reltuples


async def test_tables_are_analysed_at_20000_records_then_at_four_times_as_many(
    database_url: str,
) -> None:
    conn = await asyncpg.connect(database_url)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    assert pool is not None
    try:
        await conn.execute("CREATE SCHEMA filling; CREATE TABLE filling.t (n int)")
        filling = StatisticsWhileFilling(pool, "filling")
        believed = []
        # Records read so far, after each batch; the table gains 10 rows a batch.
        for rows, read in enumerate((5_000, 19_999, 20_000, 50_000, 79_999, 80_000, 400_000), 1):
            await conn.execute("INSERT INTO filling.t SELECT generate_series(1, 10)")
            await filling.on_read(read)
            believed.append(await _rows_as_planned(conn))
            assert 10 * rows == await conn.fetchval("SELECT count(*) FROM filling.t")
    finally:
        await pool.close()
        await conn.close()
    # Analysed at 20,000 (30 rows), next due at 80,000 (60 rows), then at 320,000 (70 rows).
    assert believed == [-1, -1, 30, 30, 30, 60, 70]
