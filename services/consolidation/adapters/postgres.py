"""Read-model repository: idempotent upserts from events and the queries behind every view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from services.consolidation.domain import claim_authority
from shared.db import from_json_rows, json_rows
from shared.events import domain as ev
from shared.events.feedback import IngestOutcome

# A pooled connection or a bare one (the rebuild and the consumer core use both).
Conn = asyncpg.Connection | PoolConnectionProxy

# --- writes ------------------------------------------------------------------------------


CohortRow = tuple[
    str, str, str | None, str, str, str, int, str, str, dt.date, dt.date, Any, dt.datetime
]


def cohort_row(c: ev.CohortInfo, province: str | None, changed_at: dt.datetime) -> CohortRow:
    return (
        c.cohort_code,
        c.publisher,
        province,
        c.programme_name,
        c.category.value,
        c.organizer,
        c.year,
        c.angkatan,
        c.location,
        c.start_date,
        c.end_date,
        c.total_jp,
        changed_at,
    )


async def upsert_cohorts(conn: Conn, rows: Sequence[CohortRow]) -> None:
    """Schedules and amendments, rows from `cohort_row` in event order. An amendment replaces
    the schedule but never the status (a late replay must not reopen)."""
    if not rows:
        return
    await _upsert_rounds(
        conn,
        f"""INSERT INTO cohorts (cohort_code, publisher, organizer_province, programme_name,
               category, organizer, year, angkatan, location, start_date, end_date, total_jp,
               changed_at)
           {_COHORTS_ROWS}
           ON CONFLICT (cohort_code) DO UPDATE SET programme_name = EXCLUDED.programme_name,
               category = EXCLUDED.category, organizer = EXCLUDED.organizer,
               year = EXCLUDED.year, angkatan = EXCLUDED.angkatan, location = EXCLUDED.location,
               start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date,
               total_jp = EXCLUDED.total_jp, changed_at = EXCLUDED.changed_at
           WHERE cohorts.changed_at <= EXCLUDED.changed_at""",
        rows,
        0,
    )


async def set_cohort_status(conn: Conn, code: str, status: str, reason: str | None) -> None:
    await conn.execute(
        "UPDATE cohorts SET status = $2, cancel_reason = $3 WHERE cohort_code = $1",
        code,
        status,
        reason,
    )


async def withdraw(conn: Conn, code: str, nip: str) -> None:
    await conn.execute(
        "UPDATE enrolments SET withdrawn = true WHERE cohort_code = $1 AND nip = $2", code, nip
    )


async def set_certificate_status(conn: Conn, certificate_id: str, status: str, reason: str) -> None:
    await conn.execute(
        "UPDATE certificates SET status = $2, status_reason = $3 WHERE certificate_id = $1",
        certificate_id,
        status,
        reason,
    )


# --- set-based writes: a run of events of one type, one statement per table --------------
#
# The handlers pass a run of one for a single event. An upsert may touch a row only once per
# statement, so rows are split into rounds with unique keys, keeping each key's order: round
# k holds the k-th row of every key. Applying the rounds in turn is exactly applying the rows
# one by one (rows of different keys never interact: no triggers, one unique key per table).


def _rounds(rows: Sequence[tuple[Any, ...]], key: int | tuple[int, ...]) -> list[list[Any]]:
    keys = list(map(itemgetter(*key) if isinstance(key, tuple) else itemgetter(key), rows))
    if len(set(keys)) == len(keys):
        return [list(rows)]  # every key once (the usual case): one round, no bookkeeping
    rounds: list[list[tuple[Any, ...]]] = []
    seen: dict[Any, int] = {}
    for k, row in zip(keys, rows, strict=True):
        n = seen.get(k, 0)
        seen[k] = n + 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append(row)
    return rounds


async def _upsert_rounds(
    conn: Conn, sql: str, rows: Sequence[tuple[Any, ...]], key: int | tuple[int, ...]
) -> None:
    for batch in _rounds(rows, key):
        await conn.execute(sql, json_rows(batch))


# Rows travel as one JSON document (shared.db.json_rows): see there why.
_COHORTS_ROWS = from_json_rows(
    "text, text, text, text, text, text, int, text, text, date, date, numeric, timestamptz"
)
_ENROLMENTS_ROWS = from_json_rows(
    "text, text, text, text, text, text, text, text, text, text, timestamptz, text, smallint"
)
_ATTENDANCE_ROWS = from_json_rows("text, text, numeric, numeric, numeric")
_COMPLETIONS_ROWS = from_json_rows("text, text, boolean, text, numeric, timestamptz")
_CERTIFICATES_ROWS = from_json_rows(
    "text, text, int, text, text, text, text, text, text, text, int, numeric, date, text,"
    " timestamptz"
)
_INGEST_OUTCOMES_ROWS = from_json_rows("text, text, text, text, text, timestamptz")
_INGEST_DUPLICATES_ROWS = from_json_rows("text, text, int, text, text, timestamptz")


EnrolmentRow = tuple[str, str, str, str, str, str, str | None, str, str, str, dt.datetime, str, int]


def enrolment_row(e: ev.ParticipantEnrolled) -> EnrolmentRow:
    """The enrolment with its region claim: who claimed it (the cohort's publisher, from the
    event itself: no other table is read) and how much that claim weighs."""
    p = e.participant
    return (
        e.cohort_code,
        p.nip,
        p.name,
        p.asn_type,
        p.gender,
        p.position,
        p.rank,
        p.agency,
        p.region,
        p.region[:2],
        e.enrolled_at,
        e.publisher,
        claim_authority(e.publisher, p.region),
    )


async def upsert_enrolments(conn: Conn, rows: Sequence[EnrolmentRow]) -> None:
    """`upsert_enrolment` for many: rows from `enrolment_row`, in event order. An enrolment
    again after a withdrawal (the enrolment service allows it while the cohort is open) makes
    the participant active again: the withdrawal and the new enrolment come in this order on
    the cohort's partition."""
    if not rows:
        return
    await _upsert_rounds(
        conn,
        f"""INSERT INTO enrolments (cohort_code, nip, name, asn_type, gender, position, rank,
               agency, region, region_province, enrolled_at, publisher, claim_authority)
           {_ENROLMENTS_ROWS}
           ON CONFLICT (cohort_code, nip) DO UPDATE SET name = EXCLUDED.name,
               asn_type = EXCLUDED.asn_type, gender = EXCLUDED.gender,
               position = EXCLUDED.position, rank = EXCLUDED.rank, agency = EXCLUDED.agency,
               region = EXCLUDED.region, region_province = EXCLUDED.region_province,
               enrolled_at = EXCLUDED.enrolled_at, publisher = EXCLUDED.publisher,
               claim_authority = EXCLUDED.claim_authority, withdrawn = false""",
        rows,
        (0, 1),
    )
    await refresh_asn(conn, sorted({r[1] for r in rows}))


