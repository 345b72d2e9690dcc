"""Certificates, their numbers and their status on Postgres: the `Certificates` port
(services/certification/ports.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from services.certification.ports import Certificate
from shared.db import Connection, from_json_rows, json_rows

CERT_COLUMNS = """id, cohort_code, nip, publisher, number, version, verification_code, status,
    content, issued_at, previous_id, superseded_by, status_reason, status_changed_at"""


class PostgresCertificates:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def next_sequences(self, publisher: str, year: int, count: int) -> range:
        # The row lock taken by the upsert serialises issuers of one organiser and year.
        last: int = await self.conn.fetchval(
            """INSERT INTO certificate_counters (publisher, year, last_seq) VALUES ($1, $2, $3)
               ON CONFLICT (publisher, year)
               DO UPDATE SET last_seq = certificate_counters.last_seq + EXCLUDED.last_seq
               RETURNING last_seq""",
            publisher,
            year,
            count,
        )
        return range(last - count + 1, last + 1)

    async def insert_certificates(self, certificates: Sequence[Certificate]) -> set[uuid.UUID]:
        if not certificates:
            return set()
        rows = await self.conn.fetch(
            f"""INSERT INTO certificates (id, cohort_code, nip, publisher, number, version,
                   verification_code, status, content, issued_at, previous_id)
                   {_CERTIFICATE_ROWS}
               ON CONFLICT (cohort_code, nip) WHERE status = 'valid' DO NOTHING RETURNING id""",
            json_rows(
                [
                    (
                        c.id,
                        c.cohort_code,
                        c.nip,
                        c.publisher,
                        c.number,
                        c.version,
                        c.verification_code,
                        c.status,
                        c.content,
                        c.issued_at,
                        c.previous_id,
                    )
                    for c in certificates
                ]
            ),
        )
        return {r[0] for r in rows}

    async def insert_certificate(self, certificate: Certificate) -> bool:
        return certificate.id in await self.insert_certificates([certificate])

    async def get_certificate(
        self, certificate_id: uuid.UUID, for_update: bool = False
    ) -> Certificate | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(
            f"SELECT {CERT_COLUMNS} FROM certificates WHERE id = $1{lock}", certificate_id
        )
        return Certificate(**dict(row)) if row else None

    async def set_status(
        self,
        certificate_id: uuid.UUID,
        status: str,
        reason: str,
        at: dt.datetime,
        superseded_by: uuid.UUID | None = None,
    ) -> bool:
        changed = await self.conn.fetchval(
            """UPDATE certificates SET status = $2, status_reason = $3, status_changed_at = $4,
                   superseded_by = $5
               WHERE id = $1 AND status = 'valid' RETURNING 1""",
            certificate_id,
            status,
            reason,
            at,
            superseded_by,
        )
        return changed is not None


_CERTIFICATE_ROWS = from_json_rows(
    "uuid, text, text, text, text, int, text, text, jsonb, timestamptz, uuid"
)
