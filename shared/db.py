"""Postgres plumbing: one schema and one login role per service, pools, forward-only migrations.

Migrations are plain numbered SQL files applied in order, each in its own transaction, with a
checksum so an applied file that was edited later is refused. A small runner instead of a
library because the maintained ones (yoyo, alembic) need a synchronous driver and we use only
asyncpg; the whole runner is the function `migrate` below.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from importlib.resources.abc import Traversable
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
import orjson
from asyncpg.pool import PoolConnectionProxy

from shared.logging import get_logger

# What handlers and repositories receive: a plain connection or one borrowed from a pool.
Connection = asyncpg.Connection | PoolConnectionProxy

log = get_logger(__name__)
# Postgres unreachable, restarting or the connection broken under us: retry later, the work is
# not at fault. (InternalClientError: a protocol state broken while the server went away.)
CONNECTION_LOST: tuple[type[Exception], ...] = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.exceptions.InternalClientError,
)
# What a background loop waits out: the above, or the server refusing while it restarts.
DATABASE_TROUBLE: tuple[type[Exception], ...] = (*CONNECTION_LOST, asyncpg.PostgresError)
SHARED_MIGRATIONS = "shared.migrations"
EXTENSIONS_SCHEMA = "extensions"


def role_name(service: str) -> str:
    return f"diklat_{service}"


def local_password(service: str) -> str:
    # Local stack only; production passes DIKLAT_<SERVICE>_DB_PASSWORD from a secret store.
    return f"{service}-local-secret"


def service_url(base_url: str, service: str, password: str) -> str:
    """The base URL with the service's own role as user."""
    parts = urlsplit(base_url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{quote(role_name(service))}:{quote(password)}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/postgres", parts.query, ""))


async def provision(superuser_url: str, service: str, password: str) -> None:
    """Create the service's role and schema (idempotent); the role can touch nothing else."""
    role = role_name(service)
    conn = await asyncpg.connect(superuser_url)
    try:
        async with conn.transaction():
            # Serialise concurrent provisioning (several instances starting at once).
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('diklat.provision'))")
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
            verb = "ALTER" if exists else "CREATE"
            literal = await conn.fetchval("SELECT quote_literal($1)", password)
            await conn.execute(f'{verb} ROLE "{role}" LOGIN PASSWORD {literal}')
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{service}" AUTHORIZATION "{role}"')
            await conn.execute(f'ALTER ROLE "{role}" SET search_path = "{service}"')
            await conn.execute(f'REVOKE ALL ON SCHEMA public FROM "{role}"')
            await install_extensions(conn, role)
            database = await conn.fetchval("SELECT current_database()")
            await conn.execute(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
            await conn.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
    finally:
        await conn.close()


async def install_extensions(conn: asyncpg.Connection, role: str | None = None) -> None:
    """pg_trgm (names searched by any of their words) in a schema of its own that `role` may
    use: a service's schema is dropped and replaced by a rebuild, which would take an extension
    installed in it along. Needs a role that may create them (provisioning's)."""
    await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{EXTENSIONS_SCHEMA}"')
    await conn.execute(f'CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA "{EXTENSIONS_SCHEMA}"')
    if role is not None:
        await conn.execute(f'GRANT USAGE ON SCHEMA "{EXTENSIONS_SCHEMA}" TO "{role}"')


# --- many rows in one parameter ------------------------------------------------------------
# Set-based statements send their rows as one JSON array of arrays that Postgres turns back
# into typed columns. asyncpg encodes a column array (`unnest($1::text[], ...)`) element by
# element, ~3-5 us of client CPU per row and column set: the largest cost of a hot batch.
# orjson writes the whole document in a tenth of that and Postgres reads jsonb about as fast as
# the arrays. The parameter travels as text: the pool's json codec would encode it twice.


def json_rows(rows: Sequence[Sequence[object]]) -> str:
    """Rows for `from_json_rows`: a JSON array of arrays, each value as Postgres reads it back."""
    # orjson writes dates and aware datetimes itself (RFC 3339, offset kept); a naive datetime
    # is taken as UTC, the zone every service runs in.
    return orjson.dumps(rows, default=_json_default, option=orjson.OPT_NAIVE_UTC).decode()


def from_json_rows(columns: str, param: int = 1, numbered: bool = False) -> str:
    """A SELECT of typed columns from the `json_rows` document in `$param`.

    `columns` lists "name type" pairs ('source text, event_id text, "offset" bigint'), or bare
    types for an INSERT's column list ('text, text, bigint'). `numbered` adds a column `ord`
    numbering the rows from 1, for results in input order."""
    selected = []
    for i, column in enumerate(columns.split(",")):
        *name, type_ = column.split()
        # A JSON value is taken as it stands in the document, everything else from its text.
        value = f"(r.v->{i})" if type_ == "jsonb" else f"(r.v->>{i})::{type_}"
        selected.append(value + (f" AS {name[0]}" if name else ""))
    if numbered:
        selected.append("r.ord")
    return (
        f"SELECT {', '.join(selected)} FROM jsonb_array_elements(${param}::text::jsonb)"
        " WITH ORDINALITY AS r(v, ord)"
    )


def _json_default(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)  # exact: numeric's input reads it back digit for digit
    if isinstance(value, dt.datetime):  # a tzinfo orjson does not know (a fixed offset)
        return value.isoformat()
    if isinstance(value, uuid.UUID):  # asyncpg's own UUID type, read back from a row
        return str(value)
    raise TypeError(f"no JSON form for {type(value).__name__}")


async def _init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=_json_text, decoder=orjson.loads, schema="pg_catalog"
        )


