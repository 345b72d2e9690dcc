"""Publishers' default signatory and place of issue over HTTP: an admin sets them, the
publisher itself (or an admin) reads them. A schedule's own signatory and place win over
them (certificates.issuer_of); certificates already issued keep what they say."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status
from pydantic import BaseModel, Field

from services.certification.adapters.postgres.profiles import PostgresProfiles
from services.certification.certificates import Issuer
from shared.auth import AdminPrincipal, CurrentPrincipal
from shared.events.ingest import ShortText, Signatory
from shared.regions import is_valid_publisher_id
from shared.runtime import runtime_of

router = APIRouter(prefix="/api/v1", tags=["certification"])


class Profile(BaseModel):
    """Who signs a publisher's STTP and where it is issued, when its schedules do not say."""

    signatory: Signatory | None = Field(
        default=None, description="name, NIP and title (jabatan); none: no signatory block"
    )
    place_of_issue: ShortText | None = Field(default=None, description='e.g. "Jambi"')


class ProfileOut(Profile):
    publisher: str


PublisherId = Annotated[
    str, Path(description="nasional, a province (15) or kabupaten/kota (35.23)")
]
NOT_A_PUBLISHER = (
    "bukan kode penerbit: nasional, kode provinsi (15) atau kabupaten/kota (35.23) / "
    "not a publisher id: nasional, a province (15) or kabupaten/kota code (35.23)"
)
NOT_YOURS = (
    "profil penerbit hanya untuk penerbit itu sendiri atau admin / "
    "a publisher's profile is for that publisher or an admin only"
)


def _checked(publisher: str) -> str:
    if not is_valid_publisher_id(publisher):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, NOT_A_PUBLISHER)
    return publisher


def _out(publisher: str, issuer: Issuer | None) -> ProfileOut:
    if issuer is None:
        return ProfileOut(publisher=publisher)
    signatory = None if issuer.signatory is None else Signatory(**issuer.signatory)
    return ProfileOut(
        publisher=publisher, signatory=signatory, place_of_issue=issuer.place_of_issue
    )


@router.put("/publishers/{publisher}/profile", response_model=ProfileOut)
async def set_profile(
    publisher: PublisherId, body: Profile, request: Request, _: AdminPrincipal
) -> ProfileOut:
    """Set the profile whole: a field left out is cleared."""
    issuer = Issuer(
        signatory=None if body.signatory is None else body.signatory.model_dump(),
        place_of_issue=body.place_of_issue,
    )
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        await PostgresProfiles(conn).save_profile(
            _checked(publisher), issuer, dt.datetime.now(dt.UTC)
        )
    return _out(publisher, issuer)


@router.get("/publishers/{publisher}/profile", response_model=ProfileOut)
async def get_profile(
    publisher: PublisherId, request: Request, principal: CurrentPrincipal
) -> ProfileOut:
    """The profile; both fields null when none was set (the STTP then shows no signatory)."""
    if principal.scope != "admin" and principal.publisher != _checked(publisher):
        raise HTTPException(status.HTTP_403_FORBIDDEN, NOT_YOURS)
    async with runtime_of(request).pool.acquire() as conn:
        found = await PostgresProfiles(conn).publisher_profiles([_checked(publisher)])
    return _out(publisher, found.get(publisher))
