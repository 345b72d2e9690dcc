"""What the enrolment service said, as its end-to-end tests read it."""

from __future__ import annotations

from typing import Any


def reasons(outcomes: dict[str, dict[str, Any]]) -> dict[str, str | None]:
    """Per event id, the reason of its outcome, or the outcome itself when it has none."""
    return {i: o["reason"] or o["outcome"] for i, o in outcomes.items()}


def data_of(events: list[dict[str, Any]], suffix: str) -> list[dict[str, Any]]:
    """The data of the events whose type ends with `suffix`, in their order."""
    return [e["data"] for e in events if e["type"].endswith(suffix)]


def enrolled_of(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each enrolment announced (`participants_enrolled.v1`), as `participant_enrolled.v1`'s
    data carried it, in order."""
    return [
        {
            "cohort_code": run["cohort_code"],
            "publisher": run["publisher"],
            "participant": participant,
            "enrolled_at": run["enrolled_at"],
        }
        for run in data_of(events, "participants_enrolled.v1")
        for participant in run["participants"]
    ]
