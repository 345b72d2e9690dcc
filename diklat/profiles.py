"""`diklat publishers profile`: set a publisher's default signatory and place of issue through
certification's admin API (PUT /api/v1/publishers/{publisher}/profile)."""

from __future__ import annotations

import os
from typing import Any

import httpx

from diklat.services import local_url

LOCAL_ADMIN_TOKEN = "admin-demo-token"  # the local stack's (diklat/services.py)


class ProfileRefused(Exception):
    """The service refused the profile; the message is its reason."""


def profile_body(
    name: str | None, nip: str | None, title: str | None, place: str | None
) -> dict[str, Any]:
    """The request body; a signatory needs all three of name, NIP and title, or none."""
    given = [value for value in (name, nip, title) if value]
    if given and len(given) != 3:
        raise ProfileRefused(
            "penandatangan perlu nama, NIP dan jabatan sekaligus / a signatory needs its name, "
            "NIP and title together (--signatory-name, --signatory-nip, --signatory-title)"
        )
    signatory = {"name": name, "nip": nip, "title": title} if given else None
    return {"signatory": signatory, "place_of_issue": place or None}


def admin_client(url: str | None = None, token: str | None = None) -> httpx.AsyncClient:
    """A client of the certification service with an admin credential: DIKLAT_CERTIFICATION_URL
    and DIKLAT_ADMIN_TOKEN, else the local stack's."""
    base = url or os.environ.get("DIKLAT_CERTIFICATION_URL") or local_url("certification")
    credential = token or os.environ.get("DIKLAT_ADMIN_TOKEN") or LOCAL_ADMIN_TOKEN
    return httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {credential}"}, timeout=30
    )


async def put_profile(
    client: httpx.AsyncClient, publisher: str, body: dict[str, Any]
) -> dict[str, Any]:
    """The profile as stored; ProfileRefused with the service's reason otherwise."""
    try:
        response = await client.put(f"/api/v1/publishers/{publisher}/profile", json=body)
    except httpx.HTTPError as failed:
        raise ProfileRefused(
            f"layanan sertifikasi tidak dapat dihubungi / the certification service cannot be "
            f"reached at {client.base_url} ({type(failed).__name__})"
        ) from None
    if response.status_code != 200:
        raise ProfileRefused(f"HTTP {response.status_code}: {_reason(response)}")
    stored: dict[str, Any] = response.json()
    return stored


def _reason(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        return response.text[:200]
    if isinstance(detail, list):  # pydantic's errors: where and why, never the value
        return "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in detail)
    return str(detail)


async def set_profile(
    publisher: str, body: dict[str, Any], url: str | None = None
) -> dict[str, Any]:
    async with admin_client(url) as client:
        return await put_profile(client, publisher, body)


def described(profile: dict[str, Any]) -> str:
    signatory = profile.get("signatory")
    who = "tanpa penandatangan / no signatory"
    if signatory:
        who = f"{signatory['name']} ({signatory['title']})"
    place = profile.get("place_of_issue") or "-"
    return f"publisher {profile['publisher']}: {who}; tempat terbit / place of issue: {place}"
