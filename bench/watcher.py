"""The latency runs' watcher: certificate notices and attendance finalisations, stamped on
receipt."""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer

from bench import workload as wl
from bench.infra import until
from shared.settings import InfraSettings
from shared.topics import feedback_topic, physical

_NOTICE = b'"certificate_issued"'
_FINALISED = b'"diklat.attendance.participant_finalised.v1"'
# One event per cohort (issue 23): a part of a cohort's finalisation, a part of its results.
_COHORT_FINALISED = b'"diklat.attendance.cohort_finalised.v2"'
_COHORT_RESULTS = b'"diklat.feedback.cohort_results.v1"'
_WATCHED = (_NOTICE, _FINALISED, _COHORT_FINALISED, _COHORT_RESULTS)


class Watcher:
    """Reads certificate notices and attendance finalisations as they appear, stamped on receipt."""

    def __init__(self, infra: InfraSettings) -> None:
        ns = infra.kafka_topic_namespace
        self.consumer = AIOKafkaConsumer(
            physical(ns, feedback_topic(wl.PUBLISHER)),
            physical(ns, "diklat.domain.attendance"),
            **infra.kafka_client_config(),
            enable_auto_commit=False,
            auto_offset_reset="latest",
            group_id=f"bench-watch-{uuid.uuid4().hex[:6]}",
            # Tansu holds an empty fetch for the whole wait even when data arrives meanwhile:
            # the client's 500 ms default would add up to half a second to what we measure.
            fetch_max_wait_ms=20,
            session_timeout_ms=6000,
            heartbeat_interval_ms=500,
        )
        self.certificates: list[tuple[str, float]] = []
        self.finalised: list[tuple[str, float]] = []

    async def start(self) -> None:
        await self.consumer.start()
        await until(self._assigned, 60, "watcher assignment")

    async def _assigned(self) -> bool:
        await self.consumer.getmany(timeout_ms=50)
        return bool(self.consumer.assignment())

    async def poll(self, expected: int) -> bool:
        batches = await self.consumer.getmany(timeout_ms=100)
        now = time.monotonic()
        for records in batches.values():
            for record in records:
                value = record.value or b"{}"
                # Only these two are parsed: the feedback topic also carries the ingest outcome
                # reports (up to ~100 KB each), and parsing them took CPU from what is measured.
                if any(kind in value for kind in _WATCHED):
                    self._stamp(orjson.loads(value), now)
        return len(self.certificates) >= expected

    def _stamp(self, event: dict[str, Any], now: float) -> None:
        """Each certificate and each participant's finalisation, per participant or per cohort."""
        data, kind = event.get("data") or {}, event.get("type")
        code = data.get("cohort_code")
        if data.get("kind") == "certificate_issued":
            self.certificates.append((code, now))
        elif kind == "diklat.feedback.cohort_results.v1":
            self.certificates += [(code, now)] * len(data["issued"])
        elif kind == "diklat.attendance.participant_finalised.v1":
            self.finalised.append((code, now))
        elif kind == "diklat.attendance.cohort_finalised.v2":
            self.finalised += [(code, now)] * len(data["results"])

    async def watch(self, expected: int) -> None:
        while not await self.poll(expected):
            pass

    async def stop(self) -> None:
        await self.consumer.stop()
