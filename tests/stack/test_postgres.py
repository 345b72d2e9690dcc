"""Embedded PostgreSQL: TCP on loopback with a password, idempotent start, clean stop."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import asyncpg
import psutil
import pytest

from diklat.stack.postgres import EmbeddedPostgres
from diklat.stack.processes import PortTaken, free_port

from .conftest import assert_gone

pytestmark = pytest.mark.integration


async def test_accepts_password_connection_on_loopback(postgres: EmbeddedPostgres) -> None:
    assert postgres.url() == f"postgresql://postgres:s3cret-pw@127.0.0.1:{postgres.port}/postgres"
    conn = await asyncpg.connect(postgres.url())
    try:
        assert await conn.fetchval("SELECT 1") == 1
        assert str(await conn.fetchval("SELECT inet_server_addr()")) == "127.0.0.1"
        assert await conn.fetchval("SHOW max_connections") == "200"
        assert await conn.fetchval("SHOW server_encoding") == "UTF8"
    finally:
        await conn.close()


async def test_wrong_password_is_refused(postgres: EmbeddedPostgres) -> None:
    url = postgres.url().replace("s3cret-pw", "wrong")
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(url)


def test_start_is_idempotent(postgres: EmbeddedPostgres) -> None:
    pid = postgres.pid()
    started = time.monotonic()
    postgres.start()
    assert time.monotonic() - started < 1
    assert postgres.pid() == pid
    # A second handle on the same directory sees the same server.
    assert EmbeddedPostgres(postgres.data_dir, postgres.port).pid() == pid


async def test_stop_leaves_no_process_and_keeps_data(tmp_path: Path) -> None:
    pg = EmbeddedPostgres(tmp_path / "pg", free_port())
    try:
        pg.start()
        conn = await asyncpg.connect(pg.url())
        await conn.execute("CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)")
        await conn.close()
        pid = pg.pid()
        assert pid is not None
        backends = [child.pid for child in psutil.Process(pid).children()]
        assert backends, "postmaster should have background workers"

        pg.stop()
        assert_gone(pid)
        for child in backends:
            assert_gone(child)
        assert not pg.is_running()
        pg.stop()  # idempotent

        pg.start()
        conn = await asyncpg.connect(pg.url())
        assert await conn.fetchval("SELECT x FROM kept") == 42
        await conn.close()
    finally:
        pg.stop()


def test_port_taken_by_someone_else(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        pg = EmbeddedPostgres(tmp_path / "pg", port)
        with pytest.raises(PortTaken, match=rf"127\.0\.0\.1:{port} .*DIKLAT_PG_PORT=\.\.\."):
            pg.start()
        assert not pg.is_running()


async def test_stale_postmaster_pid_is_ignored(tmp_path: Path) -> None:
    pg = EmbeddedPostgres(tmp_path / "pg", free_port())
    try:
        pg.start()
        pid = pg.pid()
        pg.stop()
        assert_gone(pid)
        # As after a crash and a reboot: postmaster.pid names some unrelated live process.
        (pg.pgdata / "postmaster.pid").write_text(f"{os.getpid()}\n{pg.pgdata}\n")
        assert pg.pid() is None
        pg.stop()  # must not signal us
        pg.start()
        conn = await asyncpg.connect(pg.url())
        assert await conn.fetchval("SELECT 1") == 1
        await conn.close()
    finally:
        pg.stop()