async def refresh_asn(conn: Conn, nips: Sequence[str]) -> None:
    """Derive each ASN's row from all its enrolments' claims: the home region is the
    weightiest claim (domain.claim_authority), the earliest among equals (then by cohort code,
    so the result depends on the set of enrolments only, not on the order events of different
    cohorts arrived in: the live service and a rebuild agree). Identity comes from the latest
    enrolment that makes the same claim with the same weight, so the home region's own
    publisher corrects a name, and another publisher cannot."""
    await conn.execute(
        """WITH home AS (
               SELECT DISTINCT ON (nip) nip, region, claim_authority FROM enrolments
               WHERE nip = ANY($1::text[])
               ORDER BY nip, claim_authority DESC, enrolled_at, cohort_code
           ), chosen AS (
               SELECT DISTINCT ON (e.nip) e.* FROM enrolments e
               JOIN home h USING (nip, region, claim_authority)
               ORDER BY e.nip, e.enrolled_at DESC, e.cohort_code DESC
           )
           INSERT INTO asn (nip, name, gender, asn_type, agency, region, region_province,
               enrolled_at)
           SELECT nip, name, gender, asn_type, agency, region, region_province, enrolled_at
           FROM chosen
           ON CONFLICT (nip) DO UPDATE SET name = EXCLUDED.name, gender = EXCLUDED.gender,
               asn_type = EXCLUDED.asn_type, agency = EXCLUDED.agency,
               region = EXCLUDED.region, region_province = EXCLUDED.region_province,
               enrolled_at = EXCLUDED.enrolled_at""",
        list(nips),
    )


