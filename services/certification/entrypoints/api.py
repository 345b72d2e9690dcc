"""Certification HTTP API: decisions, certificate PDFs (one or a cohort's ZIP), and admin
revocation / re-issue (public verification: verification.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import uuid
import zipfile
from decimal import Decimal

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, Field

from services.certification import certificates, commands
from services.certification.adapters.postgres import views
from services.certification.adapters.seals import NoSeal
from services.certification.entrypoints import credentials, profiles
from services.certification.entrypoints.access import certificate_for
from services.certification.ports import Certificate
from services.certification.sealing import render_sealed_now
from shared.auth import AdminPrincipal, CurrentPrincipal, require_publisher_access
from shared.consumer import UnitOfWork, lock_cohorts
from shared.db import Connection
from shared.outbox import write_rows
from shared.runtime import runtime_of

router = APIRouter(tags=["certification"])
v1 = APIRouter(prefix="/api/v1")
PDF = "application/pdf"


class DecisionOut(BaseModel):
    nip: str
    completed: bool
    policy_version: int
    rate_pct: Decimal
    score: Decimal | None
    predicate: str | None
    explanation_id: str
    explanation_en: str
    decided_at: dt.datetime


class CertificateOut(BaseModel):
    id: uuid.UUID
    number: str
    version: int
    status: str
    verification_code: str
    verification_url: str


class RevokeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class ReissueIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    rank: str | None = Field(default=None, min_length=1, max_length=200)
    position: str | None = Field(default=None, min_length=1, max_length=200)
    agency: str | None = Field(default=None, min_length=1, max_length=200)


def _base_url(request: Request) -> str:
    return runtime_of(request).settings.public_base_url


def _out(certificate: Certificate, base_url: str) -> CertificateOut:
    return CertificateOut(
        id=certificate.id,
        number=certificate.number,
        version=certificate.version,
        status=certificate.status,
        verification_code=certificate.verification_code,
        verification_url=certificates.verification_url(base_url, certificate.verification_code),
    )


async def _cohort_publisher(conn: Connection, code: str) -> str:
    cohort = await views.get_cohort(conn, code)
    if cohort is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown cohort")
    return cohort.publisher


NO_PDF = (
    "Sertifikat ini dicabut atau digantikan sebelum PDF-nya dibuat, sehingga tidak memiliki PDF "
    "bersegel. / This certificate was revoked or superseded before its PDF was made: it has no "
    "sealed PDF."
)
NO_SEAL = (
    "Segel elektronik penerbit ini belum tersedia; PDF belum dapat dibuat. / This publisher's "
    "electronic seal is not available yet: the PDF cannot be made."
)


async def _pdf(conn: Connection, certificate: Certificate, base_url: str) -> bytes:
    """The stored PDF, or rendered and sealed now if the background worker has not reached it
    yet (only for a certificate still due one)."""
    stored = await views.pdf_of(conn, certificate.id)
    if stored is not None:
        return stored
    if not certificates.gets_a_sealed_pdf(certificate.status):
        raise HTTPException(status.HTTP_409_CONFLICT, NO_PDF)
    url = certificates.verification_url(base_url, certificate.verification_code)
    try:
        pdf = await asyncio.to_thread(
            render_sealed_now, certificate.content, url, certificate.publisher
        )
    except NoSeal as missing:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, NO_SEAL) from missing
    await views.store_pdf(conn, certificate.id, pdf)
    return pdf


def _filename(number: str) -> str:
    return number.replace("/", "_") + ".pdf"


@v1.get("/cohorts/{code:path}/decisions", response_model=list[DecisionOut])
async def decisions(code: str, request: Request, principal: CurrentPrincipal) -> list[DecisionOut]:
    async with runtime_of(request).pool.acquire() as conn:
        require_publisher_access(principal, await _cohort_publisher(conn, code))
        rows = await views.decisions_of(conn, code)
    return [
        DecisionOut(
            nip=d.nip,
            completed=d.completed,
            policy_version=d.policy_version,
            rate_pct=d.rate_pct,
            score=d.score,
            predicate=d.predicate,
            explanation_id=d.explanation_id,
            explanation_en=d.explanation_en,
            decided_at=d.decided_at,
        )
        for d in rows
    ]


@v1.get(
    "/cohorts/{code:path}/certificates.zip", responses={200: {"content": {"application/zip": {}}}}
)
async def cohort_zip(code: str, request: Request, principal: CurrentPrincipal) -> Response:
    base_url = _base_url(request)
    async with runtime_of(request).pool.acquire() as conn:
        require_publisher_access(principal, await _cohort_publisher(conn, code))
        certificates = await views.valid_certificates_of(conn, code)
        stored = await views.pdfs_of(conn, [c.id for c in certificates])
        jwts = await credentials.signed_credentials(request, conn, certificates)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for certificate in certificates:
                pdf = stored.get(certificate.id) or await _pdf(conn, certificate, base_url)
                archive.writestr(_filename(certificate.number), pdf)
                archive.writestr(credentials.jwt_filename(certificate.number), jwts[certificate.id])
    name = code.replace("/", "_")
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}.zip"'},
    )


@v1.get("/certificates/{certificate_id}/pdf", responses={200: {"content": {PDF: {}}}})
async def certificate_pdf(
    certificate_id: uuid.UUID, request: Request, principal: CurrentPrincipal
) -> Response:
    async with runtime_of(request).pool.acquire() as conn:
        certificate = await certificate_for(conn, certificate_id, principal)
        pdf = await _pdf(conn, certificate, _base_url(request))
    return Response(
        pdf,
        media_type=PDF,
        headers={"Content-Disposition": f'inline; filename="{_filename(certificate.number)}"'},
    )


async def _admin_change(
    request: Request, certificate_id: uuid.UUID, action: str, body: RevokeIn | ReissueIn
) -> Certificate:
    runtime = runtime_of(request)
    async with runtime.pool.acquire() as conn, conn.transaction():
        certificate = await views.get_certificate(conn, certificate_id)
        if certificate is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown certificate")
        # The consumers' own cohort lock: no decision commits while an admin change holds it.
        await lock_cohorts(conn, [certificate.cohort_code])
        uow = UnitOfWork(
            conn, runtime.name, dt.timedelta(0), repository_factory=runtime.definition.repository
        )
        if isinstance(body, ReissueIn):
            result = await commands.reissue(
                uow,
                certificate_id,
                certificates.Correction(
                    reason=body.reason,
                    name=body.name,
                    rank=body.rank,
                    position=body.position,
                    agency=body.agency,
                ),
            )
        else:
            result = await commands.revoke(uow, certificate_id, body.reason)
        if result is None:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                f"certificate is {certificate.status}; only a valid one can be {action}",
            )
        await write_rows(conn, uow.rows)
    return result


@v1.post("/certificates/{certificate_id}/revoke", response_model=CertificateOut)
async def revoke(
    certificate_id: uuid.UUID, body: RevokeIn, request: Request, _: AdminPrincipal
) -> CertificateOut:
    await _admin_change(request, certificate_id, "revoked", body)
    async with runtime_of(request).pool.acquire() as conn:
        revoked = await views.get_certificate(conn, certificate_id)
    assert revoked is not None
    return _out(revoked, _base_url(request))


@v1.post(
    "/certificates/{certificate_id}/reissue",
    response_model=CertificateOut,
    status_code=status.HTTP_201_CREATED,
)
async def reissue(
    certificate_id: uuid.UUID, body: ReissueIn, request: Request, _: AdminPrincipal
) -> CertificateOut:
    """A new version (same sequence number, suffix `-v<version>`); the old one is superseded."""
    new = await _admin_change(request, certificate_id, "re-issued", body)
    return _out(new, _base_url(request))


router.include_router(v1)
router.include_router(profiles.router)
router.include_router(credentials.router)
