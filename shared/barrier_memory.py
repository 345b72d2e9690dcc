"""Close barriers in memory, for services' in-memory repositories: the same upserts as
`shared.barrier.save_noted` and `save_verdicts`, on a dict."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from shared.barrier import BarrierRow
from shared.judgement import CloseBarrier


@dataclass
class StoredBarrier:
    topic: str
    partition: int
    offset: int
    passed: bool
    verdict: str | None


class MemoryBarriers:
    """Barriers by (cohort, source, event id)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], StoredBarrier] = {}

    def note(self, rows: Sequence[BarrierRow]) -> None:
        """Passed on the ingest log: a verdict's row takes this position; a passed one stays."""
        for code, source, event_id, topic, partition, offset, _, _ in rows:
            stored = self.rows.get((code, source, event_id))
            if stored is None:
                self.rows[(code, source, event_id)] = StoredBarrier(
                    topic, partition, offset, True, None
                )
            elif not stored.passed:
                stored.topic, stored.partition, stored.offset = topic, partition, offset
                stored.passed = True

    def rule(self, rows: Sequence[BarrierRow]) -> None:
        """Enrolment's verdicts; a confirmation is never undone."""
        for code, source, event_id, topic, partition, offset, _, verdict in rows:
            stored = self.rows.get((code, source, event_id))
            if stored is None:
                self.rows[(code, source, event_id)] = StoredBarrier(
                    topic, partition, offset, False, verdict
                )
            elif stored.verdict != "closed":
                stored.verdict = verdict

    def standing_of(self, cohort_code: str, source: str) -> Iterator[CloseBarrier]:
        """The barriers a record of this cohort from `source` is judged against: passed here
        and not refused, `accepted` once enrolment confirmed them."""
        for (code, from_, _), b in self.rows.items():
            if code == cohort_code and from_ == source and b.passed and b.verdict != "refused":
                yield CloseBarrier(b.topic, b.partition, b.offset, b.verdict is not None)

    def confirmed(self, cohort_code: str, source: str, event_id: str | None) -> bool:
        """Whether this very close was passed here and confirmed by enrolment."""
        b = self.rows.get((cohort_code, source, event_id or ""))
        return b is not None and b.passed and b.verdict == "closed"
