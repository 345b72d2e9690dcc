"""Failed public look-ups per client address, in this process: enough to stop a walk over
certificate numbers (one address trying number after number), without a shared store."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any

FAILURE_LIMIT = 10
WINDOW_S = 600.0
# Addresses remembered at most; beyond that the one whose last failure is oldest is forgotten,
# so a flood of addresses costs bounded memory.
MAX_CLIENTS = 100_000


class FailureLimiter:
    """At most `limit` failures per client in any `window_s` seconds. Only failures count (a
    success does not reset them: one known certificate would otherwise unlock the walk)."""

    def __init__(
        self,
        limit: int = FAILURE_LIMIT,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_CLIENTS,
    ) -> None:
        if limit < 1 or window_s <= 0 or max_clients < 1:
            raise ValueError("limit, window_s and max_clients must be positive")
        self.limit = limit
        self.window_s = window_s
        self.max_clients = max_clients
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}  # oldest last failure first

    def retry_after(self, client: str) -> int | None:
        """Whole seconds until `client` may look up again (at least 1), or None if it may now."""
        now = self._clock()
        recent = self._recent(client, now)
        if recent is None or len(recent) < self.limit:
            return None
        return max(1, math.ceil(recent[0] + self.window_s - now))

    def failed(self, client: str) -> None:
        now = self._clock()
        recent = self._recent(client, now)
        if recent is None:
            recent = deque(maxlen=self.limit)
        else:
            del self._failures[client]  # re-inserted last: the most recent to fail
        recent.append(now)
        self._failures[client] = recent
        while len(self._failures) > self.max_clients:
            del self._failures[next(iter(self._failures))]

    def forgive(self, client: str) -> None:
        """Take back the latest failure: a look-up counts as failed from its start (so
        concurrent ones cannot all pass the check before any is counted) until it succeeds."""
        recent = self._failures.get(client)
        if recent:
            recent.pop()
            if not recent:
                del self._failures[client]

    def clients(self) -> int:
        return len(self._failures)

    def _recent(self, client: str, now: float) -> deque[float] | None:
        recent = self._failures.get(client)
        if recent is None:
            return None
        while recent and recent[0] <= now - self.window_s:
            recent.popleft()
        if not recent:
            del self._failures[client]
            return None
        return recent


def failures_of(state: Any) -> FailureLimiter:
    """The app's failed-look-up limiter, one for every public look-up route (tests may put one
    with their own clock on `app.state.verify_failures`)."""
    limiter: FailureLimiter | None = getattr(state, "verify_failures", None)
    if limiter is None:
        limiter = state.verify_failures = FailureLimiter()
    return limiter
