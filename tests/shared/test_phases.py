"""Regrouping a batch into phases and sharing it out over lanes: every cohort's (or partition's)
events keep their order, runs get long, and anything that could change an outcome keeps the
log order."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from shared.consumer import in_phases, share_out
from shared.envelope import CloudEvent, EnvelopeError, RecordPosition
from shared.reasons import ReasonCode

SCHEDULED, REGISTERED = "diklat.cohort.scheduled.v1", "diklat.participant.registered.v1"


def event(cohort: str, event_type: str, event_id: str, partition: int = 0) -> CloudEvent:
    return CloudEvent(
        id=event_id,
        source="/publishers/15",
        type=event_type,
        time=dt.datetime(2022, 5, 24, tzinfo=dt.UTC),
        data={"cohort_code": cohort},
        subject=cohort,
        position=RecordPosition("diklat.ingest.15", partition, 0),
    )


def ids(items: list[CloudEvent | EnvelopeError]) -> list[str]:
    return [i.id if isinstance(i, CloudEvent) else "fence" for i in items]


def test_schedules_and_registrations_of_many_cohorts_become_two_runs():
    batch: list[CloudEvent | EnvelopeError] = []
    for c in ("A", "B", "C"):
        batch += [event(c, SCHEDULED, f"{c}s"), event(c, REGISTERED, f"{c}1")]
        batch.append(event(c, REGISTERED, f"{c}2"))
    assert ids(in_phases(batch)) == ["As", "Bs", "Cs", "A1", "A2", "B1", "B2", "C1", "C2"]


def test_nothing_moves_across_an_item_without_a_cohort():
    fence = EnvelopeError(ReasonCode.MALFORMED, "value is not valid JSON")
    batch = [event("A", SCHEDULED, "As"), fence, event("B", SCHEDULED, "Bs")]
    assert in_phases(batch) == batch


def test_an_id_used_twice_keeps_the_log_order():
    batch: list[CloudEvent | EnvelopeError] = [
        event("A", REGISTERED, "same"),
        event("B", SCHEDULED, "Bs"),
        event("B", REGISTERED, "same"),
    ]
    assert in_phases(batch) == batch


@given(st.lists(st.tuples(st.sampled_from("ABC"), st.sampled_from((SCHEDULED, REGISTERED)))))
def test_each_cohort_keeps_its_own_order_and_nothing_is_lost(spec):
    batch: list[CloudEvent | EnvelopeError] = [
        event(cohort, kind, str(i)) for i, (cohort, kind) in enumerate(spec)
    ]
    regrouped = in_phases(batch)
    assert sorted(ids(regrouped)) == sorted(ids(batch))
    for cohort in "ABC":
        mine = [e.id for e in regrouped if isinstance(e, CloudEvent) and e.subject == cohort]
        assert mine == [e.id for e in batch if isinstance(e, CloudEvent) and e.subject == cohort]
    runs = sum(
        1
        for a, b in zip([None, *regrouped], regrouped, strict=False)
        if not isinstance(a, CloudEvent) or a.type != b.type  # type: ignore[union-attr]
    )
    original = sum(
        1
        for a, b in zip([None, *batch], batch, strict=False)
        if not isinstance(a, CloudEvent) or a.type != b.type  # type: ignore[union-attr]
    )
    assert runs <= original


def _keys(item: CloudEvent | EnvelopeError, by_cohort: bool) -> object:
    assert isinstance(item, CloudEvent) and item.position is not None
    return item.subject if by_cohort else item.position.partition


@given(
    st.lists(st.tuples(st.sampled_from("ABCDE"), st.integers(0, 5))),
    st.integers(1, 4),
    st.booleans(),
)
def test_lanes_hold_whole_partitions_or_cohorts_in_order_and_nothing_is_lost(
    spec, lanes, by_cohort
):
    # Cohort codes map to one partition each, as record keys make them.
    batch: list[CloudEvent | EnvelopeError] = [
        event(cohort, REGISTERED, str(i), partition=ord(cohort) % 6 if by_cohort else part)
        for i, (cohort, part) in enumerate(spec)
    ]
    shared = share_out(batch, lanes, by_cohort)
    assert 1 <= len(shared) <= max(lanes, 1)
    assert sorted(ids([i for lane in shared for i in lane])) == sorted(ids(batch))
    owner: dict[object, int] = {}
    for number, lane in enumerate(shared):
        for item in lane:
            assert owner.setdefault(_keys(item, by_cohort), number) == number
        for key in {_keys(i, by_cohort) for i in lane}:
            mine = [i for i in lane if _keys(i, by_cohort) == key]
            assert mine == [i for i in batch if _keys(i, by_cohort) == key]


def test_lanes_are_balanced_largest_group_first():
    sizes = {"A": 6, "B": 3, "C": 2, "D": 2}
    batch: list[CloudEvent | EnvelopeError] = [
        event(c, REGISTERED, str(10 * n + i), partition=n)
        for n, (c, size) in enumerate(sizes.items())
        for i in range(size)
    ]
    assert sorted(len(lane) for lane in share_out(batch, 2)) == [6, 7]
