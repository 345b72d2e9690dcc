"""The roster gate on fakes (services/enrolment/roster.py): who may record whom, the NIP rules,
transfers, and what is announced; no Postgres, no Kafka."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from services.enrolment import roster
from services.enrolment.adapters.memory import EnrolmentMemory
from shared.envelope import CloudEvent
from tests.handler_fakes import FakeService, logged

pytestmark = pytest.mark.unit

NOW = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
BUDI = "198609262015051001"
_offsets = itertools.count(1)


@pytest.fixture
def service() -> FakeService:
    return FakeService("enrolment", EnrolmentMemory().repository, now=NOW)


def row(publisher: str, **changes: Any) -> CloudEvent:
    data = {
        "nip": BUDI,
        "name": "Budi Santoso",
        "asn_type": "PNS",
        "gender": "L",
        "agency": "Pemerintah Kabupaten Tuban",
        "region": "35.23",
        "status_since": "2015-05-01",
        **changes,
    }
    offset = next(_offsets)
    return logged("asn.recorded", data, publisher, event_id=f"r{offset}", offset=offset, time=NOW)


def told(outcome: Any) -> tuple[str, str | None]:
    return outcome.outcome.value, outcome.reason.value if outcome.reason else None


def announced(service: FakeService) -> list[tuple[str, str | None, str]]:
    return [
        (data["change"], data["previous_region"], data["asn"]["region"])
        for event_type, data in service.published()
        if event_type == "diklat.enrolment.asn_recorded.v1"
    ]


async def test_a_region_records_its_own_asn_and_corrects_them(service: FakeService) -> None:
    first = await service.handle(roster.on_asn_recorded, row("35.23"))
    again = await service.handle(roster.on_asn_recorded, row("35.23", unit="BKPSDM"))
    assert [told(first), told(again)] == [("applied", None), ("applied", None)]
    assert announced(service) == [("new", None, "35.23"), ("same", "35.23", "35.23")]


async def test_another_region_may_not_record_or_take_the_asn(service: FakeService) -> None:
    foreign = await service.handle(roster.on_asn_recorded, row("35"))
    assert told(foreign) == ("rejected", "NOT_OWNER")
    await service.handle(roster.on_asn_recorded, row("35.23"))
    taken = await service.handle(roster.on_asn_recorded, row("15", region="15"))
    assert told(taken) == ("rejected", "NOT_OWNER")
    assert "35.23" in (taken.message_en or "")
    assert announced(service) == [("new", None, "35.23")]


async def test_a_transfer_by_the_current_region_or_nasional(service: FakeService) -> None:
    results = await service.handle_run(
        roster.on_roster_run,
        [row("35.23"), row("35.23", region="15"), row("nasional", region="35.23")],
    )
    assert [told(r) for r in results] == [("applied", None)] * 3
    assert announced(service) == [
        ("new", None, "35.23"),
        ("transfer", "35.23", "15"),
        ("transfer", "15", "35.23"),
    ]


async def test_a_bad_nip_or_schema_changes_nothing(service: FakeService) -> None:
    results = await service.handle_run(
        roster.on_roster_run,
        [
            row("35.23", nip="198613262015051001"),
            row("35.23", gender="P"),  # the NIP says laki-laki
            row("35.23", status="cuti"),
            row("35.23", region="35.00"),
        ],
    )
    assert [told(r) for r in results] == [
        ("rejected", "INVALID_NIP"),
        ("rejected", "INVALID_NIP"),
        ("rejected", "SCHEMA_INVALID"),
        ("rejected", "SCHEMA_INVALID"),
    ]
    assert announced(service) == []
    assert "status" in (results[2].message_en or "")
