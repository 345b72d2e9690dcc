"""When a service's consumers last handled events: background work that can wait (PDF
rendering) waits for a quiet moment instead of taking CPU from them."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass


@dataclass
class Activity:
    clock: Callable[[], float] = time.monotonic
    in_flight: int = 0
    last_done: float = float("-inf")

    @contextlib.contextmanager
    def working(self) -> Iterator[None]:
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1
            self.last_done = self.clock()

    def quiet_for(self) -> float:
        """Seconds since the last batch ended; 0 while one is being handled."""
        return 0.0 if self.in_flight else self.clock() - self.last_done

    async def until_quiet(
        self,
        quiet_s: float,
        at_most_s: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        poll_s: float = 0.05,
    ) -> None:
        """Return once nothing was handled for `quiet_s`, or after `at_most_s` in any case (so
        the background work still advances under sustained load)."""
        deadline = self.clock() + at_most_s
        while self.quiet_for() < quiet_s and self.clock() < deadline:
            await sleep(poll_s)
