"""Publishers' default signatory and place of issue on Postgres: the `Profiles` port
(services/certification/ports.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.certification.certificates import Issuer
from shared.db import Connection


class PostgresProfiles:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def publisher_profiles(self, publishers: Sequence[str]) -> dict[str, Issuer]:
        rows = await self.conn.fetch(
            """SELECT publisher, signatory_name, signatory_nip, signatory_title, place_of_issue
               FROM publisher_profiles WHERE publisher = ANY($1::text[])""",
            list(publishers),
        )
        return {r["publisher"]: _issuer(*r[1:]) for r in rows}

    async def save_profile(self, publisher: str, profile: Issuer, at: dt.datetime) -> None:
        signatory = profile.signatory or {}
        await self.conn.execute(
            """INSERT INTO publisher_profiles (publisher, signatory_name, signatory_nip,
                   signatory_title, place_of_issue, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (publisher) DO UPDATE SET signatory_name = EXCLUDED.signatory_name,
                   signatory_nip = EXCLUDED.signatory_nip,
                   signatory_title = EXCLUDED.signatory_title,
                   place_of_issue = EXCLUDED.place_of_issue, updated_at = EXCLUDED.updated_at""",
            publisher,
            signatory.get("name"),
            signatory.get("nip"),
            signatory.get("title"),
            profile.place_of_issue,
            at,
        )


def _issuer(name: str | None, nip: str | None, title: str | None, place: str | None) -> Issuer:
    signatory = None if name is None else {"name": name, "nip": nip or "", "title": title or ""}
    return Issuer(signatory=signatory, place_of_issue=place)