async def upsert_attendances(conn: Conn, items: Sequence[ev.ParticipantFinalised]) -> None:
    """`upsert_attendance` for many, in event order."""
    if not items:
        return
    await _upsert_rounds(
        conn,
        f"""INSERT INTO attendance (cohort_code, nip, jp_present, jp_total, rate_pct)
           {_ATTENDANCE_ROWS}
           ON CONFLICT (cohort_code, nip) DO UPDATE SET
               jp_present = EXCLUDED.jp_present, jp_total = EXCLUDED.jp_total,
               rate_pct = EXCLUDED.rate_pct""",
        # Decimals as text here (what json_rows writes for them anyway): its per-value
        # fallback costs ten times as much, on one row per participant.
        [
            (a.cohort_code, a.nip, str(a.jp_present), str(a.jp_total), str(a.rate_pct))
            for a in items
        ],
        (0, 1),
    )


async def upsert_completions(conn: Conn, items: Sequence[ev.CompletionDecided]) -> None:
    """`upsert_completion` for many, in event order."""
    if not items:
        return
    await _upsert_rounds(
        conn,
        f"""INSERT INTO completions (cohort_code, nip, completed, predicate, score, decided_at)
           {_COMPLETIONS_ROWS}
           ON CONFLICT (cohort_code, nip) DO UPDATE SET
               completed = EXCLUDED.completed, predicate = EXCLUDED.predicate,
               score = EXCLUDED.score, decided_at = EXCLUDED.decided_at
           WHERE completions.decided_at <= EXCLUDED.decided_at""",
        [(d.cohort_code, d.nip, d.completed, d.predicate, d.score, d.decided_at) for d in items],
        (0, 1),
    )


async def upsert_certificates(conn: Conn, items: Sequence[ev.CertificateIssued]) -> None:
    """`upsert_certificate` for many, in event order."""
    if not items:
        return
    await _upsert_rounds(
        conn,
        f"""INSERT INTO certificates (certificate_id, number, version, cohort_code, publisher,
               nip, name, programme_name, category, organizer, year, total_jp, end_date,
               predicate, issued_at)
           {_CERTIFICATES_ROWS}
           ON CONFLICT (certificate_id) DO NOTHING""",
        [
            (
                c.certificate_id,
                c.number,
                c.version,
                c.cohort_code,
                c.publisher,
                c.nip,
                c.name,
                c.programme_name,
                c.category.value,
                c.organizer,
                c.year,
                c.total_jp,
                c.end_date,
                c.predicate,
                c.issued_at,
            )
            for c in items
        ],
        0,
    )


# (publisher, feedback message id, place in the message, outcome)
OutcomeItem = tuple[str, str, int, IngestOutcome]


