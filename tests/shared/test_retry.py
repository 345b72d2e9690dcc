"""The retry policy: outside trouble (Postgres, Kafka) is waited out, anything else goes up."""

from __future__ import annotations

import asyncio
from concurrent.futures.process import BrokenProcessPool

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError

from shared.retry import renewing, through_outside_trouble

pytestmark = pytest.mark.unit


async def test_postgres_and_kafka_trouble_is_waited_out_until_the_work_succeeds() -> None:
    failures: list[Exception] = [
        asyncpg.CannotConnectNowError("the database system is starting up"),
        KafkaConnectionError("broker restarting"),
        ConnectionRefusedError(),
    ]
    tries: list[int] = []

    async def work() -> None:
        tries.append(len(tries))
        if failures:
            raise failures.pop(0)

    await asyncio.wait_for(through_outside_trouble("test work", work, 0.0), 5)
    assert tries == [0, 1, 2, 3]


async def test_a_failure_of_the_work_itself_is_not_retried() -> None:
    tries: list[int] = []

    async def work() -> None:
        tries.append(len(tries))
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError, match="a bug"):
        await through_outside_trouble("test work", work, 0.0)
    assert tries == [0]


async def test_broken_help_is_renewed_and_the_work_goes_again_at_once() -> None:
    renewed: list[int] = []
    tries: list[int] = []

    async def work() -> None:
        tries.append(len(tries))
        if len(tries) < 3:
            raise BrokenProcessPool("renderer died")

    await asyncio.wait_for(
        renewing("test work", (BrokenProcessPool,), lambda: renewed.append(1), work, "renewed"), 5
    )
    assert tries == [0, 1, 2]
    assert renewed == [1, 1]


async def test_any_other_failure_goes_up_without_a_renewal() -> None:
    renewed: list[int] = []

    async def work() -> None:
        raise asyncpg.CannotConnectNowError("the database system is starting up")

    with pytest.raises(asyncpg.CannotConnectNowError):
        await renewing("test work", (BrokenProcessPool,), lambda: renewed.append(1), work, "x")
    assert renewed == []
