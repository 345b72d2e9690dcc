"""What a service's repository contract needs on Postgres: one connection, in a transaction,
on a freshly migrated schema of that service (shared tables and its own)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from shared import db
from shared.db import Connection


@contextlib.asynccontextmanager
async def service_transaction(database_url: str, service: str) -> AsyncIterator[Connection]:
    """`service`'s schema, migrated from `services.<service>.adapters.migrations`."""
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(f"CREATE SCHEMA {service}")
        package = f"services.{service}.adapters.migrations"
        await db.migrate(admin, service, db.service_migrations(service, package))
    finally:
        await admin.close()
    pool = await db.create_pool(database_url, service, max_size=1)
    try:
        async with pool.acquire() as conn, conn.transaction():
            yield conn
    finally:
        await pool.close()
