"""Each cohort's figures (migration 007: the `cohort_figures` table and its triggers), which a
rebuild's first pass defers and computes once at its end, as it does the 20 JP determinations."""

from __future__ import annotations

from shared.db import Connection

# The tables whose statement triggers refresh the figures.
FIGURED = ("cohorts", "enrolments", "completions", "certificates")


async def defer_figures(conn: Connection) -> None:
    """Stop refreshing figures row by row (a replay's first pass)."""
    for table in FIGURED:
        await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")


async def figure_everyone(conn: Connection) -> None:
    """Every cohort's figures from its rows, and the triggers on again for what follows."""
    await conn.execute("SELECT refresh_all_cohort_figures()")
    for table in FIGURED:
        await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
