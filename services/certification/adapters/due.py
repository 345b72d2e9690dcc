"""Who of the undecided is due, in the order wanted: shared by both repository adapters, so the
in-memory one answers `undecided` exactly as the Postgres one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from services.certification.ports import Candidate, Wanted

# (cohort, an undecided enrolled participant, whether their attendance result is in), found in
# cohort then NIP order.
Found = tuple[str, Candidate, bool]


def due_in_wanted_order(
    found: Iterable[Found], wanted: Sequence[Wanted]
) -> list[tuple[str, Candidate]]:
    """Each wanted (cohort, NIP or None for all of it, include_withdrawn) in turn: its
    candidates that have their attendance, or are withdrawn where include_withdrawn."""
    per_cohort: dict[str, list[tuple[Candidate, bool]]] = {}
    per_key: dict[tuple[str, str], tuple[Candidate, bool]] = {}
    for code, candidate, attended in found:
        per_cohort.setdefault(code, []).append((candidate, attended))
        per_key[(code, candidate.nip)] = (candidate, attended)
    out: list[tuple[str, Candidate]] = []
    for code, nip, with_withdrawn in dict.fromkeys(wanted):
        pairs = per_cohort.get(code, []) if nip is None else [per_key.get((code, nip))]
        out += [
            (code, candidate)
            for candidate, attended in filter(None, pairs)
            if (with_withdrawn if candidate.withdrawn else attended)
        ]
    return out
