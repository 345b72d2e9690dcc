"""Activity: background work waits for the consumers to be quiet, but not for ever."""

from __future__ import annotations

from shared.consumer import Activity


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_a_batch_in_flight_is_never_quiet_and_quiet_counts_from_its_end():
    clock = Clock()
    activity = Activity(clock=clock)
    with activity.working():
        clock.now += 5
        assert activity.quiet_for() == 0.0
    clock.now += 0.25
    assert activity.quiet_for() == 0.25


async def test_waits_for_the_quiet_moment_after_the_last_batch():
    clock = Clock()
    activity = Activity(clock=clock)
    with activity.working():
        pass
    await activity.until_quiet(0.5, 10.0, sleep=clock.sleep, poll_s=0.1)
    assert 100.5 <= clock.now < 100.6


async def test_under_sustained_load_waits_at_most_the_limit():
    clock = Clock()
    activity = Activity(clock=clock)
    with activity.working():
        await activity.until_quiet(0.5, 10.0, sleep=clock.sleep, poll_s=0.1)
    assert 110.0 <= clock.now < 110.2


async def test_a_service_that_never_handled_a_batch_is_quiet():
    clock = Clock()
    await Activity(clock=clock).until_quiet(0.5, 10.0, sleep=clock.sleep)
    assert clock.now == 100.0
