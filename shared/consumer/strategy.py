"""How a batch is attempted and where an event comes from: the values that steer the core."""

from __future__ import annotations

import enum


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
