"""Session-wide real servers: one Postgres and one Apache Kafka broker for the whole run.

Each test gets its own database and its own topic namespace, so tests never see each
other's data while sharing the servers (starting a broker takes seconds, a database less).
`DIKLAT_TEST_BROKER=tansu` runs the suite on the embedded Tansu broker instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from diklat.stack.apache_kafka import ApacheKafka
from diklat.stack.postgres import EmbeddedPostgres
from diklat.stack.processes import free_port
from diklat.stack.tansu import TansuBroker
from services.certification.sealing import sealing
from services.certification.settings import seal_settings
from shared.settings import InfraSettings

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session", autouse=True)
def test_seals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Certificates are sealed by a stand-in CA of this run, never the local stack's
    (DIKLAT_CERTIFICATION_SEAL_DIR; service and renderer processes inherit it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIKLAT_CERTIFICATION_SEAL_DIR", str(tmp_path_factory.mktemp("seals")))
        seal_settings.cache_clear()
        sealing.cache_clear()
        yield
    seal_settings.cache_clear()
    sealing.cache_clear()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg"), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("DIKLAT_TEST_BROKER", "kafka") == "tansu":
        tansu = TansuBroker(tmp_path_factory.mktemp("tansu"), free_port())
        tansu.start()
        try:
            yield tansu.bootstrap_servers
        finally:
            tansu.stop()
        return
    broker = ApacheKafka(tmp_path_factory.mktemp("kafka"), free_port(), free_port())
    broker.start()
    try:
        yield broker.bootstrap_servers
    finally:
        broker.stop()


@pytest.fixture
async def database_url(postgres: EmbeddedPostgres) -> AsyncIterator[str]:
    """A fresh database per test on the shared server (superuser URL)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres.url())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield postgres.url(name)
    admin = await asyncpg.connect(postgres.url())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def infra(database_url: str, kafka_bootstrap: str) -> InfraSettings:
    namespace = f"t{uuid.uuid4().hex[:8]}."
    return InfraSettings(
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        kafka_topic_namespace=namespace,
    )


@pytest.fixture(params=["suite", "tansu"])
def any_broker(
    request: pytest.FixtureRequest, infra: InfraSettings, tmp_path: Path
) -> Iterator[InfraSettings]:
    """The suite's broker, and Tansu (the embedded default of `diklat up`) whatever that is."""
    if request.param == "suite":
        yield infra
        return
    tansu = TansuBroker(tmp_path / "tansu", free_port())
    tansu.start()
    try:
        yield infra.model_copy(update={"kafka_bootstrap_servers": tansu.bootstrap_servers})
    finally:
        tansu.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
