"""How a batch is attempted and where an event comes from: the values that steer the core."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar


class Attempt(enum.Enum):
    """One try at a batch's transaction. The processor escalates: optimistic (or looked up, when
    the inbox held something lately), then careful; a batch failing even carefully is handled
    record by record, each alone in a careful attempt."""

    # No inbox lookup (nothing was seen lately); set-based runs. Should the inbox hold one of
    # its events after all, the insert's unique key refuses the batch and it is redone looked up.
    OPTIMISTIC = "optimistic"
    # The inbox read first, its events answered `duplicate` or `replayed`; set-based runs.
    LOOKED_UP = "looked_up"
    # The inbox read first; each event alone in a savepoint, so a handler's failure rejects
    # that event only and leaves nothing it emitted or released.
    CAREFUL = "careful"

    @property
    def looks_up(self) -> bool:
        return self is not Attempt.OPTIMISTIC

    @property
    def careful(self) -> bool:
        return self is Attempt.CAREFUL

    @classmethod
    def first(cls, expect_seen: bool) -> Attempt:
        return cls.LOOKED_UP if expect_seen else cls.OPTIMISTIC


class Origin(enum.Enum):
    """Where an event being handled came from: its route table and its inbox row follow."""

    # Read from the log: the subscription's routes; a new inbox row.
    LOG = "log"
    # Released from (or expired in) parking: the parked routes (an ingest event released by a
    # domain event runs on the ingest routes); its inbox row, written when parked, is settled.
    PARKING = "parking"


@dataclass
class Escalation:
    """Where the tries at one batch stand: the next attempt, and whether each record is now
    tried alone. Each answer says whether the batch goes again (shared/retry.py: escalating)."""

    attempt: Attempt
    failures: int = 0
    each_alone: bool = False

    # A deadlock or a serialization failure this often in a row is not passing: redelivery waits.
    TRANSIENT_FAILURES_AT_MOST: ClassVar[int] = 5

    def redo_looked_up(self) -> bool:
        """The optimistic attempt met an event the inbox holds: again, looking up."""
        self.attempt = Attempt.LOOKED_UP
        return True

    def after_transient(self) -> bool:
        """Rolled back by Postgres for no fault of the batch: again, carefully."""
        self.failures += 1
        self.attempt = Attempt.CAREFUL
        return self.failures <= self.TRANSIENT_FAILURES_AT_MOST

    def after_failure(self) -> bool:
        """The batch failed: again carefully (each event in a savepoint), and should it fail
        even so, outside the handlers' savepoints, each record alone."""
        if self.failures > 0:
            self.each_alone = True
        else:
            self.failures, self.attempt = self.failures + 1, Attempt.CAREFUL
        return True
