"""Issue 17: an ASN's home region stays with its own region's publisher (item 6), a participant
who registered again after withdrawing is credited (item 8), and /data-quality counts every
duplicate a service answered (item 16), on the live service and after `diklat rebuild`."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import openpyxl
import pytest
from pydantic import BaseModel

from builders.domain import completion_decided, enrolled
from builders.nips import nips
from services.consolidation.adapters import projection
from services.consolidation.domain import organizer_province
from services.consolidation.entrypoints.app import DEFINITION as CONSOLIDATION
from services.consolidation.entrypoints.rebuild import rebuild
from services.enrolment.entrypoints.app import DEFINITION as ENROLMENT
from shared import db
from shared.client import build_event
from shared.envelope import to_structured
from shared.events import domain as ev
from shared.events import ingest
from shared.runtime import ServiceRuntime
from shared.topics import ingest_topic
from tests.consolidation import scenario
from tests.consolidation.helpers import (
    JAMBI,
    NATIONAL,
    TOKENS,
    TUBAN,
    client,
    get,
    read_tables,
    scenario_running,
)
from tests.support import (
    Feedback,
    Publisher,
    eventually,
    prepare_topics,
    running,
    wait_until_assigned,
)
from tests.support import test_settings as service_settings

pytestmark = pytest.mark.integration
BUDI = scenario.NIP["B"]  # Tuban's (35.23) civil servant, registered by Tuban in T1
LATER = scenario.NOW + dt.timedelta(days=30)


def _enrolled(code: str, nip: str, name: str, region: str, at: dt.datetime) -> BaseModel:
    return enrolled(code, scenario.COHORTS[code][0], nip, name, region=region, at=at)


async def _claims(http: httpx.AsyncClient, code: str) -> dict[str, str]:
    page = await get(http, f"/api/v1/cohorts/{code}/participants", limit=1000)
    return {p["nip"]: p["region"] for p in page["items"]}


async def _views(http: httpx.AsyncClient, nip: str) -> list[Any]:
    return [
        await get(http, f"/api/v1/asn/{nip}"),
        await get(http, "/api/v1/statistics"),
        await get(http, "/api/v1/provinces"),
        (
            await http.get("/api/v1/exports/siasn", params={"region": "35.23"}, headers=NATIONAL)
        ).text,
    ]


async def test_another_regions_registration_never_moves_an_asns_home_region(infra):
    """Jambi (15) registers Tuban's Budi claiming Kota Jambi (15.71), after Tuban did: Budi
    stays Tuban's. Fajar, first registered by Jambi as 15.71, then by nasional as 35.23 (which
    outweighs a province's claim over its kabupaten/kota), then by Tuban as 35.23: Tuban's own
    claim decides his identity too. The same after a rebuild, which replays the claims in
    another order."""
    fajar = next(nips(1, 0, first_seq=77))
    async with scenario_running(infra) as (runtime, http), Publisher(infra) as pub:
        attack = [
            _enrolled(scenario.J2, BUDI, "Budi", "15.71", LATER),
            _enrolled(scenario.J2, fajar, "Fajar", "15.71", LATER),
        ]
        await scenario.publish(pub, attack)

        async def claimed() -> bool:
            return (await _claims(http, scenario.J2)).get(fajar) == "15.71"

        await eventually(claimed, 30, "Jambi's claims recorded")
        # The claim is recorded per enrolment; the home region is not moved by it.
        assert (await _claims(http, scenario.J2))[BUDI] == "15.71"
        assert (await get(http, f"/api/v1/asn/{BUDI}", TUBAN))["region"] == "35.23"
        assert (await http.get(f"/api/v1/asn/{BUDI}", headers=JAMBI)).status_code == 403
        siasn = await http.get("/api/v1/exports/siasn", params={"region": "35.23"}, headers=TUBAN)
        assert BUDI in siasn.text
        # First seen in Jambi's cohort as 15.71: Jambi's province covers it, so it holds for now.
        assert (await get(http, f"/api/v1/asn/{fajar}", JAMBI))["region"] == "15.71"

        later = LATER + dt.timedelta(days=1)
        await scenario.publish(
            pub,
            [
                _enrolled(scenario.N1, fajar, "F", "35.23", later),
            ],
        )
        await eventually(
            lambda: _has_claim(http, scenario.N1, fajar), 30, "nasional's claim recorded"
        )
        # Nasional's claim outweighs a province's over its own kabupaten/kota: no self-interest.
        assert (await get(http, f"/api/v1/asn/{fajar}"))["region"] == "35.23"
        assert (await http.get(f"/api/v1/asn/{fajar}", headers=JAMBI)).status_code == 403
        await scenario.publish(
            pub,
            [_enrolled(scenario.T1, fajar, "Fajar", "35.23", later)],
        )

        async def tubans() -> bool:
            return await _has_claim(http, scenario.T1, fajar)

        await eventually(tubans, 30, "Tuban's own claim decides Fajar's home region")
        assert (await http.get(f"/api/v1/asn/{fajar}", headers=JAMBI)).status_code == 403
        assert (await http.get(f"/api/v1/asn/{fajar}", headers=TUBAN)).status_code == 200
        assert (await get(http, f"/api/v1/asn/{fajar}"))["name"] == "Fajar"  # Tuban's own

        live_tables, live_views = await read_tables(runtime), await _views(http, BUDI)
        await rebuild(infra, service_settings("consolidation"))
        assert await read_tables(runtime) == live_tables
        assert await _views(http, BUDI) == live_views


async def _has_claim(http: httpx.AsyncClient, code: str, nip: str) -> bool:
    return nip in await _claims(http, code)


# --- with the real enrolment service -----------------------------------------------------

CODE = "15/TEKNIS/2024/IX"
WIB = dt.timezone(dt.timedelta(hours=7))
AT = dt.datetime(2024, 3, 1, 9, tzinfo=WIB)


def _cohort() -> ingest.CohortScheduled:
    sessions = [
        ingest.Session(
            no=i, date=dt.date(2024, 3, 10 + i), start=dt.time(8), end=dt.time(16), jp=Decimal(8)
        )
        for i in (1, 2, 3)
    ]
    return ingest.CohortScheduled(
        cohort_code=CODE,
        programme=ingest.Programme(name="Pelatihan Teknis", category=ingest.Category.TEKNIS),
        organizer="BPSDM Provinsi Jambi",
        year=2024,
        angkatan="IX",
        location="Kota Jambi",
        sessions=sessions,
        quota=10,
    )


def _registration(nip: str) -> ingest.ParticipantRegistered:
    return ingest.ParticipantRegistered(
        cohort_code=CODE,
        nip=nip,
        name="Rahmat Hidayat",
        asn_type="PNS",
        gender="L",
        position="Analis",
        agency="Pemerintah Provinsi Jambi",
        region="15.71",
    )


@contextlib.asynccontextmanager
async def _enrolment_and_consolidation(
    infra: Any,
) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient, httpx.AsyncClient]]:
    await prepare_topics(infra, ["15"])
    async with (
        running(ENROLMENT, infra, api_tokens=TOKENS) as enrolment,
        running(CONSOLIDATION, infra, api_tokens=TOKENS) as consolidation,
        client(enrolment) as enrolment_http,
        client(consolidation) as http,
    ):
        await wait_until_assigned(enrolment)
        await wait_until_assigned(consolidation)
        yield consolidation, http, enrolment_http


async def _send(
    pub: Publisher, feedback: Feedback, data: BaseModel, event_id: str, nth: int = 1
) -> None:
    """One ingest event, then its `nth` outcome: each send is its own batch."""
    event = build_event("15", data, time=AT, event_id=event_id)
    await pub.send_raw(ingest_topic("15"), to_structured(event), key=CODE)

    def told(events: list[dict[str, Any]]) -> bool:
        return sum(e["data"].get("event_id") == event_id for e in events) >= nth

    await feedback.wait_for(told, 30, f"outcome {nth} of {event_id}")


async def test_re_enrolment_after_withdrawal_is_credited_live_and_after_rebuild(infra):
    """Registered, withdrawn, registered again: enrolment has the participant enrolled, and so
    must the national view, the JP ledger and the rebuild (the upsert never reset `withdrawn`)."""
    nip = next(nips(1, 0, first_seq=41))
    async with (
        _enrolment_and_consolidation(infra) as (runtime, http, enrolment_http),
        Publisher(infra) as pub,
        Feedback(infra, "15") as feedback,
    ):
        await _send(pub, feedback, _cohort(), "c-1")
        await _send(pub, feedback, _registration(nip), "r-1")
        await _send(pub, feedback, ingest.ParticipantWithdrawn(cohort_code=CODE, nip=nip), "w-1")
        await _send(pub, feedback, _registration(nip), "r-2")
        assert {feedback.outcomes()[i]["outcome"] for i in ("r-1", "w-1", "r-2")} == {"applied"}
        roster = (await enrolment_http.get(f"/api/v1/cohorts/{CODE}", headers=NATIONAL)).json()
        assert [p["status"] for p in roster["roster"] if p["nip"] == nip] == ["ENROLLED"]

        decided = completion_decided(CODE, "15", nip, at=AT)
        issued = ev.CertificateIssued(
            certificate_id="cert-re-enrolled",
            number="800/0001/BPSDM-15/2024",
            version=1,
            verification_code="V",
            cohort_code=CODE,
            publisher="15",
            nip=nip,
            name="Rahmat Hidayat",
            programme_name="Pelatihan Teknis",
            category="teknis",
            organizer="BPSDM Provinsi Jambi",
            year=2024,
            total_jp=Decimal(24),
            end_date=dt.date(2024, 3, 13),
            predicate=None,
            issued_at=AT,
        )
        await scenario.publish(pub, [decided, issued])

        async def credited() -> list[Any] | None:
            response = await http.get(f"/api/v1/asn/{nip}", headers=NATIONAL)
            if response.status_code == 404:  # consolidation has not projected the enrolment yet
                return None
            assert response.status_code == 200, response.text
            person = response.json()
            years = person["jp_per_year"]
            numbers = [t["certificate_number"] for t in person["trainings"]]
            if years == [{"year": 2024, "jp": 24.0, "meets_minimum": True}] and all(numbers):
                return person
            return None

        person = await eventually(credited, 30, "the re-enrolled participant's JP credited")
        assert [t["withdrawn"] for t in person["trainings"]] == [False]
        page = await get(http, f"/api/v1/cohorts/{CODE}/participants")
        assert [(p["nip"], p["withdrawn"]) for p in page["items"]] == [(nip, False)]
        stats = await get(http, "/api/v1/statistics", publisher="15")
        assert (stats["enrolled"], stats["withdrawn"], stats["completed"]) == (1, 0, 1)

        live = await read_tables(runtime)
        await rebuild(infra, service_settings("consolidation"))
        assert await read_tables(runtime) == live
        assert await get(http, f"/api/v1/asn/{nip}") == person


async def test_data_quality_counts_every_duplicate_a_service_answered(infra):
    """The same registration sent three times, each in its own batch: applied, duplicate,
    duplicate. Both duplicates are counted (they were 0: the read model kept one decision per
    event id; and two lone duplicates made two identical feedback ids, merged as one)."""
    nip = next(nips(1, 0, first_seq=42))
    async with (
        _enrolment_and_consolidation(infra) as (_, http, _),
        Publisher(infra) as pub,
        Feedback(infra, "15") as feedback,
    ):
        await _send(pub, feedback, _cohort(), "c-2")
        for nth in (1, 2, 3):
            await _send(pub, feedback, _registration(nip), "r-3", nth)
        told = [e["data"]["outcome"] for e in feedback.events if e["data"].get("event_id") == "r-3"]
        assert told == ["applied", "duplicate", "duplicate"]

        async def counted() -> list[Any] | None:
            quality = await get(http, "/api/v1/data-quality", JAMBI)
            return quality if quality and quality[0]["duplicate"] == 2 else None

        quality = await eventually(counted, 30, "two duplicates counted")
        assert (quality[0]["applied"], quality[0]["rejected"]) == (2, 0)
        sheet = await http.get("/api/v1/data-quality", params={"format": "xlsx"}, headers=JAMBI)
        rows = list(openpyxl.load_workbook(io.BytesIO(sheet.content)).active.values)
        assert rows[1][:3] == ("15", 2, 2)
        await rebuild(infra, service_settings("consolidation"))
        assert await get(http, "/api/v1/data-quality", JAMBI) == quality


async def test_the_migration_gives_existing_asn_back_their_home_region(database_url):
    """A model written before the fix (Budi moved to 15.71 by Jambi's later registration) is
    re-derived by the forward migration: Tuban's own claim holds."""
    migrations = db.service_migrations("consolidation", CONSOLIDATION.migrations_package)
    fix = next(m for m in migrations if m.name.endswith("002_home_region_and_duplicates.sql"))
    before = migrations[: migrations.index(fix)]  # the model as it was before the fix
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("CREATE SCHEMA consolidation")
        await db.migrate(conn, "consolidation", before)
        await conn.execute("SET search_path = consolidation")
        for code in (scenario.T1, scenario.J2):
            info = scenario.cohort_info(code)
            await repo_cohorts(conn, info)
        rows = [
            (scenario.T1, "35.23", scenario.NOW),
            (scenario.J2, "15.71", LATER),
        ]
        for code, region, at in rows:
            await conn.execute(
                """INSERT INTO enrolments (cohort_code, nip, name, asn_type, gender, position,
                       agency, region, region_province, enrolled_at)
                   VALUES ($1, $2, 'Budi', 'PNS', 'L', 'Analis', 'Pemda', $3, $4, $5)""",
                code,
                BUDI,
                region,
                region[:2],
                at,
            )
        await conn.execute(
            """INSERT INTO asn (nip, name, gender, asn_type, agency, region, region_province,
                   enrolled_at) VALUES ($1, 'Budi', 'L', 'PNS', 'Pemda', '15.71', '15', $2)""",
            BUDI,
            LATER,
        )
        upto_fix = migrations[: migrations.index(fix) + 1]
        assert await db.migrate(conn, "consolidation", upto_fix) == [fix.name]
        assert await conn.fetchval("SELECT region FROM asn WHERE nip = $1", BUDI) == "35.23"
        claims = await conn.fetch(
            "SELECT cohort_code, publisher, claim_authority FROM enrolments ORDER BY 1"
        )
        assert [tuple(r) for r in claims] == [(scenario.J2, "15", 1), (scenario.T1, "35.23", 3)]
    finally:
        await conn.close()


async def repo_cohorts(conn: asyncpg.Connection, info: ev.CohortInfo) -> None:
    """The cohort in the columns the model had before the fix (the projection writes later
    ones)."""
    row = projection.cohort_row(info, organizer_province(info.publisher), scenario.NOW)
    await conn.execute(
        """INSERT INTO cohorts (cohort_code, publisher, organizer_province, programme_name,
               category, organizer, year, angkatan, location, start_date, end_date, total_jp,
               changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)""",
        *row[:13],
    )
