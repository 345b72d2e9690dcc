"""Background loops (outbox relay, parking sweep, PDF worker) outlive failures nobody foresaw."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY

from shared import runtime
from shared.runtime import supervised


def restarts(task: str) -> float:
    return REGISTRY.get_sample_value("diklat_background_restarts_total", {"task": task}) or 0.0


async def test_a_loop_that_fails_is_restarted_until_it_ends_cleanly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runtime, "RESTART_PAUSE_S", (0.0,))
    runs: list[int] = []

    async def flaky_loop() -> None:
        runs.append(len(runs))
        if len(runs) < 3:
            raise RuntimeError("cannot switch to state 15; another operation is in progress")

    before = restarts("flaky")
    await asyncio.wait_for(supervised("flaky", flaky_loop), 5)
    assert runs == [0, 1, 2]
    assert restarts("flaky") - before == 2


async def test_cancelling_a_supervised_loop_stops_it() -> None:
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    task = asyncio.ensure_future(supervised("forever", forever))
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
