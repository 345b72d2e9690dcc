"""Giving certificates their places in the publishers' status lists, the first time their
credentials are asked for (issue 20): load the positions held, draw the missing ones at
random among the free places, save them. Runs in the caller's transaction.

Lazily, not when certificates are issued: the issuing burst stays as it was, and a
certificate whose credential nobody asks for needs no bit. One draw per publisher is one
statement for all of its certificates (a cohort's ZIP), under the publisher's list lock."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from itertools import groupby

from services.certification import credentials
from services.certification.credentials import CompletionRule, StatusPosition
from services.certification.ports import Certificate, Cohort, StatusLists

_SYSTEM_RANDOM = random.SystemRandom()


async def status_positions(
    repo: StatusLists, certificates: Sequence[Certificate], rng: random.Random = _SYSTEM_RANDOM
) -> dict[uuid.UUID, StatusPosition]:
    """Each certificate's position, drawing those it has not got yet."""
    held = await repo.status_positions([c.id for c in certificates])
    missing = sorted((c for c in certificates if c.id not in held), key=lambda c: c.publisher)
    # Publishers in sorted order: two requests lock their lists in the same order.
    for publisher, group in groupby(missing, key=lambda c: c.publisher):
        held.update(await _draw(repo, publisher, [c.id for c in group], rng))
    return held


async def _draw(
    repo: StatusLists, publisher: str, ids: list[uuid.UUID], rng: random.Random
) -> dict[uuid.UUID, StatusPosition]:
    list_no, taken = await repo.open_status_list(publisher)
    # Another request may have drawn some while this one waited for the lock.
    drawn_meanwhile = await repo.status_positions(ids)
    wanted = [i for i in ids if i not in drawn_meanwhile]
    places = credentials.draw_positions(len(wanted), list_no, taken, rng)
    new = {
        i: StatusPosition(list_no=n, index=index, salt=credentials.new_salt(rng))
        for i, (n, index) in zip(wanted, places, strict=True)
    }
    await repo.insert_status_positions(publisher, list(new.items()))
    return drawn_meanwhile | new


def completion_rule(cohort: Cohort) -> CompletionRule:
    return CompletionRule(
        min_attendance_pct=cohort.min_attendance_pct,
        evaluation_required=cohort.evaluation_required,
        pass_score=cohort.pass_score,
    )
