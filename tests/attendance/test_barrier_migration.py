"""Shared migration 005 on a schema that already holds barriers and parked events (an upgrade,
on real Postgres): barriers whose close the cohort names stay confirmed, the others of a closed
cohort are refused, those of an open one wait for a verdict, and domain events already parked no
longer expire."""

from __future__ import annotations

import asyncpg
import pytest

from shared import db

pytestmark = pytest.mark.integration
MIGRATION_005 = "shared/005_close_verdicts_and_domain_parking.sql"


async def test_an_upgraded_schema_keeps_its_confirmed_barriers(infra):
    migrations = db.service_migrations("attendance", "services.attendance.adapters.migrations")
    assert MIGRATION_005 in [m.name for m in migrations]
    conn = await asyncpg.connect(infra.database_url)
    try:
        await conn.execute("CREATE SCHEMA attendance")
        await db.migrate(conn, "attendance", [m for m in migrations if m.name != MIGRATION_005])
        await conn.execute(
            """SET search_path = attendance;
            INSERT INTO cohorts (cohort_code, publisher, programme_name, organizer, angkatan,
                year, location, timezone, total_jp, close_event_id)
            VALUES ('15/A/2024/I', '15', 'P', 'O', 'I', 2024, 'L', 'Asia/Jakarta', 8, 'c1'),
                   ('15/A/2024/II', '15', 'P', 'O', 'I', 2024, 'L', 'Asia/Jakarta', 8, NULL);
            INSERT INTO close_barriers (cohort_code, event_id, source, topic, partition, "offset")
            VALUES ('15/A/2024/I', 'c0', '/publishers/15', 'diklat.ingest.15', 0, 8),
                   ('15/A/2024/I', 'c1', '/publishers/15', 'diklat.ingest.15', 0, 10),
                   ('15/A/2024/I', 'x9', '/publishers/16', 'diklat.ingest.16', 0, 9),
                   ('15/A/2024/II', 'c2', '/publishers/15', 'diklat.ingest.15', 0, 20),
                   ('15/A/2024/III', 'c1', '/publishers/16', 'diklat.ingest.16', 0, 5);
            INSERT INTO parked_events (source, event_id, waiting_for, reject_code, topic,
                partition, "offset", event, expires_at)
            VALUES ('/services/attendance', 'f1', 'cohort:x', 'UNKNOWN_COHORT',
                    'diklat.domain.attendance', 0, 1, '{}', now()),
                   ('/publishers/15', 'm1', 'cohort:x', 'UNKNOWN_COHORT',
                    'diklat.ingest.15', 0, 2, '{}', now())"""
        )

        assert await db.migrate(conn, "attendance", migrations) == [MIGRATION_005]

        barriers = await conn.fetch(
            "SELECT cohort_code, source, passed, verdict FROM close_barriers ORDER BY 1, event_id"
        )
        assert [tuple(r) for r in barriers] == [
            ("15/A/2024/I", "/publishers/15", True, "refused"),  # c0: closed nothing
            ("15/A/2024/I", "/publishers/15", True, "closed"),
            ("15/A/2024/I", "/publishers/16", True, "refused"),
            ("15/A/2024/II", "/publishers/15", True, None),
            ("15/A/2024/III", "/publishers/16", True, None),
        ]
        parked = await conn.fetch(
            "SELECT event_id, expires_at = 'infinity' FROM parked_events ORDER BY 1"
        )
        assert [tuple(r) for r in parked] == [("f1", True), ("m1", False)]
    finally:
        await conn.close()
