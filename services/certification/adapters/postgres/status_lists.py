"""Certificates' places in the publishers' status lists on Postgres: the `StatusLists` port
(services/certification/ports.py)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from services.certification.credentials import StatusPosition
from shared.db import Connection, from_json_rows, json_rows

_POSITION_ROWS = from_json_rows("uuid, text, int, int, text")


class PostgresStatusLists:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def status_positions(
        self, certificate_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, StatusPosition]:
        rows = await self.conn.fetch(
            """SELECT certificate_id, list_no, list_index, salt FROM credential_status
               WHERE certificate_id = ANY($1::uuid[])""",
            list(certificate_ids),
        )
        return {r[0]: StatusPosition(r[1], r[2], r[3]) for r in rows}

    async def open_status_list(self, publisher: str) -> tuple[int, set[int]]:
        # The upsert locks the head row until commit, as certificate_counters does.
        list_no: int = await self.conn.fetchval(
            """INSERT INTO status_list_heads (publisher, list_no) VALUES ($1, 1)
               ON CONFLICT (publisher) DO UPDATE SET list_no = status_list_heads.list_no
               RETURNING list_no""",
            publisher,
        )
        rows = await self.conn.fetch(
            "SELECT list_index FROM credential_status WHERE publisher = $1 AND list_no = $2",
            publisher,
            list_no,
        )
        return list_no, {r[0] for r in rows}

    async def insert_status_positions(
        self, publisher: str, positions: Sequence[tuple[uuid.UUID, StatusPosition]]
    ) -> None:
        if not positions:
            return
        await self.conn.execute(
            f"""INSERT INTO credential_status
                   (certificate_id, publisher, list_no, list_index, salt) {_POSITION_ROWS}""",
            json_rows([(i, publisher, p.list_no, p.index, p.salt) for i, p in positions]),
        )
        await self.conn.execute(
            """INSERT INTO status_list_heads (publisher, list_no) VALUES ($1, $2)
               ON CONFLICT (publisher) DO UPDATE
               SET list_no = greatest(status_list_heads.list_no, EXCLUDED.list_no)""",
            publisher,
            max(p.list_no for _, p in positions),
        )

    async def status_list(self, publisher: str, list_no: int) -> set[int] | None:
        newest: int | None = await self.conn.fetchval(
            "SELECT list_no FROM status_list_heads WHERE publisher = $1", publisher
        )
        if newest is None or not 1 <= list_no <= newest:
            return None
        rows = await self.conn.fetch(
            """SELECT s.list_index FROM credential_status s
                   JOIN certificates c ON c.id = s.certificate_id
               WHERE s.publisher = $1 AND s.list_no = $2 AND c.status <> 'valid'""",
            publisher,
            list_no,
        )
        return {r[0] for r in rows}