async def upsert_outcomes(conn: Conn, items: Sequence[OutcomeItem]) -> None:
    """Outcomes told on the feedback topics, in event order: each event's decision (latest
    wins; a parked one gives way to the final one) and, apart, every duplicate told."""
    if not items:
        return
    decisions = [(p, o) for p, _, _, o in items if o.outcome.value != "duplicate"]
    if decisions:
        await _upsert_rounds(
            conn,
            f"""INSERT INTO ingest_outcomes (service, event_id, publisher, outcome, reason,
                   decided_at)
               {_INGEST_OUTCOMES_ROWS}
               ON CONFLICT (service, event_id) DO UPDATE SET
                   outcome = EXCLUDED.outcome, reason = EXCLUDED.reason,
                   decided_at = EXCLUDED.decided_at
               WHERE (ingest_outcomes.decided_at, ingest_outcomes.outcome <> 'parked')
                   <= (EXCLUDED.decided_at, EXCLUDED.outcome <> 'parked')""",
            [
                (
                    o.service,
                    o.event_id,
                    publisher,
                    o.outcome.value,
                    o.reason.value if o.reason else None,
                    o.decided_at,
                )
                for publisher, o in decisions
            ],
            (0, 1),
        )
    duplicates = [
        (o.service, message_id, ordinal, o.event_id, publisher, o.decided_at)
        for publisher, message_id, ordinal, o in items
        if o.outcome.value == "duplicate"
    ]
    if duplicates:
        await conn.execute(
            f"""INSERT INTO ingest_duplicates (service, message_id, ordinal, event_id,
                   publisher, decided_at)
               {_INGEST_DUPLICATES_ROWS}
               ON CONFLICT DO NOTHING""",
            json_rows(duplicates),
        )


# --- queries -----------------------------------------------------------------------------


def _home_column(code: str) -> str:
    """A province code matches the ASN's home province, a kabupaten/kota its home region."""
    return "region_province" if len(code) == 2 else "region"


@dataclass
class Filters:
    """View filters plus the caller's scope; renders WHERE clauses over cohorts `c` and over
    the ASN's home region (`region`, and `area`: the region a publisher credential covers)."""

    year: int | None = None
    publisher: str | None = None
    province: str | None = None
    region: str | None = None
    category: str | None = None
    area: str | None = None
    params: list[Any] = field(default_factory=list)

    def arg(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}"

    def cohort_clauses(self) -> list[str]:
        clauses = ["true"]
        if self.year is not None:
            clauses.append(f"c.year = {self.arg(self.year)}")
        if self.publisher is not None:
            clauses.append(f"c.publisher = {self.arg(self.publisher)}")
        if self.province is not None:
            if self.province == "nasional":
                clauses.append("c.organizer_province IS NULL")
            else:
                clauses.append(f"c.organizer_province = {self.arg(self.province)}")
        if self.category is not None:
            clauses.append(f"c.category = {self.arg(self.category)}")
        return clauses

    def home_clause(self, alias: str, *, province: bool = False, area: bool = False) -> str:
        """The ASN row `alias` is of the asked region (and home province, and the caller's
        area, when asked)."""
        codes = [self.region]
        if province:
            codes.append(self.province)
        if area:
            codes.append(self.area)
        clauses = [f"{alias}.{_home_column(c)} = {self.arg(c)}" for c in codes if c is not None]
        return " AND ".join(clauses) or "true"

    def where(self, participant_alias: str | None = None) -> str:
        """Cohorts by the filters; with `region`, only participants (of `participant_alias`)
        or cohorts (with a participant) whose home region it is."""
        clauses = self.cohort_clauses()
        if self.region is not None:
            home = self.home_clause("a")
            if participant_alias:
                clauses.append(
                    f"EXISTS (SELECT 1 FROM asn a WHERE a.nip = {participant_alias}.nip AND {home})"
                )
            else:
                clauses.append(
                    "EXISTS (SELECT 1 FROM enrolments r JOIN asn a USING (nip)"
                    f" WHERE r.cohort_code = c.cohort_code AND {home})"
                )
        return " AND ".join(clauses)


def snapshot(conn: Conn) -> Transaction:
    """One read-only, repeatable-read transaction for a view made of several queries: the
    consumer commits a batch's decisions and certificates together, and separate snapshots
    could count the certificates without the decisions (seen once in CI)."""
    return conn.transaction(isolation="repeatable_read", readonly=True)


