"""Verifiable credentials over HTTP (issue 20): a certificate's OpenBadgeCredential as a VC-JWT
by verification code (public, the same look-up rules as `/verify/{code}`) or by id (the
publisher with its token), the publishers' status lists and issuer profiles (public)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse

from services.certification import (
    certificates,
    credentialing,
    credentials,
    dependencies,
    repository,
)
from services.certification.adapters import vc_jwt
from services.certification.adapters.postgres import views
from services.certification.adapters.seals import NoSeal
from services.certification.entrypoints.access import certificate_for
from services.certification.entrypoints.throttle import failures_of
from services.certification.ports import Certificate, CertificationRepository, CredentialKeys
from shared.auth import CurrentPrincipal
from shared.consumer import UnitOfWork
from shared.db import Connection
from shared.regions import is_valid_publisher_id
from shared.runtime import runtime_of

router = APIRouter(tags=["credentials"])
JWT: dict[int | str, dict[str, Any]] = {200: {"content": {credentials.MEDIA_TYPE: {}}}}

# The very answer `/verify/{code}` gives a miss: a credential look-up is no oracle either.
NOT_FOUND = (
    "Sertifikat tidak ditemukan: periksa nomor dan nama pemegang, atau kode verifikasi. "
    "/ No certificate found: check the number and the holder's name, or the verification code."
)
NO_KEY = (
    "Kunci kredensial penerbit belum tersedia; hubungi penyelenggara. "
    "/ The publisher's credential key is not available; contact the organiser."
)
UNKNOWN = "Tidak ditemukan. / Not found."


def credential_keys(request: Request) -> CredentialKeys:
    """The publishers' credential keys, from the composition root (bootstrap.py)."""
    return dependencies.of(runtime_of(request)).credential_keys


def jwt_filename(number: str) -> str:
    return number.replace("/", "_") + ".jwt"


async def signed_credentials(
    request: Request, conn: Connection, held: Sequence[Certificate]
) -> dict[uuid.UUID, str]:
    """Each certificate's VC-JWT; positions not drawn yet are drawn in one transaction."""
    runtime = runtime_of(request)
    base_url = runtime.settings.public_base_url
    async with conn.transaction():
        positions = await credentialing.status_positions(repository_on(request, conn), held)
    rules: dict[str, credentials.CompletionRule] = {}
    for code in {c.cohort_code for c in held}:
        cohort = await views.get_cohort(conn, code)
        if cohort is None:
            raise LookupError(f"certificate of an unknown cohort {code}")
        rules[code] = credentialing.completion_rule(cohort)
    keys = credential_keys(request)
    try:
        return {
            c.id: vc_jwt.sign(
                credentials.open_badge(c, rules[c.cohort_code], positions[c.id], base_url),
                keys,
                c.publisher,
                base_url,
            )
            for c in held
        }
    except NoSeal:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, NO_KEY) from None


def _jwt_response(token: str, number: str) -> Response:
    return Response(
        token,
        media_type=credentials.MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{jwt_filename(number)}"'},
    )


@router.get("/verify/{code}/credential", responses=JWT)
async def credential_by_code(code: str, request: Request) -> Response:
    """Public: the credential of the certificate this verification code names, whatever its
    status (a revoked one says so through its status list). Misses count as on `/verify`."""
    limiter = failures_of(request.app.state)
    client = request.client.host if request.client else "unknown"
    wait = limiter.retry_after(client)
    if wait is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"Terlalu banyak pencarian sertifikat yang gagal dari alamat ini; coba lagi dalam "
            f"{wait} detik. / Too many failed certificate look-ups from this address; try "
            f"again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )
    limiter.failed(client)  # until found, as `/verify` counts
    normalised = certificates.normalise_verification_code(code) or ""
    async with runtime_of(request).pool.acquire() as conn:
        certificate = await views.find_certificate(conn, code=normalised)
        if certificate is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
        limiter.forgive(client)
        token = (await signed_credentials(request, conn, [certificate]))[certificate.id]
    return _jwt_response(token, certificate.number)


@router.get("/api/v1/certificates/{certificate_id}/credential", responses=JWT)
async def credential_by_id(
    certificate_id: uuid.UUID, request: Request, principal: CurrentPrincipal
) -> Response:
    """The publisher's (or the national BPSDM's) download, as the PDF's."""
    async with runtime_of(request).pool.acquire() as conn:
        certificate = await certificate_for(conn, certificate_id, principal)
        token = (await signed_credentials(request, conn, [certificate]))[certificate.id]
    return _jwt_response(token, certificate.number)


@router.get("/status-lists/{publisher}/{list_no}", responses=JWT)
async def status_list(publisher: str, list_no: int, request: Request) -> Response:
    """Public: the publisher's revocation list `list_no`, signed, read from the certificates'
    status now (so a revocation shows as soon as it commits)."""
    runtime = runtime_of(request)
    if not is_valid_publisher_id(publisher):
        raise HTTPException(status.HTTP_404_NOT_FOUND, UNKNOWN)
    async with runtime.pool.acquire() as conn:
        revoked = await repository_on(request, conn).status_list(publisher, list_no)
    if revoked is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, UNKNOWN)
    base_url = runtime.settings.public_base_url
    now = dt.datetime.now(dt.UTC)
    listed = credentials.status_list_credential(base_url, publisher, list_no, revoked, now)
    try:
        token = vc_jwt.sign(listed, credential_keys(request), publisher, base_url)
    except NoSeal:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, NO_KEY) from None
    return Response(
        token,
        media_type=credentials.MEDIA_TYPE,
        headers={"Cache-Control": f"public, max-age={credentials.STATUS_LIST_TTL_S}"},
    )


@router.get("/issuers/{publisher}")
async def issuer(publisher: str, request: Request) -> JSONResponse:
    """Public: the issuer's profile and its public key(s), where a verifier finds the key a
    credential's `kid` names."""
    runtime = runtime_of(request)
    if not is_valid_publisher_id(publisher):
        raise HTTPException(status.HTTP_404_NOT_FOUND, UNKNOWN)
    async with runtime.pool.acquire() as conn:
        name = await views.organiser_of(conn, publisher)
    if name is None:  # no cohort, no credential: and no key made for a stranger
        raise HTTPException(status.HTTP_404_NOT_FOUND, UNKNOWN)
    try:
        jwk = credential_keys(request).public_jwk(publisher)
    except NoSeal:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, NO_KEY) from None
    profile = credentials.issuer_profile(runtime.settings.public_base_url, publisher, name, [jwk])
    return JSONResponse(profile, headers={"Cache-Control": "public, max-age=3600"})


def repository_on(request: Request, conn: Connection) -> CertificationRepository:
    """The composition root's repository on this connection."""
    runtime = runtime_of(request)
    uow = UnitOfWork(
        conn, runtime.name, dt.timedelta(0), repository_factory=runtime.definition.repository
    )
    return repository.of(uow)
