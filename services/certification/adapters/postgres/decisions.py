"""Who is due a decision, and the decisions taken, on Postgres: the `Decisions` port
(services/certification/ports.py)."""

from __future__ import annotations

from collections.abc import Sequence

from services.certification.adapters.due import due_in_wanted_order
from services.certification.ports import Candidate, Cohort, Decision, Wanted
from shared.db import Connection, from_json_rows, json_rows


class PostgresDecisions:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def deciding_cohorts(self, codes: Sequence[str]) -> dict[str, Cohort]:
        # In one round trip.
        rows = await self.conn.fetch(
            """SELECT cohort_code, publisher, info, policy_version, min_attendance_pct,
                   evaluation_required, pass_score, cancelled, close_event_id, finalised,
                   closed_at, closed_on
               FROM cohorts c
               WHERE c.cohort_code = ANY($1::text[]) AND NOT c.cancelled
                 AND EXISTS (SELECT 1 FROM close_barriers b
                             WHERE b.cohort_code = c.cohort_code
                               AND b.source = '/publishers/' || c.publisher
                               AND b.event_id = c.close_event_id AND b.passed
                               AND b.verdict = 'closed')""",
            list(codes),
        )
        return {r["cohort_code"]: Cohort(**dict(r)) for r in rows}

    async def undecided(self, wanted: Sequence[Wanted]) -> list[tuple[str, Candidate]]:
        """One round trip. Read per cohort (an index range each) and sorted out here: a join of
        every wanted key against the tables was planned as scans of all enrolments, results and
        decisions (the planner takes a parameter's rows for 100)."""
        if not wanted:
            return []
        rows = await self.conn.fetch(
            """SELECT e.cohort_code, e.nip, e.participant, e.withdrawn, a.jp_present,
                   a.jp_total, a.rate_pct, v.score, a.nip IS NOT NULL
               FROM enrolments e
               LEFT JOIN attendance_results a
                   ON a.cohort_code = e.cohort_code AND a.nip = e.nip
               LEFT JOIN evaluations v ON v.cohort_code = e.cohort_code AND v.nip = e.nip
               WHERE e.cohort_code = ANY($1::text[])
                 AND NOT EXISTS (SELECT 1 FROM decisions d
                                 WHERE d.cohort_code = e.cohort_code AND d.nip = e.nip)
               ORDER BY e.cohort_code, e.nip""",
            list({code for code, _, _ in wanted}),
        )
        return due_in_wanted_order(((r[0], Candidate(*r[1:8]), r[8]) for r in rows), wanted)

    async def insert_decisions(self, decisions: Sequence[Decision]) -> set[tuple[str, str]]:
        if not decisions:
            return set()
        rows = await self.conn.fetch(
            f"""INSERT INTO decisions (cohort_code, nip, completed, policy_version, rate_pct,
                   score, predicate, explanation_id, explanation_en, decided_at)
                   {_DECISION_ROWS}
               ON CONFLICT (cohort_code, nip) DO NOTHING RETURNING cohort_code, nip""",
            json_rows(
                [
                    (
                        d.cohort_code,
                        d.nip,
                        d.completed,
                        d.policy_version,
                        d.rate_pct,
                        d.score,
                        d.predicate,
                        d.explanation_id,
                        d.explanation_en,
                        d.decided_at,
                    )
                    for d in decisions
                ]
            ),
        )
        return {(r[0], r[1]) for r in rows}


_DECISION_ROWS = from_json_rows(
    "text, text, boolean, int, numeric, numeric, text, text, text, timestamptz"
)
