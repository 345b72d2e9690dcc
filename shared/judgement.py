"""The verdict shapes every service's judgement of an ingest record shares, and the close
barrier rule: a record sent after its cohort's close sits later on the same log partition.

Pure: standard library and `shared.reasons` only. Each service's domain decides with these
(attendance's marks, certification's scores) and re-exports them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Final, NamedTuple

from shared.reasons import ReasonCode

__all__ = [
    "SAVE",
    "CloseBarrier",
    "Reject",
    "Save",
    "Standing",
    "Wait",
    "Waiting",
    "close_standing",
]


class CloseBarrier(NamedTuple):
    """Where the owner's close record sits on the ingest log, not refused by enrolment;
    `accepted` once enrolment has applied that very close."""

    topic: str
    partition: int
    offset: int
    accepted: bool


class Standing(Enum):
    """Where a record stands against its cohort's close barriers."""

    OPEN = "open"
    CLOSED = "closed"  # after a close enrolment accepted: sent after the close
    UNCONFIRMED = "unconfirmed"  # only after closes enrolment has not ruled on yet


def close_standing(barriers: Iterable[CloseBarrier], position: tuple[str, int, int]) -> Standing:
    """A record was sent after a close when it sits later on the same partition."""
    topic, partition, offset = position
    unconfirmed = False
    for barrier in barriers:
        if barrier.topic == topic and barrier.partition == partition and barrier.offset < offset:
            if barrier.accepted:
                return Standing.CLOSED
            unconfirmed = True
    return Standing.UNCONFIRMED if unconfirmed else Standing.OPEN


class Waiting(Enum):
    """What a record that cannot be judged yet waits for."""

    COHORT = "cohort"  # its schedule
    ENROLMENT = "enrolment"  # the participant's enrolment
    CLOSE_VERDICT = "close verdict"  # enrolment's word on a close sent before it


class Save:
    """The record counts: keep it (the service's own rule says which of several wins)."""

    __slots__ = ()


SAVE: Final = Save()


@dataclass(frozen=True, slots=True)
class Reject:
    """The record is refused for good; messages default to the reason code's own."""

    reason: ReasonCode
    message_id: str | None = None
    message_en: str | None = None


@dataclass(frozen=True, slots=True)
class Wait:
    """The record waits for `waiting`; if that never comes it is rejected with `reason`."""

    waiting: Waiting
    reason: ReasonCode
