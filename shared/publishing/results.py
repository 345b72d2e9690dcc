"""A close's results, as `diklat publish` and the upload page wait for them: after a cohort
closed, each participant registered and not withdrawn has a result, a certificate issued (its
number) or a completion failed (the reason), told per cohort (older history: a notice each) and
read as one notice per participant. What to wait for is counted from the run's own rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from shared.events import ingest
from shared.events.feedback import Notice
from shared.publishing.templates import Planned

RESULT_KINDS = frozenset({"certificate_issued", "completion_failed"})


def closing_cohorts(events: Sequence[Planned]) -> set[str]:
    return {e.cohort_code for e in events if isinstance(e.data, ingest.CohortClosed)}


def expected_results(
    sent: Sequence[tuple[Planned, str]], answered: Callable[[str], set[str]], closing: set[str]
) -> dict[str, int]:
    """Closed cohorts -> how many results to wait for: the distinct people this run registered
    there that the service took (applied, or a duplicate of an earlier run's), less those
    withdrawn. `sent` pairs each planned row with its event id; `answered(id)` gives its
    outcomes. A close without its registrations in the run waits for nothing."""
    people: dict[str, set[str]] = {code: set() for code in closing}
    gone: dict[str, set[str]] = {code: set() for code in closing}
    for planned, event_id in sent:
        data, code = planned.data, planned.cohort_code
        if code not in closing or not answered(event_id) & {"applied", "duplicate"}:
            continue
        if isinstance(data, ingest.ParticipantRegistered):
            people[code].add(data.nip)
        elif isinstance(data, ingest.ParticipantWithdrawn):
            gone[code].add(data.nip)
    return {code: len(people[code] - gone[code]) for code in sorted(closing) if people[code]}


def who(notice: Notice) -> str:
    """The participant as the publisher knows them: the full NIP it sent (a cohort's results
    carry it; older notices only a masked one, which participants of a cohort may share)."""
    return notice.nip or notice.nip_masked
