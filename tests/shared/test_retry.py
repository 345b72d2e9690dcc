"""The retry policy: outside trouble (Postgres, Kafka) is waited out, anything else goes up;
broken help is renewed; a batch escalates as `Escalation` says."""

from __future__ import annotations

import asyncio
from concurrent.futures.process import BrokenProcessPool

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError

from shared.consumer.strategy import Attempt, Escalation
from shared.retry import escalating, renewing, through_outside_trouble

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


async def test_an_escalating_batch_goes_again_carefully_then_each_record_alone() -> None:
    tries = Escalation(Attempt.OPTIMISTIC)
    seen: list[tuple[Attempt, bool]] = []

    async def batch() -> str:
        seen.append((tries.attempt, tries.each_alone))
        if not tries.each_alone:
            raise ValueError("a statement refused the batch")
        return "each alone"

    def goes_again(failure: BaseException) -> bool:
        return isinstance(failure, ValueError) and not tries.each_alone and tries.after_failure()

    assert await escalating(goes_again)(batch) == "each alone"
    assert seen == [(Attempt.OPTIMISTIC, False), (Attempt.CAREFUL, False), (Attempt.CAREFUL, True)]


async def test_transient_rollbacks_go_again_carefully_five_times_then_go_up() -> None:
    tries = Escalation(Attempt.LOOKED_UP)
    attempts: list[Attempt] = []

    async def batch() -> None:
        attempts.append(tries.attempt)
        raise asyncpg.DeadlockDetectedError("simulated")

    with pytest.raises(asyncpg.DeadlockDetectedError):
        await escalating(lambda _: tries.after_transient())(batch)
    assert attempts == [Attempt.LOOKED_UP] + [Attempt.CAREFUL] * 5
