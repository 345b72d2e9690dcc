"""Reading a Kafka log up to its end (the rebuild's passes, a publisher's feedback history).

Tansu's end offsets can fall short of the log: for a partition whose last record batch holds
many records it answered that batch's first offset + 1, while its fetch answers carry the right
high watermark. A reader that trusted the end offsets alone stopped before the last records
(bench/notes.md, session 15). So each partition's end is fixed once per read: the further of its
end offset and the high watermark of the first fetch answered after the read began. Fixed, so a
read ends even while producers keep writing (the rebuild's last pass holds the live tables).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition


@dataclass
class LogEnds:
    """Where each partition's log ends for one read that began at `began_ms` (epoch ms, as the
    consumer stamps its fetch answers) with the broker's end offsets `said`."""

    said: Mapping[TopicPartition, int]
    began_ms: int
    fixed: dict[TopicPartition, int] = field(default_factory=dict)

    @classmethod
    async def now(cls, consumer: AIOKafkaConsumer, partitions: Sequence[TopicPartition]) -> LogEnds:
        began_ms = int(1000 * time.time())
        return cls(await consumer.end_offsets(partitions), began_ms)

    async def unread(
        self, consumer: AIOKafkaConsumer, partitions: Sequence[TopicPartition]
    ) -> list[TopicPartition]:
        """The assigned `partitions` not read to their end yet, or whose end is not known yet
        (no fetch answered since the read began)."""
        behind = []
        for tp in partitions:
            end = self.fixed[tp] if tp in self.fixed else self._fix(consumer, tp)
            if end is None or await consumer.position(tp) < end:
                behind.append(tp)
        return behind

    def _fix(self, consumer: AIOKafkaConsumer, tp: TopicPartition) -> int | None:
        answered, watermark = consumer.last_poll_timestamp(tp), consumer.highwater(tp)
        if answered is None or watermark is None or answered < self.began_ms:
            return None
        end: int = max(self.said[tp], watermark)
        self.fixed[tp] = end
        return end
