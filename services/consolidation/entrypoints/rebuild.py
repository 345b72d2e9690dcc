"""Rebuild the read model from the beginning of the domain and feedback topics, then swap it in.

The replay runs the same migrations, handlers and SQL as the live service, into a fresh schema
`consolidation_rebuild_<ms>`, up to where each log ended when it started (`shared/log_end.py`).
The swap renames schemas in one transaction, so readers see either the old model or the new
one, never a mix.
Data-quality counts are rebuilt too (from the feedback topics), so the rebuilt model is
complete on its own. A second pass catches up what arrived during the first; the last one runs
inside the swap transaction while it holds the live tables exclusively, so nothing the live
service commits can fall between the replay and the swap (its blocked batch fails afterwards
and is redelivered into the new model, where the inbox makes it a no-op).

It never swaps in less than the live model (the rules are `domain.require_whole_logs` and
`domain.require_no_fewer_rows`): it refuses (`RebuildRefused`, nothing changed) when a topic it
reads no longer starts at offset 0 (retention or a deletion took its first records), when a
pass meets an offset the broker no longer holds (deleted while it read: `replay`), and, inside
the swap, when any table of the rebuilt model has fewer rows than the live one.

Tables are created and filled as the service role (it owns them); creating and renaming
schemas needs CREATE on the database, which only the provisioning (superuser) URL has.
"""

from __future__ import annotations

import asyncio
import functools
import re
import sys
import time
from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.consolidation import domain
from services.consolidation.adapters.compliance import DETERMINED_TABLES, determine_everyone
from services.consolidation.adapters.figures import defer_figures, figure_everyone
from services.consolidation.adapters.upkeep import DeferredUpkeep, LiveUpkeep
from services.consolidation.bootstrap import DEFINITION, DOMAIN_TOPICS
from services.consolidation.compliance import Policy
from services.consolidation.entrypoints.replay import replay, replay_consumer
from services.consolidation.handlers import DOMAIN_ROUTES, FEEDBACK_ROUTES
from services.consolidation.settings import compliance_settings
from shared import db
from shared.consumer import BatchProcessor
from shared.logging import get_logger
from shared.runtime import fewer_collections
from shared.settings import InfraSettings, ServiceSettings
from shared.topics import FEEDBACK_PATTERN, physical, physical_pattern

log = get_logger(__name__)
SERVICE = DEFINITION.name
# The read model's tables: the rebuilt one must have at least as many rows in each.
COUNTED_TABLES = (
    "cohorts",
    "enrolments",
    "attendance",
    "completions",
    "certificates",
    "ingest_outcomes",
    "asn",
    "roster",
)


