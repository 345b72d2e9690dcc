"""How a batch is cut for handling (pure): lanes of whole partitions or cohorts, and phases
that make set-based runs long where cohorts commute."""

from __future__ import annotations

from shared.envelope import MAX_NAME_LENGTH, CloudEvent, EnvelopeError, RecordPosition

Item = CloudEvent | EnvelopeError  # what reading a record gives the core


def cohort_code_in(event: CloudEvent) -> str | None:
    """The cohort code in the event's data, if it has a plausible one."""
    if isinstance(event.data, dict):
        code = event.data.get("cohort_code")
        # Not a 400 KB string echoed in feedback: such a code is refused by every model anyway.
        return code if isinstance(code, str) and len(code) <= MAX_NAME_LENGTH else None
    return None


def cohort_of(item: Item) -> str | None:
    """The cohort an item belongs to (its lock), or None for one that belongs to none."""
    if isinstance(item, EnvelopeError):
        return None
    return item.subject or cohort_code_in(item)


def share_out(items: list[Item], lanes: int, by_cohort: bool = False) -> list[list[Item]]:
    """The items in up to `lanes` lists of whole partitions (or, where cohorts commute, whole
    cohorts), each one's items in order; the largest go first to the lane with fewest items."""
    groups: dict[object, list[Item]] = {}
    for item in items:
        position = item.position or RecordPosition("", 0, 0)
        key = (by_cohort and cohort_of(item)) or (position.topic, position.partition)
        groups.setdefault(key, []).append(item)
    if lanes <= 1 or len(groups) <= 1:
        return [items]
    shared: list[list[Item]] = [[] for _ in range(min(lanes, len(groups)))]
    for group in sorted(groups.values(), key=len, reverse=True):
        min(shared, key=len).extend(group)
    return shared


def in_phases(items: list[Item]) -> list[Item]:
    """The batch reordered so that set-based runs are long, each cohort's events in order.

    An organiser's log interleaves types per cohort (a schedule, its 30 registrations, the
    next schedule, ...), which cut runs to ~30 events. A cohort's k-th phase is its k-th
    stretch of one type; the batch is ordered by (phase, type, position), so all cohorts'
    first stretches come first, grouped by type. Only for services whose events of different
    cohorts commute. An item without a cohort is a fence nothing moves across, and a segment in
    which an id occurs twice keeps its order (the first of them wins in the inbox)."""
    out: list[Item] = []
    segment: list[CloudEvent] = []
    for item in items:
        if isinstance(item, CloudEvent) and cohort_of(item) is not None:
            segment.append(item)
            continue
        out += _phased(segment)
        out.append(item)
        segment = []
    return out + _phased(segment)


def _phased(segment: list[CloudEvent]) -> list[CloudEvent]:
    if len({(e.source, e.id) for e in segment}) != len(segment):
        return segment
    phase: dict[str | None, int] = {}
    last_type: dict[str | None, str] = {}
    rank: dict[tuple[int, str], int] = {}
    keyed: list[tuple[tuple[int, int, int], CloudEvent]] = []
    for index, event in enumerate(segment):
        cohort = cohort_of(event)
        stretch = phase.get(cohort, 0) + (last_type.get(cohort, event.type) != event.type)
        phase[cohort], last_type[cohort] = stretch, event.type
        kind = rank.setdefault((stretch, event.type), len(rank))
        keyed.append(((stretch, kind, index), event))
    return [event for _, event in sorted(keyed, key=lambda pair: pair[0])]
