"""Cohorts, rosters, close barriers, scores and attendance results on Postgres: the `Cohorts`
and `Evaluations` ports (services/certification/ports.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from services.certification import domain
from services.certification.ports import Close
from shared import barrier, judgement
from shared.consumer import Handled
from shared.db import Connection, from_json_rows, json_rows
from shared.envelope import CloudEvent
from shared.events.domain import CloseRefused, CohortClosed, CohortInfo, ParticipantFinalised


class PostgresCohorts:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def upsert_cohort(self, info: CohortInfo) -> None:
        policy = info.completion
        await self.conn.execute(
            """INSERT INTO cohorts (cohort_code, publisher, info, policy_version,
                   min_attendance_pct, evaluation_required, pass_score)
               VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT (cohort_code) DO UPDATE SET info = EXCLUDED.info,
                   policy_version = EXCLUDED.policy_version,
                   min_attendance_pct = EXCLUDED.min_attendance_pct,
                   evaluation_required = EXCLUDED.evaluation_required,
                   pass_score = EXCLUDED.pass_score
               WHERE cohorts.policy_version <= EXCLUDED.policy_version""",
            info.cohort_code,
            info.publisher,
            info.model_dump(mode="json"),
            info.policy_version,
            policy.min_attendance_pct,
            policy.evaluation_required,
            policy.pass_score,
        )

    async def cancel_cohort(self, cohort_code: str) -> None:
        await self.conn.execute(
            "UPDATE cohorts SET cancelled = true WHERE cohort_code = $1", cohort_code
        )

    async def close_cohorts(self, closes: Sequence[Close]) -> None:
        first: dict[str, Close] = {}
        for close in closes:
            first.setdefault(close[0], close)
        if first:
            await self.conn.execute(
                f"""UPDATE cohorts c SET close_event_id = k.cause, closed_at = k.closed_at,
                       closed_on = k.closed_on
                   FROM ({_CLOSES}) AS k
                   WHERE c.cohort_code = k.code AND c.close_event_id IS NULL""",
                json_rows(list(first.values())),
            )

    async def mark_finalised(self, cohort_codes: Sequence[str]) -> set[str]:
        rows = await self.conn.fetch(
            """UPDATE cohorts SET finalised = true WHERE cohort_code = ANY($1::text[])
               RETURNING cohort_code""",
            list(cohort_codes),
        )
        return {r[0] for r in rows}

    async def upsert_enrolments(self, rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
        latest = {(code, p["nip"]): (code, p["nip"], p) for code, p in rows}
        if not latest:
            return
        await self.conn.execute(
            f"""INSERT INTO enrolments (cohort_code, nip, participant) {_ENROLMENT_ROWS}
               ON CONFLICT (cohort_code, nip) DO UPDATE SET participant = EXCLUDED.participant,
                   withdrawn = false""",
            json_rows(list(latest.values())),
        )

    async def withdraw(self, cohort_code: str, nip: str) -> None:
        await self.conn.execute(
            "UPDATE enrolments SET withdrawn = true WHERE cohort_code = $1 AND nip = $2",
            cohort_code,
            nip,
        )

    async def note_closes(self, events: Sequence[CloudEvent]) -> tuple[list[Handled], list[str]]:
        return await barrier.note_closes(self.conn, events)

    async def confirm_closes(self, closes: Sequence[CohortClosed]) -> None:
        await barrier.confirm_closes(self.conn, closes)

    async def refuse_closes(self, refusals: Sequence[CloseRefused]) -> None:
        await barrier.refuse_closes(self.conn, refusals)


_CLOSES = from_json_rows("code text, cause text, closed_at timestamptz, closed_on date")
_ENROLMENT_ROWS = from_json_rows("text, text, jsonb")


class PostgresEvaluations:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def evaluation_facts(
        self, cohort_code: str, nip: str
    ) -> tuple[domain.EvaluationFacts | None, dt.datetime | None]:
        # In one round trip.
        row = await self.conn.fetchrow(
            """SELECT c.publisher, c.cancelled, c.close_event_id IS NOT NULL,
                   EXISTS (SELECT 1 FROM enrolments e WHERE e.cohort_code = c.cohort_code
                           AND e.nip = $2),
                   (SELECT jsonb_agg(jsonb_build_array(b.topic, b.partition, b."offset",
                                                       b.verdict IS NOT NULL))
                    FROM close_barriers b
                    WHERE b.cohort_code = c.cohort_code
                      AND b.source = '/publishers/' || c.publisher
                      AND b.passed AND b.verdict IS DISTINCT FROM 'refused'),
                   (SELECT v.event_time FROM evaluations v
                    WHERE v.cohort_code = c.cohort_code AND v.nip = $2)
               FROM cohorts c WHERE c.cohort_code = $1""",
            cohort_code,
            nip,
        )
        if row is None:
            return None, None
        barriers = tuple(judgement.CloseBarrier(t, p, o, a) for t, p, o, a in row[4] or ())
        return domain.EvaluationFacts(row[0], row[1], row[2], row[3], barriers), row[5]

    async def save_evaluation(
        self, cohort_code: str, nip: str, score: Decimal, event_id: str, event_time: dt.datetime
    ) -> None:
        # The domain chose it over the score held; the cohort lock keeps that read current.
        await self.conn.execute(
            """INSERT INTO evaluations (cohort_code, nip, score, event_id, event_time)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (cohort_code, nip) DO UPDATE SET score = EXCLUDED.score,
                   event_id = EXCLUDED.event_id, event_time = EXCLUDED.event_time""",
            cohort_code,
            nip,
            score,
            event_id,
            event_time,
        )

    async def save_attendances(self, results: Sequence[ParticipantFinalised]) -> None:
        first: dict[tuple[str, str], ParticipantFinalised] = {}
        for r in results:
            first.setdefault((r.cohort_code, r.nip), r)
        if not first:
            return
        await self.conn.execute(
            f"""INSERT INTO attendance_results (cohort_code, nip, jp_present, jp_total,
                   rate_pct, finalised_at) {_ATTENDANCE_ROWS}
               ON CONFLICT (cohort_code, nip) DO NOTHING""",
            json_rows(
                [
                    (r.cohort_code, r.nip, r.jp_present, r.jp_total, r.rate_pct, r.finalised_at)
                    for r in first.values()
                ]
            ),
        )


_ATTENDANCE_ROWS = from_json_rows("text, text, numeric, numeric, numeric, timestamptz")
