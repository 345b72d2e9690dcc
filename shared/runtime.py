"""Runs one service process: pool, migrations, consumers, outbox relay, parking sweeper, HTTP
(health, readiness, metrics, the service's routes). What runs is declared by the service's
composition root (`services/<name>/bootstrap.py`, a `ServiceDefinition`); nothing here is
particular to one service."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any

import asyncpg
import uvicorn
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI, Request, Response
from faststream.kafka import KafkaBroker
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared import db
from shared.auth import parse_tokens
from shared.consumer import Activity, BatchProcessor, Record, RouteTable
from shared.kafka import build_broker, build_producer, ensure_topics, subscribe_batches
from shared.logging import configure_logging, get_logger
from shared.outbox import OutboxRelay
from shared.retry import restarting, through_outside_trouble
from shared.service import ServiceDefinition, Subscription, subscriptions_of
from shared.settings import InfraSettings, ServiceSettings
from shared.topics import DOMAIN_TOPICS
from shared.web.docs import install_docs
from shared.web.session import Sessions
from shared.web.signin import install_pages

log = get_logger(__name__)

__all__ = ["ServiceDefinition", "ServiceRuntime", "fewer_collections", "runtime_of", "supervised"]


class ServiceRuntime:
    def __init__(
        self,
        definition: ServiceDefinition,
        infra: InfraSettings | None = None,
        settings: ServiceSettings | None = None,
    ) -> None:
        self.definition = definition
        self.name = definition.name
        self.infra = infra or InfraSettings()
        self.settings = settings or ServiceSettings.for_service(
            definition.name, definition.settings, definition.required_outside_local_stack
        )
        self.broker: KafkaBroker = build_broker(self.infra, self.settings)
        # Declared now, started with the broker: the AsyncAPI document reads them unstarted.
        self.subscriptions = subscriptions_of(definition)
        self._processors: dict[str, BatchProcessor] = {}
        for subscription in self.subscriptions:
            self._subscribe(subscription)
        self._producer: AIOKafkaProducer | None = None
        self._pool: asyncpg.Pool | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.relay: OutboxRelay | None = None
        self.activity = Activity()  # shared by this process's consumers
        self.ready = False
        # Built once, here: the composition root's adapters for the entrypoints (they may reach
        # the pool later, when they are used).
        self.dependencies: object = (
            definition.dependencies(self) if definition.dependencies is not None else None
        )
        self._owns_process = False  # set by `serve`: process-wide tuning is ours to do
        self._process_tuning = contextlib.ExitStack()

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(f"{self.name}: the database pool is not open yet")
        return self._pool

    async def start(self) -> None:
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        self._pool = await self._open_database()
        await ensure_topics(self.infra, DOMAIN_TOPICS)
        # aiokafka clients must be created inside the running loop.
        self._producer = build_producer(self.infra)
        await self._producer.start()
        self._make_processors()
        await self.broker.start()
        self.relay = OutboxRelay(
            self.pool,
            self.name,
            self._producer,
            self.settings.outbox_batch_size,
            self.settings.outbox_poll_interval_s,
            self.infra.kafka_topic_namespace,
            self.settings.outbox_round_bytes,
        )
        self._spawn("outbox relay", self.relay.run)
        self._spawn("parking sweep", self._sweep_parked)
        for task in self.definition.background:
            self._spawn(task.__name__, functools.partial(task, self))
        if self._owns_process:
            self._process_tuning.enter_context(fewer_collections())
        self.ready = True
        log.info("service started", http_port=self.settings.http_port)

    async def stop(self) -> None:
        # Each step is bounded: a consumer stuck joining its group must not keep a stopping
        # process alive (uncommitted work is redelivered anyway).
        self.ready = False
        await _bounded(self.broker.stop(), "broker")
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._producer is not None:
            await _bounded(self._producer.stop(), "producer")
            self._producer = None
        if self._pool is not None:
            await _bounded(self._pool.close(), "database pool")
            self._pool = None
        self._process_tuning.close()
        log.info("service stopped")

    async def _open_database(self) -> asyncpg.Pool:
        url = self.settings.database_url
        if url is None:
            # Local stack and tests: DATABASE_URL is a superuser; make our role and schema.
            password = self.settings.db_password or db.local_password(self.name)
            await db.provision(self.infra.database_url, self.name, password)
            url = db.service_url(self.infra.database_url, self.name, password)
        pool = await db.create_pool(url, self.name, max_size=8)
        async with pool.acquire() as conn:
            await db.migrate(
                conn,
                self.name,
                db.service_migrations(self.name, self.definition.migrations_package),
            )
        return pool

    def processor(self, routes: RouteTable, reports: bool = False) -> BatchProcessor:
        """A processor for one subscription; parked ingest events run on the ingest routes."""
        return BatchProcessor(
            self.name,
            self.pool,
            routes,
            reports_envelope_errors=reports,
            park_timeout_s=self.settings.park_timeout_s,
            namespace=self.infra.kafka_topic_namespace,
            parked_routes=self.definition.ingest_routes,
            cohorts_commute=self.definition.cohorts_commute,
            lanes=min(self.settings.lanes, self.definition.max_lanes),
            lane_min_records=self.settings.lane_min_records,
            activity=self.activity,
            repository=self.definition.repository,
        )

    def _make_processors(self) -> None:
        d = self.definition
        # The sweeper expires parked ingest events even where no ingest subscription runs.
        self.ingest = self.processor(d.ingest_routes, d.reports_envelope_errors)
        for s in self.subscriptions:
            made = self.ingest if s.name == "ingest" else self.processor(s.routes)
            self._processors[s.name] = made

    def _subscribe(self, subscription: Subscription) -> None:
        async def process(records: Sequence[Record]) -> object:
            return await self._processors[subscription.name].process(records)

        subscribe_batches(
            self.broker,
            process,
            self.settings,
            group_id=f"{self.settings.consumer_group}.{subscription.name}",
            namespace=self.infra.kafka_topic_namespace,
            topics=subscription.topics,
            pattern=subscription.pattern,
            title=f"{self.name}/{subscription.name}",
        )

    def _spawn(self, name: str, start: Callable[[], Awaitable[None]]) -> None:
        self._tasks.append(asyncio.ensure_future(supervised(name, start)))

    async def _sweep_parked(self) -> None:
        interval = self.settings.park_sweep_interval_s
        while True:
            await asyncio.sleep(interval)
            await through_outside_trouble("parking sweep", self.ingest.expire_parked, interval)

    def http_app(self) -> FastAPI:
        @contextlib.asynccontextmanager
        async def lifespan(_: FastAPI) -> AsyncIterator[None]:
            await self.start()
            try:
                yield
            finally:
                await self.stop()

        app = FastAPI(
            title=self.definition.title or f"diklat {self.name}",
            lifespan=lifespan,
            docs_url=None,  # install_docs serves them from local assets
            redoc_url=None,
        )
        app.state.runtime = self
        app.state.principals = parse_tokens(self.settings.api_tokens)
        if not app.state.principals:
            # Otherwise every API request's 401 is the only sign of a missing setting.
            log.warning(
                "tanpa token API, setiap permintaan /api/ dijawab 401 / "
                "no API tokens: every /api/ request is answered 401",
                variable=f"DIKLAT_{self.name.upper()}_API_TOKENS",
            )
        install_docs(app)
        session_key = self.settings.session_key()
        if session_key is not None:
            install_pages(app, Sessions(session_key))
        app.add_api_route("/health", _health, include_in_schema=False)
        app.add_api_route("/ready", _ready, include_in_schema=False)
        app.add_api_route("/metrics", _metrics, include_in_schema=False)
        if self.definition.router is not None:
            app.include_router(self.definition.router)
        return app

    async def serve(self) -> None:
        configure_logging(self.name, self.settings.log_level)
        self._owns_process = True
        config = uvicorn.Config(
            self.http_app(),
            host=self.settings.http_host,
            port=self.settings.http_port,
            log_config=None,
            access_log=False,
            lifespan="on",
        )
        await uvicorn.Server(config).serve()


STOP_STEP_TIMEOUT_S = 10.0
GC_GEN0_THRESHOLD = 50_000


@contextlib.contextmanager
def fewer_collections(gen0: int = GC_GEN0_THRESHOLD, *older: int) -> Iterator[None]:
    """Batches allocate a dict or more per record; with the default gen-0 threshold (700) the
    cyclic collector ran many times per batch and rescanned the long-lived objects of startup
    (modules, models, settings). Freeze those out of the scans and collect young objects every
    `gen0` allocations (`older`: the gen-1 and gen-2 thresholds, default unchanged). Restored
    on exit; what was frozen before stays frozen."""
    threshold = gc.get_threshold()
    ours = gc.get_freeze_count() == 0
    if ours:
        gc.collect()
        gc.freeze()
    gc.set_threshold(gen0, *(older or threshold[1:]))
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if ours:
            gc.unfreeze()


RESTART_PAUSE_S = (0.5, 1.0, 2.0, 5.0)


async def supervised(name: str, start: Callable[[], Awaitable[None]]) -> None:
    """Run a background loop for the life of the process: a failure nobody foresaw (a client
    library's internal error while Postgres restarts, say) restarts it after a pause instead of
    silently ending it, which would leave e.g. the outbox unrelayed while the service looks up."""
    await restarting(name, start, RESTART_PAUSE_S)


async def _bounded(step: Awaitable[None], what: str) -> None:
    try:
        await asyncio.wait_for(step, STOP_STEP_TIMEOUT_S)
    except TimeoutError:
        log.warning("stop step timed out; going on", step=what)


def runtime_of(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def _health() -> dict[str, str]:
    return {"status": "ok"}


async def _ready(request: Request, response: Response) -> dict[str, Any]:
    runtime = runtime_of(request)
    checks: dict[str, Any] = {"started": runtime.ready}
    try:
        async with runtime.pool.acquire(timeout=2) as conn:
            checks["database"] = await conn.fetchval("SELECT 1") == 1
            checks["outbox_backlog"] = await conn.fetchval("SELECT count(*) FROM outbox")
    except Exception as exc:  # readiness reports any failure as not ready
        checks["database"] = False
        checks["error"] = type(exc).__name__
    ok = bool(checks["started"] and checks["database"])
    response.status_code = 200 if ok else 503
    return {"status": "ready" if ok else "not ready", **checks}


async def _metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
