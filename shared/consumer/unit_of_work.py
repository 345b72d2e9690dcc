"""What a handler may touch: the transaction's connection, its service's repository, the outbox,
parking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel

from shared.consumer import postgres
from shared.consumer.ports import Parking
from shared.consumer.routes import (
    Handled,
    is_publisher_event,
    waiting_for_cohort,
    waiting_for_enrolment,
)
from shared.db import Connection
from shared.envelope import CloudEvent
from shared.events.feedback import NOTICE_TYPE, Notice
from shared.outbox import OutboxRow, domain_event, row_for
from shared.reasons import ReasonCode
from shared.topics import feedback_topic

# Builds a service's repository on the transaction's connection (the composition root names
# the adapter; unit tests give one that ignores the connection).
RepositoryFactory = Callable[[Connection], object]


@dataclass
class UnitOfWork:
    """One transaction's work for handlers: what they emit goes to `rows` (the outbox, written at
    commit), what they release from parking to `unparked` (the core runs it next)."""

    conn: Connection
    service: str
    park_timeout: dt.timedelta
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    rows: list[OutboxRow] = field(default_factory=list)
    unparked: list[CloudEvent] = field(default_factory=list)
    parking: Parking | None = None  # None: Postgres parking on `conn`
    repository_factory: RepositoryFactory | None = None

    def __post_init__(self) -> None:
        self._parking: Parking = self.parking or postgres.PostgresParking(self.conn)
        self._repository: object | None = None

    @property
    def repository(self) -> object:
        """The service's repository for this transaction, built once; each service's `ports.py`
        names its type (`repository(uow)`)."""
        if self._repository is None:
            if self.repository_factory is None:
                raise LookupError(f"no repository is wired for the {self.service} service")
            self._repository = self.repository_factory(self.conn)
        return self._repository

    def emit(
        self, topic: str, data: BaseModel, subject: str, event_id: str | None = None
    ) -> CloudEvent:
        event = domain_event(self.service, data, subject, event_id, time=self.now)
        self.rows.append(row_for(topic, event))
        return event

    def notify(self, publisher: str, notice: Notice, event_id: str) -> None:
        """A notice to the publisher (certificate issued, completion failed)."""
        self.tell(publisher, NOTICE_TYPE, notice, notice.cohort_code, event_id)

    def tell(
        self, publisher: str, event_type: str, data: BaseModel, subject: str, event_id: str
    ) -> None:
        """Anything of the feedback contract to the publisher, on its own topic."""
        event = CloudEvent(
            id=event_id,
            source=f"/services/{self.service}",
            type=event_type,
            time=self.now,
            data=data.model_dump(mode="json"),
            subject=subject,
        )
        self.rows.append(row_for(feedback_topic(publisher), event))

    async def park(
        self,
        event: CloudEvent,
        waiting_for: str,
        reject_code: ReasonCode,
        timeout: dt.timedelta | None = None,
    ) -> Handled:
        # A publisher's request expires; another service's fact waits as long as it needs.
        expires_at = self.now + (timeout or self.park_timeout)
        await self._parking.park(
            event, waiting_for, reject_code, expires_at if is_publisher_event(event) else None
        )
        return Handled.parked()

    async def unpark_cohort(self, cohort_code: str) -> int:
        """Queue everything of this cohort that waits (its schedule or any enrolment): e.g. at
        close, when the roster is final and waiting longer cannot help."""
        return await self.unpark_cohorts([cohort_code])

    async def unpark_cohorts(self, cohort_codes: Sequence[str]) -> int:
        """`unpark_cohort` for many cohorts: one look for what waits, one unpark."""
        if not cohort_codes:
            return 0
        keys = await self._parking.waiting_on(
            [waiting_for_cohort(code) for code in cohort_codes],
            [waiting_for_enrolment(code, "") for code in cohort_codes],
        )
        return await self.unpark_many(keys)

    async def unpark(self, waiting_for: str) -> int:
        """Queue the events waiting for this prerequisite; the core re-runs them next."""
        return await self.unpark_many([waiting_for])

    async def unpark_many(self, waiting_for: Sequence[str]) -> int:
        """`unpark` for many prerequisites in one statement."""
        if not waiting_for:
            return 0
        released = await self._parking.release(waiting_for)
        self.unparked += sorted(released, key=_log_order)
        return len(released)


def _log_order(event: CloudEvent) -> tuple[int, int]:
    position = event.position
    return (position.partition, position.offset) if position else (0, 0)
