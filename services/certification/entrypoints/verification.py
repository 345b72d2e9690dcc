"""Public verification, no login: the page a phone opens from the QR on a certificate
(`GET /verify/{code}`: HTML, or JSON to `Accept: application/json`) and the API look-up by code
or by number with the holder's name (`GET /api/v1/verify`). Every miss is the same 404, and
failed look-ups are limited per client address (429 with Retry-After)."""

from __future__ import annotations

import datetime as dt
import hmac
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from services.certification import certificates, dependencies
from services.certification.adapters.postgres import views
from services.certification.entrypoints import verification_page as page
from services.certification.entrypoints.throttle import failures_of
from services.certification.ports import Certificate, SealStatus
from services.certification.ranks import rank_with_name
from shared.db import Connection
from shared.logging import get_logger, mask_nip
from shared.runtime import ServiceRuntime, runtime_of

log = get_logger(__name__)
router = APIRouter(tags=["verification"])

NOT_FOUND = (
    "Sertifikat tidak ditemukan: periksa nomor dan nama pemegang, atau kode verifikasi. "
    "/ No certificate found: check the number and the holder's name, or the verification code."
)
NAME_NEEDED = (
    "Parameter name (nama pemegang sertifikat) wajib diisi bersama number, atau gunakan "
    "parameter code (kode verifikasi). / Give the holder's name (parameter name) with the "
    "number, or the verification code (parameter code)."
)
# Newer versions followed at most this far (a re-issue of a re-issue...): a bound, not a limit
# anyone meets.
MAX_VERSIONS = 100


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
    place_of_issue: str | None = None
    signatory: str | None = Field(
        default=None, description="who signed for the organiser: title and name (no NIP)"
    )


class SealOut(BaseModel):
    signer: str
    verified: bool = Field(description="whether the PDF's signature verifies")
    signed_at: dt.datetime | None


class Verification(BaseModel):
    status: Literal["valid", "revoked", "superseded"]
    version: int
    status_reason: str | None = None
    status_changed_at: dt.datetime | None = None
    current_number: str | None = Field(
        default=None, description="for a superseded certificate: the number that replaces it"
    )
    current_code: str | None = Field(
        default=None, description="for a superseded certificate: the current version's code"
    )
    current_url: str | None = Field(
        default=None, description="for a superseded certificate: the current version's page"
    )
    verification_url: str
    credential_url: str | None = Field(
        default=None, description="for a valid certificate: its verifiable credential"
    )
    seal: SealOut | None = Field(default=None, description="None while the PDF is not sealed")
    seal_checked: bool = Field(
        default=True, description="false when the seal could not be checked just now"
    )
    certificate: ShownCertificate


@dataclass(frozen=True)
class Found:
    """A certificate looked up, the current version where it was superseded, and its seal."""

    certificate: Certificate
    current: Certificate | None
    seal: SealStatus | None
    seal_checked: bool = True


class Refused(Exception):
    """A look-up answered with no certificate: 404 (any miss) or 429 (`retry_after` seconds)."""

    def __init__(self, retry_after: int | None = None) -> None:
        super().__init__(NOT_FOUND if retry_after is None else too_many(retry_after))
        self.retry_after = retry_after

    @property
    def status_code(self) -> int:
        if self.retry_after is None:
            return status.HTTP_404_NOT_FOUND
        return status.HTTP_429_TOO_MANY_REQUESTS

    @property
    def headers(self) -> dict[str, str] | None:
        return None if self.retry_after is None else {"Retry-After": str(self.retry_after)}


def too_many(wait: int) -> str:
    return (
        f"Terlalu banyak pencarian sertifikat yang gagal dari alamat ini; coba lagi dalam "
        f"{wait} detik. / Too many failed certificate look-ups from this address; try "
        f"again in {wait} seconds."
    )


def same_name(given: str, holder: str) -> bool:
    """Names compared as people type them: case, spacing and Unicode forms do not matter."""

    def canonical(name: str) -> bytes:
        return "".join(unicodedata.normalize("NFKC", name).casefold().split()).encode()

    return hmac.compare_digest(canonical(given), canonical(holder))


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _current_version(conn: Connection, certificate: Certificate) -> Certificate | None:
    """The latest version that replaced a superseded certificate (None for any other)."""
    current = None
    newer_id = certificate.superseded_by
    for _ in range(MAX_VERSIONS):
        if newer_id is None:
            break
        newer = await views.get_certificate(conn, newer_id)
        if newer is None:
            break
        current, newer_id = newer, newer.superseded_by
    return current


async def _certificate(
    conn: Connection, code: str | None, number: str | None, name: str | None
) -> Certificate | None:
    if code is not None:
        return await views.find_certificate(conn, code=code)
    if number is None or name is None:
        return None
    certificate = await views.find_certificate(conn, number=number)
    if certificate is not None and not same_name(name, certificate.content["name"]):
        return None
    return certificate