async def rebuild(
    infra: InfraSettings,
    settings: ServiceSettings | None = None,
    *,
    partial_feedback: bool = False,
    timings: dict[str, float] | None = None,
) -> int:
    """Replay everything into a fresh schema and swap it in; returns the records replayed.
    `partial_feedback`: go on when only feedback topics lost their first records (their
    data-quality counts are then incomplete, and not compared with the live model's).
    `timings`, when given, gets the seconds of each phase (first pass, determinations, the
    catch-up and swap) for the benchmarks."""
    clock = [time.perf_counter()]
    settings = settings or ServiceSettings.for_service(SERVICE, DEFINITION.settings)
    password = settings.db_password or db.local_password(SERVICE)
    stamp = int(time.time() * 1000)
    schema = f"{SERVICE}_rebuild_{stamp}"
    await db.provision(infra.database_url, SERVICE, password)
    await _superuser(infra, f'CREATE SCHEMA "{schema}" AUTHORIZATION "{db.role_name(SERVICE)}"')
    pool = await db.create_pool(
        db.service_url(infra.database_url, SERVICE, password),
        schema,
        max_size=2,
        # Nobody reads the new schema before the swap, and the swap's own commit flushes the
        # log up to it, so the replay's commits need not each wait for a flush (~10 ms a
        # batch). Should Postgres crash before, the rebuild fails and is run again.
        settings={"synchronous_commit": "off"},
    )
    try:
        async with pool.acquire() as conn:
            await db.migrate(
                conn, schema, db.service_migrations(SERVICE, DEFINITION.migrations_package)
            )
            await defer_figures(conn)
        policy = compliance_settings().policy()
        # The first pass defers the 20 JP determinations and the cohorts' figures to one pass
        # over everything at its end; the catch-up passes keep them as the live service does.
        bulk, catch_up = (
            BatchProcessor(
                SERVICE,
                pool,
                {**DOMAIN_ROUTES, **FEEDBACK_ROUTES},
                namespace=infra.kafka_topic_namespace,
                repository=upkeep,
            )
            for upkeep in (DeferredUpkeep, functools.partial(LiveUpkeep, policy=policy))
        )
        consumer = replay_consumer(infra)
        await consumer.start()
        try:
            partitions = await _partitions(consumer, infra)
            await _require_whole_logs(consumer, partitions, partial_feedback)
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            with fewer_collections(10_000, 50, 50):
                filling = StatisticsWhileFilling(pool, schema)
                replayed = await replay(consumer, bulk, partitions, filling.on_read)
                clock.append(time.perf_counter())
                await _complete(pool, schema, policy)
                clock.append(time.perf_counter())
                # Second pass: what arrived during the first one (short, so the swap is current).
                replayed += await replay(consumer, catch_up, partitions)
                replayed += await swap(
                    infra,
                    schema,
                    f"{SERVICE}_old_{stamp}",
                    replay(consumer, catch_up, partitions),
                    partial_feedback,
                )
                clock.append(time.perf_counter())
        finally:
            await consumer.stop()
    except BaseException:
        await pool.close()
        await _superuser(infra, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        raise
    await pool.close()
    if timings is not None:
        phases = ("first_pass_s", "determine_everyone_s", "catch_up_and_swap_s")
        timings.update((p, b - a) for p, a, b in zip(phases, clock[:-1], clock[1:], strict=True))
    log.info("read model rebuilt", schema=SERVICE, records=replayed)
    return replayed


class StatisticsWhileFilling:
    """Statistics for the new schema's tables while the first pass fills them: at 20,000
    records read, then each time four times as many. The tables are created empty, and
    autovacuum looks at them only after its naptime (a minute): until then the handlers'
    statements ran on plans for empty tables. bench/notes.md, session 16."""

    FIRST = 20_000
    GROWTH = 4

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self._pool, self._schema, self._next = pool, schema, self.FIRST

    async def on_read(self, replayed: int) -> None:
        if replayed < self._next:
            return
        self._next = replayed * self.GROWTH
        async with self._pool.acquire() as conn:
            await _analyze(conn, self._schema)


async def _complete(pool: asyncpg.Pool, schema: str, policy: Policy) -> None:
    """What the first pass deferred, from everything it wrote: the 20 JP determinations on one
    connection, the cohorts' figures and the other tables' statistics on the other. Each is
    Postgres' work on a core of its own, which this process only waits for; they touch
    different tables (the figures' triggers are switched back on under a lock that lets the
    determinations read on)."""

    async def determinations() -> None:
        async with pool.acquire() as conn:
            await determine_everyone(conn, policy)
            await _analyze(conn, schema, lambda table: table in DETERMINED_TABLES)

    async def figures() -> None:
        async with pool.acquire() as conn:
            await figure_everyone(conn)
            await _analyze(conn, schema, lambda table: table not in DETERMINED_TABLES)

    async with asyncio.TaskGroup() as both:  # one failing stops the other
        both.create_task(determinations())
        both.create_task(figures())


async def _analyze(
    conn: db.Connection, schema: str, which: Callable[[str], bool] = lambda table: True
) -> None:
    """Statistics for the rebuilt tables before anyone reads them: a freshly filled table has
    none, and the planner guessed tens of rows where there were thousands."""
    rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
    tables = [r["tablename"] for r in rows if which(r["tablename"])]
    if tables:
        names = ", ".join(f'"{schema}"."{t}"' for t in tables)
        await conn.execute(f"ANALYZE {names}")


async def _partitions(consumer: AIOKafkaConsumer, infra: InfraSettings) -> list[TopicPartition]:
    namespace = infra.kafka_topic_namespace
    feedback = re.compile(physical_pattern(namespace, FEEDBACK_PATTERN))
    names = [physical(namespace, t) for t in DOMAIN_TOPICS]
    names += sorted(t for t in await consumer.topics() if feedback.fullmatch(t))
    # The consumer's own metadata knows only subscribed topics; ask the admin API instead.
    admin = AIOKafkaAdminClient(**infra.kafka_client_config())
    await admin.start()
    try:
        described = await admin.describe_topics(names)
    finally:
        await admin.close()
    return [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        for partition in topic["partitions"]
    ]


async def _require_whole_logs(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition], partial_feedback: bool
) -> None:
    first = [
        (tp.topic, tp.partition, offset)
        for tp, offset in (await consumer.beginning_offsets(partitions)).items()
    ]
    if partial_feedback:
        cut = [f for f in first if domain.FEEDBACK_TOPIC_PART in f[0] and f[2] > 0]
        if cut:
            log.warning("feedback topics cut; data-quality counts will be partial", cut=cut)
        first = [f for f in first if domain.FEEDBACK_TOPIC_PART not in f[0]]
    domain.require_whole_logs(first)