async def statistics(conn: Conn, f: Filters, today: dt.date) -> dict[str, Any]:
    f.params = []
    cohorts = await conn.fetchrow(
        f"""SELECT count(*) FILTER (WHERE status = 'scheduled' AND start_date > {f.arg(today)})
                       AS scheduled,
                   count(*) FILTER (WHERE status = 'scheduled' AND start_date <= $1) AS running,
                   count(*) FILTER (WHERE status = 'closed') AS closed,
                   count(*) FILTER (WHERE status = 'cancelled') AS cancelled
            FROM cohorts c WHERE {f.where()}""",
        *f.params,
    )
    f.params = []
    people = await conn.fetchrow(
        f"""SELECT count(*) AS enrolled, count(*) FILTER (WHERE e.withdrawn) AS withdrawn,
                   count(*) FILTER (WHERE k.completed AND NOT e.withdrawn) AS completed,
                   count(*) FILTER (WHERE NOT k.completed AND NOT e.withdrawn) AS not_completed,
                   count(*) FILTER (WHERE e.gender = 'P') AS women,
                   count(*) FILTER (WHERE e.gender = 'L') AS men,
                   coalesce(sum(c.total_jp) FILTER (WHERE k.completed AND NOT e.withdrawn), 0)
                       AS jp_delivered
            FROM enrolments e JOIN cohorts c USING (cohort_code)
            LEFT JOIN completions k USING (cohort_code, nip)
            WHERE {f.where("e")}""",
        *f.params,
    )
    f.params = []
    certs = await conn.fetchrow(
        f"""SELECT count(*) FILTER (WHERE x.status = 'valid') AS issued,
                   count(*) FILTER (WHERE x.status = 'revoked') AS revoked
            FROM certificates x JOIN cohorts c USING (cohort_code)
            LEFT JOIN enrolments e ON e.cohort_code = x.cohort_code AND e.nip = x.nip
            WHERE {f.where("e")}""",
        *f.params,
    )
    return {
        **dict(cohorts or {}),
        **dict(people or {}),
        "certificates_issued": certs["issued"] if certs else 0,
        "certificates_revoked": certs["revoked"] if certs else 0,
    }


# (nip, year) -> JP credited: every enrolment (even withdrawn) makes the ASN known that year; a
# completed cohort credits its total JP in the year it ended.
_LEDGER = """
    SELECT e.nip, extract(year FROM c.end_date)::int AS year,
           coalesce(sum(c.total_jp) FILTER (WHERE k.completed AND NOT e.withdrawn), 0) AS jp
    FROM enrolments e JOIN cohorts c USING (cohort_code)
    LEFT JOIN completions k USING (cohort_code, nip)
    WHERE c.status <> 'cancelled' {extra}
    GROUP BY 1, 2"""


async def provinces(
    conn: Conn, f: Filters, minimum: Any
) -> tuple[list[asyncpg.Record], list[asyncpg.Record]]:
    """Per organiser province (NULL = nasional): cohorts, participants, completion; and per
    home province: ASN-years known and those meeting the minimum."""
    f.params = []
    activity = await conn.fetch(
        f"""SELECT coalesce(c.organizer_province, 'nasional') AS province,
                   count(DISTINCT c.cohort_code) AS cohorts,
                   count(e.nip) FILTER (WHERE NOT e.withdrawn) AS participants,
                   count(*) FILTER (WHERE k.completed AND NOT e.withdrawn) AS completed,
                   count(*) FILTER (WHERE NOT k.completed AND NOT e.withdrawn) AS not_completed
            FROM cohorts c LEFT JOIN enrolments e USING (cohort_code)
            LEFT JOIN completions k USING (cohort_code, nip)
            WHERE {f.where("e")} GROUP BY 1""",
        *f.params,
    )
    f.params = []
    year_clause = "" if f.year is None else f"AND extract(year FROM c.end_date) = {f.arg(f.year)}"
    compliance = await conn.fetch(
        f"""SELECT a.region_province AS province, count(*) AS asn_years,
                   count(*) FILTER (WHERE l.jp >= {f.arg(minimum)}) AS met
            FROM ({_LEDGER.format(extra=year_clause)}) l JOIN asn a USING (nip)
            WHERE {f.home_clause("a", area=True)}
            GROUP BY 1""",
        *f.params,
    )
    return activity, compliance


