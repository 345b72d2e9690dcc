"""Tansu: starts detached, round-trips a record with aiokafka, stops by PID."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition

from diklat.stack.processes import PortTaken, free_port, pid_alive, write_pid
from diklat.stack.tansu import TansuBroker

from .conftest import assert_gone, consume_one

pytestmark = pytest.mark.integration


async def test_round_trip(tansu: TansuBroker) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=tansu.bootstrap_servers)
    await producer.start()
    try:
        meta = await producer.send_and_wait("stack.tansu.roundtrip", b"v1", key=b"k1")
    finally:
        await producer.stop()
    tp = TopicPartition(meta.topic, meta.partition)
    config = {"bootstrap_servers": tansu.bootstrap_servers}
    assert await consume_one(config, tp) == (b"k1", b"v1")


def test_start_is_idempotent(tansu: TansuBroker) -> None:
    pid = tansu.pid()
    started = time.monotonic()
    tansu.start()
    assert time.monotonic() - started < 1
    assert tansu.pid() == pid
    assert tansu.bootstrap_servers == f"127.0.0.1:{tansu.port}"


def test_stop_leaves_no_process(tmp_path: Path) -> None:
    broker = TansuBroker(tmp_path / "tansu", free_port())
    try:
        broker.start()
        pid = broker.pid()
    finally:
        broker.stop()
    assert_gone(pid)
    assert not broker.is_running()
    broker.stop()  # idempotent


def test_port_taken_by_someone_else(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        broker = TansuBroker(tmp_path / "tansu", port)
        with pytest.raises(PortTaken, match="DIKLAT_KAFKA_PORT"):
            broker.start()
        assert not broker.is_running()


def test_stale_pid_file_naming_another_process_is_ignored(tmp_path: Path) -> None:
    broker = TansuBroker(tmp_path / "tansu", free_port())
    broker.data_dir.mkdir(parents=True)
    write_pid(broker.pid_file, os.getpid())  # e.g. a PID reused after a reboot
    assert broker.pid() is None
    broker.stop()  # must not signal us
    assert pid_alive(os.getpid())


def test_port_change_while_running_is_reported_not_orphaned(tansu: TansuBroker) -> None:
    moved = TansuBroker(tansu.data_dir, free_port())
    assert moved.pid() == tansu.pid()
    assert moved.running_port() == tansu.port
    with pytest.raises(RuntimeError, match=rf"already runs on 127\.0\.0\.1:{tansu.port}"):
        moved.start()
    pid = moved.pid()
    moved.stop()  # still ours, so it can be stopped under the new port
    assert_gone(pid)
