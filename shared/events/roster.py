"""v1 roster ingest: who a region's ASN are (issue 19). The `data` of `diklat.asn.recorded.v1`
and the rules the gate and `diklat publish` apply to it beyond its schema. Pure (pydantic, the
standard library and `shared.regions`).

A region's publisher keeps its own ASN: a province its provincial ASN, a kabupaten/kota its
own, `nasional` the central agencies'. A row that moves an ASN to another region is a transfer:
only the ASN's current region or `nasional` may make it.

Public API
- ASN_RECORDED (the CloudEvent type), AsnRecorded (its data)
- EmploymentStatus, HomeRegion
- roster_problem(publisher, current_region, row) -> RosterProblem | None
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from shared.events.ingest import Nip, ShortText
from shared.regions import NASIONAL, is_valid_region

ASN_RECORDED = "diklat.asn.recorded.v1"


def _home_region(value: str) -> str:
    if value != NASIONAL and not is_valid_region(value):
        raise ValueError(
            "must be a Kemendagri province (e.g. 15) or kabupaten/kota (e.g. 35.23) code, "
            "or 'nasional' for a central agency"
        )
    return value


HomeRegion = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_home_region)]


class EmploymentStatus(StrEnum):
    """Kedudukan hukum as the roster states it."""

    AKTIF = "aktif"
    TUGAS_BELAJAR = "tugas_belajar"
    CLTN = "cltn"  # cuti di luar tanggungan negara
    PENSIUN = "pensiun"
    BERHENTI = "berhenti"
    MENINGGAL = "meninggal"


class AsnRecorded(BaseModel):
    """One ASN as their home region's roster states them now; a later row replaces it whole."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    nip: Nip
    name: ShortText
    asn_type: Literal["PNS", "PPPK"]
    gender: Literal["L", "P"]
    agency: ShortText  # instansi
    unit: ShortText | None = None  # unit kerja
    region: HomeRegion
    position: ShortText | None = None  # jabatan
    rank: ShortText | None = None  # pangkat/golongan, e.g. "Pembina, IV/a"
    status: EmploymentStatus = EmploymentStatus.AKTIF
    status_since: dt.date = Field(ge=dt.date(1940, 1, 1), le=dt.date(2100, 12, 31))


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