async def _require_no_fewer_rows(
    conn: asyncpg.Connection, new: str, partial_feedback: bool = False
) -> None:
    """Each table of the rebuilt model has at least the live one's rows (checked while the live
    tables are locked, after the final pass: the two are then comparable)."""
    present = {
        (r["schemaname"], r["tablename"])
        for r in await conn.fetch(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY($1::text[])",
            [SERVICE, new],
        )
    }
    tables = [t for t in COUNTED_TABLES if (SERVICE, t) in present and (new, t) in present]
    if partial_feedback:
        tables = [t for t in tables if t not in domain.DATA_QUALITY_TABLES]
    if not tables:
        return  # the first rebuild: no live model to compare with
    counts = await conn.fetchrow(
        "SELECT "
        + ", ".join(
            f'(SELECT count(*) FROM "{SERVICE}".{t}) AS "live {t}", '
            f'(SELECT count(*) FROM "{new}".{t}) AS "new {t}"'
            for t in tables
        )
    )
    assert counts is not None
    domain.require_no_fewer_rows((t, counts[f"new {t}"], counts[f"live {t}"]) for t in tables)


async def swap(
    infra: InfraSettings,
    new: str,
    old: str,
    final_pass: Awaitable[int],
    partial_feedback: bool = False,
) -> int:
    """Lock the live tables, run the final catch-up into `new`, swap, drop the old schema."""
    conn = await asyncpg.connect(infra.database_url)
    try:
        async with conn.transaction():
            tables = await conn.fetch(
                """SELECT quote_ident(tablename) AS t FROM pg_tables WHERE schemaname = $1
                   ORDER BY tablename""",
                SERVICE,
            )
            if tables:
                await _lock_live_tables(conn, ", ".join(f'"{SERVICE}".{r["t"]}' for r in tables))
            caught_up = await final_pass
            await _require_no_fewer_rows(conn, new, partial_feedback)
            await conn.execute(f'ALTER SCHEMA "{SERVICE}" RENAME TO "{old}"')
            await conn.execute(f'ALTER SCHEMA "{new}" RENAME TO "{SERVICE}"')
            await conn.execute(f'DROP SCHEMA "{old}" CASCADE')
        return caught_up
    finally:
        await conn.close()


LOCK_ATTEMPTS = 10


async def _lock_live_tables(conn: asyncpg.Connection, names: str) -> None:
    """Lock the live tables exclusively: waits for the live batch in flight and blocks the next
    until the swap is done. They are taken one by one, so a live batch holding one of them and
    wanting one already taken is a deadlock; Postgres then aborts one side. If it is ours, the
    savepoint gives back what was taken (the live batch goes on) and we try again."""
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            async with conn.transaction():  # a savepoint: its rollback releases its locks
                await conn.execute(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")
            return
        except asyncpg.DeadlockDetectedError:
            if attempt == LOCK_ATTEMPTS:
                raise
            log.warning("swap deadlocked with a live batch; locking again", attempt=attempt)


async def _superuser(infra: InfraSettings, sql: str) -> None:
    conn = await asyncpg.connect(infra.database_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def main() -> None:
    """`python -m services.consolidation.entrypoints.rebuild`: rebuild with the environment's
    settings (stop nothing: the live service keeps serving the old model until the swap)."""
    try:
        asyncio.run(rebuild(InfraSettings()))
    except domain.RebuildRefused as refused:
        sys.exit(str(refused))


if __name__ == "__main__":
    main()
