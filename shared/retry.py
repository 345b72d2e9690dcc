"""The one retry policy of a service process: what is tried again, the pauses between tries, no
limit on their number, and one log line (and, for restarts, one metric) per failure.

Work that fails for a reason outside it (Postgres or Kafka restarting) waits and goes again, and
a background loop that fails for a reason nobody foresaw is restarted: a service has nothing
better to do than wait for what it depends on, so neither gives up. Work whose helper broke (a
renderer process that died) gets a new one and goes again at once. Built on tenacity.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from aiokafka.errors import KafkaError
from prometheus_client import Counter
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    retry_if_exception_type,
    stop_never,
    wait_chain,
    wait_fixed,
    wait_none,
)

from shared.db import DATABASE_TROUBLE
from shared.logging import get_logger

log = get_logger(__name__)
# Postgres unreachable or restarting, Kafka unreachable: the work is not at fault.
OUTSIDE_TROUBLE: tuple[type[Exception], ...] = (*DATABASE_TROUBLE, KafkaError)
# A failed batch is sought back and redelivered by the broker; the pause before keeps a Postgres
# outage from becoming a busy loop of failing transactions.
REDELIVERY_PAUSE_S = 1.0
BACKGROUND_RESTARTS = Counter(
    "diklat_background_restarts_total", "background loops restarted after a failure", ["task"]
)


async def through_outside_trouble(
    what: str,
    work: Callable[[], Awaitable[object]],
    pause_s: float,
    said: str = "interrupted by Postgres or Kafka; retrying",
) -> None:
    """Run `work` until it returns; after each failure of `OUTSIDE_TROUBLE` a warning (`said`), a
    pause of `pause_s`, and again. Any other failure is raised."""
    await _forever(OUTSIDE_TROUBLE, [pause_s], _warn(what, said))(work)


async def renewing(
    what: str,
    broken: tuple[type[Exception], ...],
    renew: Callable[[], object],
    work: Callable[[], Awaitable[object]],
    said: str,
) -> None:
    """Run `work` until it returns; after each failure of `broken` (a helper process died, say) a
    warning (`said`), `renew()` to replace what broke, and again without a pause. Any other
    failure is raised."""
    await _forever(broken, [0.0], _renew(what, said, renew))(work)


async def restarting(
    task: str, work: Callable[[], Awaitable[None]], pauses_s: Sequence[float]
) -> None:
    """Run a background loop until it returns: any failure is logged with its traceback, counted,
    and the loop restarted after the next of `pauses_s` (the last one from then on)."""
    await _forever((Exception,), pauses_s, _restart(task))(work)


def _forever(
    on: tuple[type[Exception], ...],
    pauses_s: Sequence[float],
    announce: Callable[[RetryCallState], None],
) -> AsyncRetrying:
    return AsyncRetrying(
        retry=retry_if_exception_type(on),
        wait=wait_chain(*(wait_fixed(p) for p in pauses_s)),
        stop=stop_never,
        before_sleep=announce,
        reraise=True,
    )


def _failure(state: RetryCallState) -> BaseException | None:
    return state.outcome.exception() if state.outcome is not None else None


def _pause_s(state: RetryCallState) -> float:
    return state.next_action.sleep if state.next_action is not None else 0.0


def _warn(what: str, said: str) -> Callable[[RetryCallState], None]:
    def announce(state: RetryCallState) -> None:
        log.warning(said, task=what, error=str(_failure(state)), pause_s=_pause_s(state))

    return announce


def _renew(what: str, said: str, renew: Callable[[], object]) -> Callable[[RetryCallState], None]:
    def announce(state: RetryCallState) -> None:
        log.warning(said, task=what, error=str(_failure(state)))
        renew()

    return announce


def _restart(task: str) -> Callable[[RetryCallState], None]:
    def announce(state: RetryCallState) -> None:
        BACKGROUND_RESTARTS.labels(task).inc()
        log.error(
            "background task failed; restarting it",
            task=task,
            pause_s=_pause_s(state),
            exc_info=_failure(state),
        )

    return announce


def escalating(goes_again: Callable[[BaseException], bool]) -> AsyncRetrying:
    """Tries of work the caller escalates between (a batch: looked up, carefully, each record
    alone): after each failure `goes_again` readies the next try or says there is none, and then
    the failure is raised. No pause: a rolled-back transaction goes again at once."""
    return AsyncRetrying(
        retry=retry_if_exception(goes_again), wait=wait_none(), stop=stop_never, reraise=True
    )