async def publishers(conn: Conn, f: Filters) -> list[asyncpg.Record]:
    f.params = []
    return list(
        await conn.fetch(
            f"""SELECT c.publisher, count(DISTINCT c.cohort_code) AS cohorts,
                   count(e.nip) FILTER (WHERE NOT e.withdrawn) AS participants,
                   count(*) FILTER (WHERE k.completed AND NOT e.withdrawn) AS completed,
                   count(*) FILTER (WHERE NOT k.completed AND NOT e.withdrawn) AS not_completed
            FROM cohorts c LEFT JOIN enrolments e USING (cohort_code)
            LEFT JOIN completions k USING (cohort_code, nip)
            WHERE {f.where("e")} GROUP BY 1 ORDER BY 1""",
            *f.params,
        )
    )


async def cohorts(
    conn: Conn, f: Filters, limit: int | None, offset: int
) -> tuple[int, list[asyncpg.Record]]:
    f.params = []
    where = f.where()
    rows = await conn.fetch(
        f"""SELECT c.*, count(*) OVER () AS total,
                   coalesce(p.participants, 0) AS participants,
                   coalesce(p.completed, 0) AS completed,
                   coalesce(p.not_completed, 0) AS not_completed
            FROM cohorts c LEFT JOIN LATERAL (
                SELECT count(*) FILTER (WHERE NOT e.withdrawn) AS participants,
                       count(*) FILTER (WHERE k.completed AND NOT e.withdrawn) AS completed,
                       count(*) FILTER (WHERE NOT k.completed AND NOT e.withdrawn)
                           AS not_completed
                FROM enrolments e LEFT JOIN completions k USING (cohort_code, nip)
                WHERE e.cohort_code = c.cohort_code) p ON true
            WHERE {where} ORDER BY c.year DESC, c.cohort_code
            LIMIT {f.arg(limit)} OFFSET {f.arg(offset)}""",
        *f.params,
    )
    return (rows[0]["total"] if rows else 0), list(rows)


async def cohort(conn: Conn, code: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM cohorts WHERE cohort_code = $1", code
    )
    return row


async def participants(
    conn: Conn, code: str, limit: int | None, offset: int
) -> tuple[int, list[asyncpg.Record]]:
    rows = await conn.fetch(
        """SELECT e.*, k.completed, k.predicate, a.rate_pct, x.number AS certificate_number,
                  count(*) OVER () AS total
           FROM enrolments e LEFT JOIN completions k USING (cohort_code, nip)
           LEFT JOIN attendance a USING (cohort_code, nip)
           LEFT JOIN certificates x ON x.cohort_code = e.cohort_code AND x.nip = e.nip
               AND x.status = 'valid'
           WHERE e.cohort_code = $1 ORDER BY e.name, e.nip LIMIT $2 OFFSET $3""",
        code,
        limit,
        offset,
    )
    return (rows[0]["total"] if rows else 0), list(rows)


async def asn(conn: Conn, nip: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow("SELECT * FROM asn WHERE nip = $1", nip)
    return row


async def trainings(
    conn: Conn, nips: Sequence[str], year: int | None = None, completed_only: bool = False
) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """SELECT e.nip, e.withdrawn, c.cohort_code, c.publisher, c.organizer_province,
                  c.programme_name, c.category, c.organizer, c.year, c.angkatan, c.location,
                  c.start_date, c.end_date, c.total_jp, c.status, k.completed, k.predicate,
                  x.number AS certificate_number
           FROM enrolments e JOIN cohorts c USING (cohort_code)
           LEFT JOIN completions k USING (cohort_code, nip)
           LEFT JOIN certificates x ON x.cohort_code = e.cohort_code AND x.nip = e.nip
               AND x.status = 'valid'
           WHERE e.nip = ANY($1::text[])
             AND ($2::int IS NULL OR extract(year FROM c.end_date) = $2)
             AND (NOT $3 OR (k.completed AND NOT e.withdrawn))
           ORDER BY e.nip, c.start_date, c.cohort_code""",
            list(nips),
            year,
            completed_only,
        )
    )


