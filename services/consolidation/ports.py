"""What consolidation's handlers owe the 20 JP determinations after they write facts: the
upkeep port. Live, it re-determines what a batch touched in the same transaction; during a
rebuild's first pass it defers everything to one `determine_everyone` at the end (issue 19).

The read model's writes themselves are `adapters/projection.py`; the composition root names
the upkeep each processor runs with (`ServiceDefinition.repository`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol, cast

from shared.consumer import UnitOfWork


class Upkeep(Protocol):
    async def asn_changed(self, nips: Collection[str]) -> None:
        """These ASN's facts changed (an enrolment, a decision, a roster row)."""
        ...

    async def cohorts_changed(self, cohort_codes: Collection[str]) -> None:
        """These cohorts changed for everyone in them (cancelled, dates or JP amended)."""
        ...

    async def years_seen(self, years: Collection[int]) -> None:
        """A cohort ends in these years: every roster ASN is owed a determination for them."""
        ...


def upkeep(uow: UnitOfWork) -> Upkeep:
    """The transaction's upkeep, as the composition root wired it."""
    return cast(Upkeep, uow.repository)
