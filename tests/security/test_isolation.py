"""Isolation inside the product: each service's Postgres role reads only its own schema, and the
national API needs a credential and shows a publisher only its own data."""

from __future__ import annotations

import itertools

import asyncpg
import pytest

from diklat import services as svc
from shared import db
from tests.consolidation import scenario
from tests.consolidation.helpers import NATIONAL, TUBAN, scenario_running

pytestmark = pytest.mark.integration
SERVICES = svc.SERVICES
# One table each service surely has (its own, not only the shared inbox).
OWN_TABLE = {
    "enrolment": "enrolments",
    "attendance": "attendance",
    "certification": "certificates",
    "consolidation": "asn",
}


async def _provision_all(database_url: str) -> None:
    for name in SERVICES:
        password = db.local_password(name)
        await db.provision(database_url, name, password)
        conn = await asyncpg.connect(db.service_url(database_url, name, password))
        try:
            migrations = db.service_migrations(name, f"services.{name}.adapters.migrations")
            await db.migrate(conn, name, migrations)
        finally:
            await conn.close()


async def test_every_service_role_is_refused_every_other_schema(database_url):
    await _provision_all(database_url)
    refused = []
    for own, other in itertools.permutations(SERVICES, 2):
        conn = await asyncpg.connect(db.service_url(database_url, own, db.local_password(own)))
        try:
            assert await conn.fetchval(f"SELECT count(*) FROM {own}.{OWN_TABLE[own]}") == 0
            for table in (OWN_TABLE[other], "processed_events"):
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await conn.fetch(f"SELECT * FROM {other}.{table} LIMIT 1")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(f"CREATE TABLE {other}.intruder (x int)")
            refused.append((own, other))
        finally:
            await conn.close()
    assert len(refused) == 12


async def test_national_api_needs_a_credential_and_a_publisher_sees_only_its_own(infra):
    async with scenario_running(infra) as (_, http):
        for path in ("/api/v1/statistics", "/api/v1/cohorts", "/api/v1/certificates"):
            assert (await http.get(path)).status_code == 401
            forged = await http.get(path, headers={"Authorization": "Bearer p17"})
            assert forged.status_code == 401
            assert (await http.get(path, headers=NATIONAL)).status_code == 200
        others = await http.get("/api/v1/cohorts", params={"publisher": "15"}, headers=TUBAN)
        assert others.status_code == 403
        everyone = await http.get("/api/v1/certificates", headers=NATIONAL)
        seen_by_tuban = await http.get("/api/v1/certificates", headers=TUBAN)
        nips = {c["nip"] for c in everyone.json()["items"]}
        tuban_nips = {c["nip"] for c in seen_by_tuban.json()["items"]}
        # Siti Aminah (15.71) trained with nasional and Jambi only: not Tuban's business.
        assert scenario.NIP["A"] in nips and scenario.NIP["A"] not in tuban_nips
        assert tuban_nips and tuban_nips < nips
        cohorts = await http.get("/api/v1/cohorts", headers=TUBAN)
        assert {c["publisher"] for c in cohorts.json()["items"]} == {"35.23"}
