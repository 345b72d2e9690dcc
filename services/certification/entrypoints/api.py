"""Certification HTTP API: decisions, certificate PDFs (one or a cohort's ZIP), public
verification, and admin revocation / re-issue."""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import io
import unicodedata
import uuid
import zipfile
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, Field

from services.certification import certificates, commands
from services.certification.adapters.pdf import render_certificate, verification_url
from services.certification.adapters.postgres import views
from services.certification.entrypoints import credentials
from services.certification.entrypoints.throttle import FailureLimiter
from services.certification.ports import Certificate
from shared.auth import AdminPrincipal, CurrentPrincipal, require_publisher_access
from shared.consumer import UnitOfWork, lock_cohorts
from shared.db import Connection
from shared.logging import mask_nip
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


class ShownCertificate(BaseModel):
    """What the paper certificate shows, NIP masked (public verification)."""

    number: str
    name: str
    nip_masked: str
    rank: str | None
    position: str
    agency: str
    organizer: str
    programme_name: str
    angkatan: str
    year: int
    start_date: dt.date
    end_date: dt.date
    location: str
    total_jp: Decimal
    predicate: str | None
    issue_date: dt.date


class Verification(BaseModel):
    status: Literal["valid", "revoked", "superseded"]
    version: int
    status_reason: str | None = None
    status_changed_at: dt.datetime | None = None
    current_number: str | None = Field(
        default=None, description="for a superseded certificate: the number that replaces it"
    )
    certificate: ShownCertificate


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
        verification_url=verification_url(base_url, certificate.verification_code),
    )


async def _cohort_publisher(conn: Connection, code: str) -> str:
    cohort = await views.get_cohort(conn, code)
    if cohort is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown cohort")
    return cohort.publisher


async def _pdf(conn: Connection, certificate: Certificate, base_url: str) -> bytes:
    """The stored PDF, or rendered now if the background worker has not reached it yet."""
    stored = await views.pdf_of(conn, certificate.id)
    if stored is not None:
        return stored
    url = verification_url(base_url, certificate.verification_code)
    pdf = await asyncio.to_thread(render_certificate, certificate.content, url)
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
        certificate = await views.get_certificate(conn, certificate_id)
        if certificate is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown certificate")
        require_publisher_access(principal, certificate.publisher)
        pdf = await _pdf(conn, certificate, _base_url(request))
    return Response(
        pdf,
        media_type=PDF,
        headers={"Content-Disposition": f'inline; filename="{_filename(certificate.number)}"'},
    )


NOT_FOUND = (
    "Sertifikat tidak ditemukan: periksa nomor dan nama pemegang, atau kode verifikasi. "
    "/ No certificate found: check the number and the holder's name, or the verification code."
)
NAME_NEEDED = (
    "Parameter name (nama pemegang sertifikat) wajib diisi bersama number, atau gunakan "
    "parameter code (kode verifikasi). / Give the holder's name (parameter name) with the "
    "number, or the verification code (parameter code)."
)


def _failures(request: Request) -> FailureLimiter:
    """This app's failed-look-up limiter (tests may put one with their own clock there)."""
    state = request.app.state
    limiter: FailureLimiter | None = getattr(state, "verify_failures", None)
    if limiter is None:
        limiter = state.verify_failures = FailureLimiter()
    return limiter


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def same_name(given: str, holder: str) -> bool:
    """Names compared as people type them: case, spacing and Unicode forms do not matter."""

    def canonical(name: str) -> bytes:
        return "".join(unicodedata.normalize("NFKC", name).casefold().split()).encode()

    return hmac.compare_digest(canonical(given), canonical(holder))


async def _verification(
    request: Request, code: str | None, number: str | None = None, name: str | None = None
) -> Verification:
    """A public look-up, by code or by number and holder's name. Every miss (no such code, no
    such number, another name) is the same 404, and counts against the client's address."""
    limiter, client = _failures(request), _client(request)
    wait = limiter.retry_after(client)
    if wait is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"Terlalu banyak pencarian sertifikat yang gagal dari alamat ini; coba lagi dalam "
            f"{wait} detik. / Too many failed certificate look-ups from this address; try "
            f"again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )
    limiter.failed(client)  # until found: concurrent look-ups cannot all pass the check first
    async with runtime_of(request).pool.acquire() as conn:
        if code is not None:
            certificate = await views.find_certificate(conn, code=code)
        elif number is not None and name is not None:
            certificate = await views.find_certificate(conn, number=number)
            if certificate is not None and not same_name(name, certificate.content["name"]):
                certificate = None
        else:
            certificate = None
        if certificate is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
        limiter.forgive(client)
        current = None
        if certificate.superseded_by is not None:
            newer = await views.get_certificate(conn, certificate.superseded_by)
            current = newer.number if newer else None
    c = certificate.content
    shown = ShownCertificate(
        number=certificate.number,
        name=c["name"],
        nip_masked=mask_nip(c["nip"]),
        rank=c.get("rank"),
        position=c["position"],
        agency=c["agency"],
        organizer=c["organizer"],
        programme_name=c["programme_name"],
        angkatan=c["angkatan"],
        year=c["year"],
        start_date=c["start_date"],
        end_date=c["end_date"],
        location=c["location"],
        total_jp=c["total_jp"],
        predicate=c.get("predicate"),
        issue_date=c["issue_date"],
    )
    return Verification(
        status=certificate.status,
        version=certificate.version,
        status_reason=certificate.status_reason,
        status_changed_at=certificate.status_changed_at,
        current_number=current,
        certificate=shown,
    )


@router.get("/verify/{code}", response_model=Verification)
async def verify_by_code(code: str, request: Request) -> Verification:
    """Public (no credential): what the QR code on the certificate points at."""
    # A code that cannot be one is looked up as an impossible one: the same 404, counted.
    return await _verification(request, certificates.normalise_verification_code(code) or "")


@v1.get("/verify", response_model=Verification)
async def verify(
    request: Request,
    number: Annotated[str | None, Query(max_length=120)] = None,
    name: Annotated[str | None, Query(max_length=200, description="the holder's name")] = None,
    code: Annotated[str | None, Query(max_length=60)] = None,
) -> Verification:
    """Public (no credential): verify by verification code, or by certificate number together
    with the holder's name (case and spacing do not matter). A number alone is refused: numbers
    are sequential and would let anyone list every holder."""
    if code:
        return await _verification(request, certificates.normalise_verification_code(code) or "")
    if not number or not name or not name.strip():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, NAME_NEEDED)
    return await _verification(request, None, number, name)


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
router.include_router(credentials.router)
