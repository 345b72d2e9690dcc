"""`diklat up/down/status` orchestration over embedded Postgres and Tansu."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from diklat.stack.processes import free_port
from diklat.stack.stack import REPO_ROOT, StackConfig, down, status, up

from .conftest import assert_gone


@pytest.mark.unit
def test_config_from_env_defaults_and_overrides() -> None:
    cfg = StackConfig.from_env({})
    assert cfg == StackConfig(stack_dir=REPO_ROOT / ".stack")
    assert (cfg.pg_port, cfg.kafka_port) == (55432, 19092)

    cfg = StackConfig.from_env(
        {
            "DIKLAT_STACK_DIR": "/tmp/somewhere",
            "DIKLAT_PG_PORT": "6000",
            "DIKLAT_KAFKA_PORT": "6001",
            "DATABASE_URL": "postgresql://u:p@db:5432/diklat",
            "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
        }
    )
    assert cfg.stack_dir == Path("/tmp/somewhere")
    assert (cfg.pg_port, cfg.kafka_port) == (6000, 6001)
    assert cfg.database_url == "postgresql://u:p@db:5432/diklat"
    assert cfg.kafka_bootstrap_servers == "kafka:9092"

    with pytest.raises(ValueError, match="DIKLAT_PG_PORT"):
        StackConfig.from_env({"DIKLAT_PG_PORT": "lots"})


@pytest.mark.unit
def test_external_servers_are_reported_not_started(tmp_path: Path) -> None:
    cfg = StackConfig(
        stack_dir=tmp_path,
        database_url="postgresql://u:p@db:5432/diklat",
        kafka_bootstrap_servers="kafka:9092",
    )
    st = up(cfg)
    assert [(s.name, s.state, s.pid) for s in st.services] == [
        ("postgres", "external", None),
        ("kafka", "external", None),
    ]
    assert st.ready
    assert st.env() == {
        "DATABASE_URL": "postgresql://u:p@db:5432/diklat",
        "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
    }
    down(cfg)


@pytest.mark.integration
async def test_up_status_down(tmp_path: Path) -> None:
    cfg = StackConfig(stack_dir=tmp_path / "stack", pg_port=free_port(), kafka_port=free_port())
    try:
        assert not status(cfg).ready
        st = up(cfg)
        assert st.ready
        assert {s.name: s.state for s in st.services} == {"postgres": "running", "kafka": "running"}
        pids = {s.name: s.pid for s in st.services}
        assert all(pids.values())
        assert up(cfg).rows() == st.rows()  # idempotent: same PIDs
        assert st.kafka_bootstrap_servers == f"127.0.0.1:{cfg.kafka_port}"

        conn = await asyncpg.connect(st.database_url)
        assert await conn.fetchval("SELECT 1") == 1
        await conn.close()

        table = st.table().splitlines()
        assert table[0].split() == list(st.HEADERS)
        assert len(table) == 3
    finally:
        down(cfg)
    for pid in pids.values():
        assert_gone(pid)
    st = status(cfg)
    assert {s.state for s in st.services} == {"stopped"}
    down(cfg)  # idempotent
