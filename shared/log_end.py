"""Reading a Kafka log up to its end (the rebuild's passes, a publisher's feedback history).

Tansu's end offsets can fall short of the log: for a partition whose last record batch holds
many records it answered that batch's first offset + 1, while its fetch answers carry the right
high watermark. A reader that trusted the end offsets alone stopped before the last records
(bench/notes.md, session 15), so the end is whichever is further.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition


async def unread(
    consumer: AIOKafkaConsumer,
    partitions: Sequence[TopicPartition],
    ends: Mapping[TopicPartition, int],
) -> list[TopicPartition]:
    """The assigned `partitions` not read to their end yet: short of `ends` (the end offsets
    taken when reading began) or of the high watermark of the broker's latest fetch answer, or
    with no fetch answered yet."""
    behind = []
    for tp in partitions:
        seen = consumer.highwater(tp)
        if seen is None or await consumer.position(tp) < max(ends[tp], seen):
            behind.append(tp)
    return behind
