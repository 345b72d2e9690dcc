"""Rows sent as one JSON document come back as the typed values they were (real Postgres)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import asyncpg
import pytest

from shared.db import from_json_rows, json_rows

COLUMNS = (
    "name text, nip text, count int, offset_ bigint, jp numeric, at timestamptz, day date,"
    " ok boolean, id uuid"
)
WIB = dt.timezone(dt.timedelta(hours=7))


async def test_every_type_round_trips_exactly(database_url: str) -> None:
    rows = [
        (
            'Siti "Nur" Ḥasanah\\ \n',
            "198701012010012001",
            3,
            2**40,
            Decimal("12.25"),
            dt.datetime(2026, 11, 23, 8, 30, tzinfo=WIB),
            dt.date(2026, 2, 28),
            True,
            uuid.UUID("12345678-1234-5678-1234-567812345678"),
        ),
        (None, None, None, None, None, None, None, None, None),
    ]
    conn = await asyncpg.connect(database_url)
    try:
        back = await conn.fetch(f"{from_json_rows(COLUMNS)}", json_rows(rows))
    finally:
        await conn.close()
    assert [tuple(r) for r in back] == rows


async def test_numbered_rows_keep_the_input_order(database_url: str) -> None:
    rows = [(f"k{i}",) for i in range(500, 0, -1)]
    conn = await asyncpg.connect(database_url)
    try:
        back = await conn.fetch(
            f"SELECT k FROM ({from_json_rows('k text', numbered=True)}) s ORDER BY ord",
            json_rows(rows),
        )
    finally:
        await conn.close()
    assert [r["k"] for r in back] == [k for (k,) in rows]


def test_a_value_without_a_json_form_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="object"):
        json_rows([(object(),)])


async def test_a_naive_datetime_is_read_as_utc(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        back = await conn.fetchval(
            from_json_rows("at timestamptz"), json_rows([(dt.datetime(2026, 1, 2, 3, 4, 5),)])
        )
    finally:
        await conn.close()
    assert back == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


async def test_a_uuid_read_back_from_postgres_goes_in_again(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        read = await conn.fetchval("SELECT '12345678-1234-5678-1234-567812345678'::uuid")
        back = await conn.fetchval(from_json_rows("id uuid"), json_rows([(read,)]))
    finally:
        await conn.close()
    assert back == read
