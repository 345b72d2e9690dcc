"""The roster's rules beyond its schema (issue 19): who may record whom. The roster row itself,
`diklat.asn.recorded.v1`, is in `shared.events.ingest` with the other ingest types. Pure.

A region's publisher keeps its own ASN: a province its provincial ASN, a kabupaten/kota its
own, `nasional` the central agencies'. A row that moves an ASN to another region is a transfer:
only the ASN's current region or `nasional` may make it.

Public API
- roster_problem(publisher, current_region, row) -> RosterProblem | None
- change_kind(current_region, row) -> "new" | "same" | "transfer"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.events.ingest import AsnRecorded
from shared.regions import NASIONAL


@dataclass(frozen=True)
class RosterProblem:
    """Why a roster row is refused, Indonesian first; the reason code is the contract's
    `NOT_OWNER` (the row names no personal data, so it may be logged)."""

    message_id: str
    message_en: str


def roster_problem(
    publisher: str, current_region: str | None, row: AsnRecorded
) -> RosterProblem | None:
    """None when `publisher` may record `row`, given the region the ASN belongs to now
    (None: not in any roster yet). `nasional` may record anyone (central agencies, transfers)."""
    if publisher == NASIONAL:
        return None
    if current_region is None or current_region == row.region:
        return None if publisher == row.region else _not_own_region(publisher, row.region)
    if publisher == current_region:
        return None  # a transfer out, by the region the ASN leaves
    return _not_current_region(publisher, current_region)


def _not_own_region(publisher: str, region: str) -> RosterProblem:
    return RosterProblem(
        f"Penerbit {publisher} hanya dapat mencatat ASN daerahnya sendiri; baris ini untuk "
        f"daerah {region}. Kirim dari penerbit {region}.",
        f"Publisher {publisher} may record only its own region's ASN; this row is for region "
        f"{region}. Send it from publisher {region}.",
    )


def _not_current_region(publisher: str, current: str) -> RosterProblem:
    return RosterProblem(
        f"ASN ini tercatat di daerah {current}; pindah daerah hanya dapat dicatat oleh penerbit "
        f"{current} atau nasional.",
        f"This ASN belongs to region {current}; only publisher {current} or nasional may "
        "record a transfer.",
    )


TransferKind = Literal["new", "same", "transfer"]


def change_kind(current_region: str | None, row: AsnRecorded) -> TransferKind:
    """What a row does to the ASN's home region: a first entry, a correction, or a transfer."""
    if current_region is None:
        return "new"
    return "same" if current_region == row.region else "transfer"
