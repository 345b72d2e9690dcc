"""What every benchmark scenario starts from: the sizes it runs at and a fresh namespace."""

from __future__ import annotations

from dataclasses import dataclass

from bench import workload as wl
from bench.infra import Stack
from shared.kafka import ensure_topics, onboard_publisher
from shared.settings import InfraSettings
from shared.topics import DOMAIN_TOPICS

ATTENDANCE_TYPE = "diklat.attendance.recorded.v1"


@dataclass(frozen=True)
class Scale:
    """The issue's sizes by default; `quick` for a look in a few minutes."""

    attendance: int = 200_000
    registrations: int = 100_000
    cohorts_closed: int = 500
    rebuild: int = 2_000_000
    repeats: int = 3
    # The paced run: the same closes at a steady rate (300 certificates a second), far above a
    # national peak yet below what this machine drains, so the figure is the pipeline's latency
    # rather than the time to work off a queue.
    closes_per_s: float = 10.0
    # Smaller bursts, each closed at once like the issue's: how large a burst the pipeline
    # certifies within its p99 target on this machine.
    burst_sweep: tuple[int, ...] = (50, 100, 200)
    # The national roster and one year's enrolments (issue 19): hours at full size.
    national_asn: int = 4_500_000
    national_enrolments: int = 10_000_000

    @classmethod
    def quick(cls, repeats: int) -> Scale:
        # The raw baseline needs ~1 s of work to be measured at all: 50,000 events, not fewer.
        return cls(
            50_000,
            50_000,
            50,
            200_000,
            repeats,
            burst_sweep=(10, 25),
            national_asn=45_000,
            national_enrolments=100_000,
        )


async def fresh(stack: Stack) -> InfraSettings:
    """A database and topic namespace of its own, with the bench publisher onboarded."""
    infra = await stack.infra()
    await ensure_topics(infra, DOMAIN_TOPICS)
    await onboard_publisher(infra, wl.PUBLISHER)
    return infra
