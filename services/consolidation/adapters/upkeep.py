"""The 20 JP upkeep port's adapters (services/consolidation/ports.py): live, and deferred for a
rebuild's first pass."""

from __future__ import annotations

from collections.abc import Collection

from services.consolidation.adapters.compliance import open_years, owe_years, redetermine
from services.consolidation.compliance import DEFAULT_POLICY, Policy
from shared.db import Connection


class LiveUpkeep:
    """The upkeep port, live: the determinations follow the facts batch by batch."""

    def __init__(self, conn: Connection, policy: Policy = DEFAULT_POLICY) -> None:
        self.conn, self.policy = conn, policy

    async def asn_changed(self, nips: Collection[str]) -> None:
        await redetermine(self.conn, sorted(nips), self.policy)

    async def cohorts_changed(self, cohort_codes: Collection[str]) -> None:
        rows = await self.conn.fetch(
            "SELECT DISTINCT nip FROM enrolments WHERE cohort_code = ANY($1::text[])",
            sorted(cohort_codes),
        )
        await redetermine(self.conn, [r["nip"] for r in rows], self.policy)

    async def years_seen(self, years: Collection[int]) -> None:
        await open_years(self.conn, years, self.policy)


class DeferredUpkeep:
    """The upkeep port during a rebuild's first pass: `determine_everyone` after, and meanwhile
    only the years owed, as the live upkeep opened them (a cohort amended to end in another
    year leaves its first year owed, which today's cohorts alone would not tell)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def asn_changed(self, nips: Collection[str]) -> None:
        return None

    async def cohorts_changed(self, cohort_codes: Collection[str]) -> None:
        return None

    async def years_seen(self, years: Collection[int]) -> None:
        await owe_years(self.conn, years)
