"""The roster contract (shared/events/roster.py): its schema and who may record whom."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from shared.events.ingest import AsnRecorded, EmploymentStatus
from shared.events.roster import change_kind, roster_problem


def row(**changes: Any) -> AsnRecorded:
    fields: dict[str, Any] = {
        "nip": "198609262015051001",
        "name": "Budi Santoso",
        "asn_type": "PNS",
        "gender": "L",
        "agency": "Pemerintah Kabupaten Tuban",
        "unit": "BKPSDM",
        "region": "35.23",
        "status_since": date(2015, 5, 1),
    }
    return AsnRecorded.model_validate({**fields, **changes})


def test_a_minimal_row_is_an_active_asn() -> None:
    assert row().status is EmploymentStatus.AKTIF


@pytest.mark.parametrize(
    "changes",
    [
        {"region": "35.00"},
        {"region": "99"},
        {"region": "Tuban"},
        {"status": "cuti"},
        {"nip": "19860926201505100"},
        {"asn_type": "honorer"},
    ],
)
def test_a_bad_row_fails_its_schema(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        row(**changes)


def test_central_agencies_are_region_nasional() -> None:
    assert row(region="nasional").region == "nasional"


def test_a_region_records_its_own_asn() -> None:
    assert roster_problem("35.23", None, row()) is None
    assert roster_problem("35.23", "35.23", row()) is None


def test_a_region_may_not_record_another_regions_asn() -> None:
    problem = roster_problem("35", None, row())
    assert problem is not None
    assert problem.message_id.startswith("Penerbit 35 hanya dapat mencatat ASN daerahnya")
    assert roster_problem("15", "35.23", row()) is not None


def test_a_transfer_comes_from_the_current_region_or_nasional() -> None:
    moved = row(region="15")
    assert change_kind("35.23", moved) == "transfer"
    assert roster_problem("35.23", "35.23", moved) is None
    assert roster_problem("nasional", "35.23", moved) is None
    refused = roster_problem("15", "35.23", moved)
    assert refused is not None and "35.23" in refused.message_en
