"""What the HTTP API and the PDF worker read and store on Postgres, outside the handlers'
repository port: a cohort's decisions and certificates, look-ups for verification, the PDFs."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from services.certification.adapters.postgres.certificates import CERT_COLUMNS, PostgresCertificates
from services.certification.certificates import SEALED_STATUS
from services.certification.ports import Certificate, Cohort, Decision
from shared.db import Connection


async def get_cohort(conn: Connection, cohort_code: str) -> Cohort | None:
    row = await conn.fetchrow(
        """SELECT cohort_code, publisher, info, policy_version, min_attendance_pct,
               evaluation_required, pass_score, cancelled, close_event_id, finalised, closed_at,
               closed_on
           FROM cohorts WHERE cohort_code = $1""",
        cohort_code,
    )
    return Cohort(**dict(row)) if row else None


async def organiser_of(conn: Connection, publisher: str) -> str | None:
    """The organiser's name as the publisher's latest cohort states it; None if it has none."""
    name: str | None = await conn.fetchval(
        """SELECT info->>'organizer' FROM cohorts WHERE publisher = $1
           ORDER BY closed_at DESC NULLS LAST, cohort_code DESC LIMIT 1""",
        publisher,
    )
    return name


async def decisions_of(conn: Connection, cohort_code: str) -> list[Decision]:
    rows = await conn.fetch(
        """SELECT cohort_code, nip, completed, policy_version, rate_pct, score, predicate,
               explanation_id, explanation_en, decided_at
           FROM decisions WHERE cohort_code = $1 ORDER BY nip""",
        cohort_code,
    )
    return [Decision(**dict(r)) for r in rows]


async def get_certificate(conn: Connection, certificate_id: uuid.UUID) -> Certificate | None:
    return await PostgresCertificates(conn).get_certificate(certificate_id)


async def find_certificate(
    conn: Connection, *, code: str | None = None, number: str | None = None
) -> Certificate | None:
    row = await conn.fetchrow(
        f"""SELECT {CERT_COLUMNS} FROM certificates
            WHERE verification_code = $1 OR number = $2""",
        code,
        number,
    )
    return Certificate(**dict(row)) if row else None


async def valid_certificates_of(conn: Connection, cohort_code: str) -> list[Certificate]:
    rows = await conn.fetch(
        f"""SELECT {CERT_COLUMNS} FROM certificates
            WHERE cohort_code = $1 AND status = 'valid' ORDER BY number""",
        cohort_code,
    )
    return [Certificate(**dict(r)) for r in rows]


async def pdf_of(conn: Connection, certificate_id: uuid.UUID) -> bytes | None:
    pdf: bytes | None = await conn.fetchval(
        "SELECT pdf FROM certificates WHERE id = $1", certificate_id
    )
    return pdf


async def pdfs_of(conn: Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, bytes]:
    rows = await conn.fetch(
        "SELECT id, pdf FROM certificates WHERE id = ANY($1::uuid[]) AND pdf IS NOT NULL", ids
    )
    return {r["id"]: r["pdf"] for r in rows}


async def claim_pending_pdfs(
    conn: Connection, limit: int, without: Collection[str] = ()
) -> list[Certificate]:
    """Certificates due a sealed PDF and without one yet (certificates.gets_a_sealed_pdf),
    except those of the publishers `without` a seal, locked so another instance's worker skips
    them; call inside a transaction."""
    rows = await conn.fetch(
        f"""SELECT {CERT_COLUMNS} FROM certificates
            WHERE pdf IS NULL AND status = $2 AND publisher <> ALL($3::text[])
            ORDER BY issued_at LIMIT $1 FOR UPDATE SKIP LOCKED""",
        limit,
        SEALED_STATUS,
        list(without),
    )
    return [Certificate(**dict(r)) for r in rows]


async def store_pdf(conn: Connection, certificate_id: uuid.UUID, pdf: bytes) -> None:
    await conn.execute(
        "UPDATE certificates SET pdf = $2, pdf_rendered_at = now() WHERE id = $1",
        certificate_id,
        pdf,
    )