async def look_up(
    request: Request, code: str | None, number: str | None = None, name: str | None = None
) -> Found:
    """A public look-up, by code or by number and holder's name. Every miss (no such code, no
    such number, another name) is the same Refused, and counts against the client's address."""
    limiter, client = failures_of(request.app.state), _client(request)
    wait = limiter.retry_after(client)
    if wait is not None:
        raise Refused(retry_after=wait)
    limiter.failed(client)  # until found: concurrent look-ups cannot all pass the check first
    runtime = runtime_of(request)
    async with runtime.pool.acquire() as conn:
        certificate = await _certificate(conn, code, number, name)
        if certificate is None:
            raise Refused()
        limiter.forgive(client)
        current = await _current_version(conn, certificate)
    return await _with_seal(runtime, certificate, current)


async def _with_seal(
    runtime: ServiceRuntime, certificate: Certificate, current: Certificate | None
) -> Found:
    """The look-up with its seal; a seal check that fails is said so on the page, which still
    shows the certificate's status (never "verified" for a seal nobody checked)."""
    try:
        seal = await dependencies.of(runtime).seal_check.check(certificate.id)
    except Exception:  # any failure of the check is "could not check", never a broken page
        log.exception("seal check failed", certificate_id=str(certificate.id))
        return Found(certificate, current, None, seal_checked=False)
    return Found(certificate, current, seal)


def shown(certificate: Certificate) -> ShownCertificate:
    c = certificate.content
    return ShownCertificate(
        number=certificate.number,
        name=c["name"],
        nip_masked=mask_nip(c["nip"]),
        rank=rank_with_name(c.get("rank")),
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
        place_of_issue=c.get("place_of_issue"),
        signatory=_signatory(c.get("signatory")),
    )


def _signatory(signatory: dict[str, str] | None) -> str | None:
    return f"{signatory['title']}: {signatory['name']}" if signatory else None


def verification(found: Found, base_url: str) -> Verification:
    certificate, current, seal = found.certificate, found.current, found.seal
    url = certificates.verification_url(base_url, certificate.verification_code)
    current_url = (
        certificates.verification_url(base_url, current.verification_code) if current else None
    )
    return Verification(
        status=certificate.status,
        version=certificate.version,
        status_reason=certificate.status_reason,
        status_changed_at=certificate.status_changed_at,
        current_number=current.number if current else None,
        current_code=current.verification_code if current else None,
        current_url=current_url,
        verification_url=url,
        credential_url=f"{url}/credential" if certificate.status == "valid" else None,
        seal=SealOut(signer=seal.signer, verified=seal.verified, signed_at=seal.signed_at)
        if seal
        else None,
        seal_checked=found.seal_checked,
        certificate=shown(certificate),
    )


def _json(refused: Refused) -> JSONResponse:
    """The refusal as the API has always answered it (FastAPI's HTTPException shape)."""
    return JSONResponse({"detail": str(refused)}, refused.status_code, refused.headers)


@router.get(
    "/verify/{code}",
    response_model=Verification,
    responses={
        200: {"content": {"text/html": {}}},
        404: {"content": {"text/html": {}, "application/json": {}}},
        429: {"content": {"text/html": {}, "application/json": {}}},
    },
)
async def verify_by_code(code: str, request: Request) -> Response:
    """Public (no credential): what the QR code on the certificate points at. A page for a
    browser; JSON to a client that asks for `application/json`."""
    as_json = page.wants_json(request.headers.get("accept"))
    try:
        # A code that cannot be one is looked up as an impossible one: the same 404, counted.
        found = await look_up(request, certificates.normalise_verification_code(code) or "")
    except Refused as refused:
        answer: Response = _json(refused) if as_json else page.refusal(refused.retry_after)
    else:
        shown_as = verification(found, runtime_of(request).settings.public_base_url)
        answer = (
            JSONResponse(shown_as.model_dump(mode="json"))
            if as_json
            else HTMLResponse(page.certificate_page(shown_as))
        )
    return page.with_public_headers(answer)


@router.get("/api/v1/verify", response_model=Verification)
async def verify(
    request: Request,
    number: Annotated[str | None, Query(max_length=120)] = None,
    name: Annotated[str | None, Query(max_length=200, description="the holder's name")] = None,
    code: Annotated[str | None, Query(max_length=60)] = None,
) -> Verification:
    """Public (no credential): verify by verification code, or by certificate number together
    with the holder's name (case and spacing do not matter). A number alone is refused: numbers
    are sequential and would let anyone list every holder."""
    if not code and (not number or not name or not name.strip()):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, NAME_NEEDED)
    try:
        if code:
            found = await look_up(request, certificates.normalise_verification_code(code) or "")
        else:
            found = await look_up(request, None, number, name)
    except Refused as refused:
        raise HTTPException(refused.status_code, str(refused), refused.headers) from None
    return verification(found, runtime_of(request).settings.public_base_url)
