"""Synchronous "does this Kafka broker serve metadata?" check that works inside an event loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from typing import Any


async def _fetch_metadata(bootstrap_servers: str, client_config: dict[str, Any]) -> bool:
    from aiokafka.client import AIOKafkaClient

    config = {k: v for k, v in client_config.items() if k != "bootstrap_servers"}
    client = AIOKafkaClient(
        bootstrap_servers=bootstrap_servers,
        request_timeout_ms=3000,
        connections_max_idle_ms=10000,
        **config,
    )
    try:
        await client.bootstrap()
        return bool(client.cluster.brokers())
    finally:
        await client.close()


_AIOKAFKA_LOGGERS = ("aiokafka", "aiokafka.client", "aiokafka.conn", "aiokafka.cluster")


class _DropThread(logging.Filter):
    def __init__(self, thread_id: int) -> None:
        super().__init__()
        self.thread_id = thread_id

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread != self.thread_id


def _probe_in_fresh_loop(bootstrap_servers: str, client_config: dict[str, Any]) -> bool:
    # aiokafka logs refused connections at ERROR; while polling a booting broker they are
    # expected, so drop this thread's records (other threads' aiokafka logs stay intact).
    quiet = _DropThread(threading.get_ident())
    loggers = [logging.getLogger(name) for name in _AIOKAFKA_LOGGERS]
    for log in loggers:
        log.addFilter(quiet)
    try:
        return asyncio.run(_fetch_metadata(bootstrap_servers, client_config))
    except Exception:
        return False
    finally:
        for log in loggers:
            log.removeFilter(quiet)


def kafka_serves_metadata(
    bootstrap_servers: str, client_config: dict[str, Any] | None = None, timeout: float = 10
) -> bool:
    """True if an aiokafka client can bootstrap against the broker and sees at least one broker.

    Runs on a private thread with its own event loop so that sync `start()` methods also
    work when called from async code (pytest-asyncio fixtures, the CLI).
    """
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="kafka-probe")
    future = pool.submit(_probe_in_fresh_loop, bootstrap_servers, dict(client_config or {}))
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        return False
    finally:
        # Don't block on a hung probe; its own request timeout ends it soon after.
        pool.shutdown(wait=False)