async def jp_per_year(conn: Conn, nip: str) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            f"SELECT year, jp FROM ({_LEDGER.format(extra='AND e.nip = $1')}) l ORDER BY year", nip
        )
    )


async def below_minimum(
    conn: Conn, f: Filters, minimum: Any, limit: int | None, offset: int
) -> tuple[int, list[asyncpg.Record]]:
    """ASN below the minimum in `f.year`, by home province, region and the caller's area."""
    f.params = []
    ledger = _LEDGER.format(extra=f"AND extract(year FROM c.end_date) = {f.arg(f.year)}")
    rows = await conn.fetch(
        f"""SELECT a.nip, a.name, a.region, a.agency, l.jp, count(*) OVER () AS total
            FROM ({ledger}) l JOIN asn a USING (nip)
            WHERE l.jp < {f.arg(minimum)} AND {f.home_clause("a", province=True, area=True)}
            ORDER BY a.nip LIMIT {f.arg(limit)} OFFSET {f.arg(offset)}""",
        *f.params,
    )
    return (rows[0]["total"] if rows else 0), list(rows)


async def certificates(
    conn: Conn,
    f: Filters,
    *,
    number: str | None,
    nip: str | None,
    name: str | None,
    publisher: str | None,
    own: str | None,
    limit: int | None,
    offset: int,
) -> tuple[int, list[asyncpg.Record]]:
    """Search the registry. `publisher` (asked) narrows to that organiser's certificates;
    `own` (a publisher credential) admits its own cohorts' certificates and those of the ASN
    whose home lies in `f.area`. Year, category and organiser province are the certificate's
    own; `region` is the holder's home region."""
    f.params = []
    clauses = ["true"]
    if number is not None:
        clauses.append(f"x.number = {f.arg(number)}")
    if nip is not None:
        clauses.append(f"x.nip = {f.arg(nip)}")
    if name is not None:
        clauses.append(f"lower(x.name) LIKE lower({f.arg(name)}) || '%'")
    if f.year is not None:
        clauses.append(f"x.year = {f.arg(f.year)}")
    if publisher is not None:
        clauses.append(f"x.publisher = {f.arg(publisher)}")
    if f.province is not None:
        organiser = "CASE x.publisher WHEN 'nasional' THEN 'nasional' ELSE left(x.publisher, 2) END"
        clauses.append(f"{organiser} = {f.arg(f.province)}")
    if f.category is not None:
        clauses.append(f"x.category = {f.arg(f.category)}")
    if f.region is not None:
        clauses.append(f"a.{_home_column(f.region)} = {f.arg(f.region)}")
    if own is not None:
        mine = f"x.publisher = {f.arg(own)}"
        theirs = "true" if f.area is None else f"a.{_home_column(f.area)} = {f.arg(f.area)}"
        clauses.append(f"({mine} OR {theirs})")
    rows = await conn.fetch(
        f"""SELECT x.*, count(*) OVER () AS total FROM certificates x
            LEFT JOIN asn a USING (nip)
            WHERE {" AND ".join(clauses)}
            ORDER BY x.number, x.version LIMIT {f.arg(limit)} OFFSET {f.arg(offset)}""",
        *f.params,
    )
    return (rows[0]["total"] if rows else 0), list(rows)


async def data_quality(conn: Conn, publisher: str | None) -> list[asyncpg.Record]:
    """Outcomes per publisher: each event's decision, plus every duplicate record told."""
    return list(
        await conn.fetch(
            """SELECT publisher, outcome, reason, count(*) AS n FROM (
                   SELECT publisher, outcome, coalesce(reason, '') AS reason
                   FROM ingest_outcomes WHERE $1::text IS NULL OR publisher = $1
                   UNION ALL
                   SELECT publisher, 'duplicate', '' FROM ingest_duplicates
                   WHERE $1::text IS NULL OR publisher = $1) o
               GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
            publisher,
        )
    )