def _json_text(value: object) -> str:
    return orjson.dumps(value, default=_json_default, option=orjson.OPT_NON_STR_KEYS).decode()


# The services' hot tables live in memory (or on SSD), where an index probe costs about what a
# sequential page read does; with the default (4) the planner chose to scan all enrolments of
# the service rather than probe its index for the ~1,000 rows of a batch.
PLANNER_SETTINGS = {"random_page_cost": "1.1"}


async def create_pool(
    url: str,
    schema: str,
    min_size: int = 1,
    max_size: int = 10,
    settings: Mapping[str, str] | None = None,
) -> asyncpg.Pool:
    """A pool whose connections work in `schema`, with any further server `settings`."""
    pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        server_settings={
            "search_path": schema,
            "application_name": f"diklat-{schema}",
            **PLANNER_SETTINGS,
            **(settings or {}),
        },
    )
    assert pool is not None
    return pool


@contextlib.asynccontextmanager
async def indexes_built_after(conn: Connection, table: str) -> AsyncIterator[None]:
    """Fill `table` without keeping its plain secondary indexes up to date row by row, then
    build each once from its own definition: one sort per index instead of a million scattered
    inserts. Unique indexes and those of constraints stay (the load's ON CONFLICT and checks
    need them). All in one transaction, so no one ever sees the table without them; for a
    table nobody else writes meanwhile (a rebuild's)."""
    async with conn.transaction():
        indexes = await conn.fetch(
            """SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition
               FROM pg_index WHERE indrelid = $1::regclass AND NOT indisunique
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)""",
            table,
        )
        for index in indexes:
            await conn.execute(f"DROP INDEX {index['name']}")
        yield
        for index in indexes:
            await conn.execute(index["definition"])


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationError(RuntimeError):
    pass


def migrations_in(package: str, prefix: str) -> list[Migration]:
    folder: Traversable = resources.files(package)
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [Migration(f"{prefix}/{f.name}", f.read_text()) for f in files]


def service_migrations(service: str, package: str | None) -> list[Migration]:
    """Shared tables (inbox, outbox, parking, barriers) first, then the service's own."""
    own = migrations_in(package, service) if package else []
    return migrations_in(SHARED_MIGRATIONS, "shared") + own


async def migrate(conn: Connection, schema: str, migrations: list[Migration]) -> list[str]:
    """Apply what is new, in order; refuse an applied migration whose text changed."""
    applied_now: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"{schema}.migrate")
        await conn.execute(f'SET LOCAL search_path = "{schema}"')
        await conn.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
            name text PRIMARY KEY, checksum text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now())""")
        done = {
            r["name"]: r["checksum"]
            for r in await conn.fetch("SELECT name, checksum FROM schema_migrations")
        }
        for migration in migrations:
            if migration.name in done:
                if done[migration.name] != migration.checksum:
                    raise MigrationError(
                        f"migration {migration.name} was applied and then edited; migrations "
                        "are forward-only: add a new file instead"
                    )
                continue
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)",
                migration.name,
                migration.checksum,
            )
            applied_now.append(migration.name)
    if applied_now:
        log.info("migrations applied", schema=schema, migrations=applied_now)
    return applied_now
