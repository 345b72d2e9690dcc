"""The read model's queries: one function per view of the API, over a read-only snapshot.

Cosmicpython's `views.py`: plain SQL returning rows, apart from the writes (`projection.py`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from services.consolidation.domain import contains_pattern
from shared.db import Connection


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


@contextlib.asynccontextmanager
async def reading(pool: asyncpg.Pool) -> AsyncIterator[Connection]:
    """A connection in one read-only, repeatable-read snapshot: a view made of several queries
    (counts and a page, a profile and its trainings) never mixes states before and after a
    consumer batch, which commits its decisions and certificates together (separate snapshots
    once counted the certificates without the decisions, in CI)."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        yield conn


async def statistics(conn: Connection, f: Filters, today: dt.date) -> dict[str, Any]:
    if f.region is None:
        row = await _cohort_figures(conn, f, today)
        people, certs, cohorts = row, row, row
    else:
        cohorts = await _cohort_states(conn, f, today)
        people, certs = await _participants_figures(conn, f)
    return {
        **{k: (cohorts[k] if cohorts else 0) for k in _STATES},
        **{k: (people[k] if people else 0) for k in _PEOPLE},
        "certificates_issued": certs["issued"] if certs else 0,
        "certificates_revoked": certs["revoked"] if certs else 0,
    }


_STATES = ("scheduled", "running", "closed", "cancelled")
_PEOPLE = ("enrolled", "withdrawn", "completed", "not_completed", "women", "men", "jp_delivered")


def _counted_states(today: str) -> str:
    return f"""count(*) FILTER (WHERE c.status = 'scheduled' AND c.start_date > {today})
                   AS scheduled,
               count(*) FILTER (WHERE c.status = 'scheduled' AND c.start_date <= {today})
                   AS running,
               count(*) FILTER (WHERE c.status = 'closed') AS closed,
               count(*) FILTER (WHERE c.status = 'cancelled') AS cancelled"""


async def _cohort_states(conn: Connection, f: Filters, today: dt.date) -> asyncpg.Record | None:
    f.params = []
    return await conn.fetchrow(
        f"SELECT {_counted_states(f.arg(today))} FROM cohorts c WHERE {f.where()}", *f.params
    )


async def _cohort_figures(conn: Connection, f: Filters, today: dt.date) -> asyncpg.Record | None:
    """The filtered cohorts' states, people and certificates in one pass, from each cohort's
    kept figures."""
    f.params = []
    return await conn.fetchrow(
        f"""SELECT {_counted_states(f.arg(today))},
                   coalesce(sum(x.enrolled), 0) AS enrolled,
                   coalesce(sum(x.withdrawn), 0) AS withdrawn,
                   coalesce(sum(x.completed), 0) AS completed,
                   coalesce(sum(x.not_completed), 0) AS not_completed,
                   coalesce(sum(x.women), 0) AS women, coalesce(sum(x.men), 0) AS men,
                   coalesce(sum(x.jp_delivered), 0) AS jp_delivered,
                   coalesce(sum(x.certificates_issued), 0) AS issued,
                   coalesce(sum(x.certificates_revoked), 0) AS revoked
            FROM cohorts c LEFT JOIN cohort_figures x USING (cohort_code) WHERE {f.where()}""",
        *f.params,
    )


async def _participants_figures(
    conn: Connection, f: Filters
) -> tuple[asyncpg.Record | None, asyncpg.Record | None]:
    """People and certificates of the filtered cohorts' participants from one home region:
    counted from the enrolments (a cohort's figures mix every region's participants)."""
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
    return people, certs


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
    conn: Connection, f: Filters
) -> tuple[list[asyncpg.Record], list[asyncpg.Record]]:
    """Per organiser province (NULL = nasional): cohorts, participants, completion; and per
    home province, from the maintained 20 JP counts: the ASN-years assessed (met, below, zero)
    and those that met their minimum."""
    if f.region is None:
        activity = await _activity(conn, f, "coalesce(c.organizer_province, 'nasional')")
    else:
        f.params = []
        activity = await conn.fetch(
            f"""SELECT coalesce(c.organizer_province, 'nasional') AS key,
                       count(DISTINCT c.cohort_code) AS cohorts,
                       count(e.nip) FILTER (WHERE NOT e.withdrawn) AS participants,
                       count(*) FILTER (WHERE k.completed AND NOT e.withdrawn) AS completed,
                       count(*) FILTER (WHERE NOT k.completed AND NOT e.withdrawn)
                           AS not_completed
                FROM cohorts c LEFT JOIN enrolments e USING (cohort_code)
                LEFT JOIN completions k USING (cohort_code, nip)
                WHERE {f.where("e")} GROUP BY 1""",
            *f.params,
        )
    f.params = []
    year_clause = "true" if f.year is None else f"year = {f.arg(f.year)}"
    compliance = await conn.fetch(
        f"""SELECT region_province AS province, sum(met + below + zero) AS asn_years,
                   sum(met) AS met
            FROM compliance_counts k
            WHERE {year_clause} AND {f.home_clause("k", area=True)}
            GROUP BY 1""",
        *f.params,
    )
    return activity, compliance


async def publishers(conn: Connection, f: Filters) -> list[asyncpg.Record]:
    if f.region is None:
        return sorted(await _activity(conn, f, "c.publisher"), key=lambda r: r["key"])
    f.params = []
    return list(
        await conn.fetch(
            f"""SELECT c.publisher AS key, count(DISTINCT c.cohort_code) AS cohorts,
                   count(e.nip) FILTER (WHERE NOT e.withdrawn) AS participants,
                   count(*) FILTER (WHERE k.completed AND NOT e.withdrawn) AS completed,
                   count(*) FILTER (WHERE NOT k.completed AND NOT e.withdrawn) AS not_completed
            FROM cohorts c LEFT JOIN enrolments e USING (cohort_code)
            LEFT JOIN completions k USING (cohort_code, nip)
            WHERE {f.where("e")} GROUP BY 1 ORDER BY 1""",
            *f.params,
        )
    )


async def _activity(conn: Connection, f: Filters, key: str) -> list[asyncpg.Record]:
    """Cohorts, participants and completions of the filtered cohorts per `key` (an expression
    over cohorts `c`), from each cohort's kept figures."""
    f.params = []
    return list(
        await conn.fetch(
            f"""SELECT {key} AS key, count(*) AS cohorts,
                   coalesce(sum(x.enrolled - x.withdrawn), 0) AS participants,
                   coalesce(sum(x.completed), 0) AS completed,
                   coalesce(sum(x.not_completed), 0) AS not_completed
            FROM cohorts c JOIN cohort_figures x USING (cohort_code)
            WHERE {f.where()} GROUP BY 1""",
            *f.params,
        )
    )


async def cohorts(
    conn: Connection, f: Filters, limit: int | None, offset: int
) -> tuple[int, list[asyncpg.Record]]:
    f.params = []
    where = f.where()
    rows = await conn.fetch(
        f"""{_COHORT_ROWS} WHERE {where} ORDER BY c.year DESC, c.cohort_code
            LIMIT {f.arg(limit)} OFFSET {f.arg(offset)}""",
        *f.params,
    )
    return (rows[0]["total"] if rows else 0), list(rows)


# Cohorts with their participation; `total` counts the rows the WHERE clause keeps.
_COHORT_ROWS = """SELECT c.*, count(*) OVER () AS total,
                   coalesce(p.participants, 0) AS participants,
                   coalesce(p.completed, 0) AS completed,
                   coalesce(p.not_completed, 0) AS not_completed
            FROM cohorts c LEFT JOIN (
                SELECT cohort_code, enrolled - withdrawn AS participants, completed,
                       not_completed
                FROM cohort_figures) p USING (cohort_code)"""


async def cohort(conn: Connection, code: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM cohorts WHERE cohort_code = $1", code
    )
    return row


async def cohort_with_participation(conn: Connection, code: str) -> asyncpg.Record | None:
    """One cohort as the cohorts view lists it."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"{_COHORT_ROWS} WHERE c.cohort_code = $1", code
    )
    return row


async def participants(
    conn: Connection, code: str, limit: int | None, offset: int
) -> tuple[int, list[asyncpg.Record]]:
    rows = await conn.fetch(
        """SELECT e.*, k.completed, k.predicate, k.score, k.explanation_id, k.explanation_en,
                  a.rate_pct, x.number AS certificate_number,
                  x.verification_code AS certificate_code, count(*) OVER () AS total
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


async def asn(conn: Connection, nip: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow("SELECT * FROM asn WHERE nip = $1", nip)
    return row


async def trainings(
    conn: Connection, nips: Sequence[str], year: int | None = None, completed_only: bool = False
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


async def jp_per_year(conn: Connection, nip: str) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            f"SELECT year, jp FROM ({_LEDGER.format(extra='AND e.nip = $1')}) l ORDER BY year", nip
        )
    )


async def below_minimum(
    conn: Connection, f: Filters, limit: int | None, offset: int
) -> tuple[int, list[asyncpg.Record]]:
    """The ASN below the minimum that applies to them (BELOW or ZERO) in `f.year`, by home
    province, region and the caller's area: the determinations' at-risk list, by NIP."""
    f.params = []
    rows = await conn.fetch(
        f"""SELECT k.nip, k.name, k.region, k.agency, k.jp, count(*) OVER () AS total
            FROM asn_years k
            WHERE k.year = {f.arg(f.year)} AND k.standing IN ('BELOW', 'ZERO')
              AND {f.home_clause("k", province=True, area=True)}
            ORDER BY k.nip LIMIT {f.arg(limit)} OFFSET {f.arg(offset)}""",
        *f.params,
    )
    return (rows[0]["total"] if rows else 0), list(rows)


async def certificates(
    conn: Connection,
    f: Filters,
    *,
    number: str | None,
    nip: str | None,
    name_words: Sequence[str] = (),
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
    for word in name_words:  # through the trigram index (migration 009)
        clauses.append(f"lower(x.name) LIKE {f.arg(contains_pattern(word))} ESCAPE '\\'")
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


async def data_quality(conn: Connection, publisher: str | None) -> list[asyncpg.Record]:
    """Outcomes per publisher: each event's decision, plus every duplicate record told
    (migration 008's kept counts)."""
    return list(
        await conn.fetch(
            """SELECT publisher, outcome, reason, sum(n)::bigint AS n FROM quality_counts
               WHERE $1::text IS NULL OR publisher = $1
               GROUP BY 1, 2, 3 HAVING sum(n) > 0 ORDER BY 1, 2, 3""",
            publisher,
        )
    )


async def data_quality_periods(
    conn: Connection, publisher: str | None, period: str
) -> list[asyncpg.Record]:
    """Outcomes per publisher and `period` (week or month, its first day in UTC) by the day
    each was decided; duplicates by the day they were told."""
    return list(
        await conn.fetch(
            """SELECT publisher, date_trunc($2, day)::date AS period, outcome, reason,
                      sum(n)::bigint AS n
               FROM quality_counts WHERE $1::text IS NULL OR publisher = $1
               GROUP BY 1, 2, 3, 4 HAVING sum(n) > 0 ORDER BY 1, 2, 3, 4""",
            publisher,
            period,
        )
    )


async def nips_of_region(conn: Connection, region: str) -> list[str]:
    """The ASN whose home is `region` (a province or a kabupaten/kota), by NIP."""
    return [
        r["nip"]
        for r in await conn.fetch(
            f"SELECT nip FROM asn WHERE {_home_column(region)} = $1 ORDER BY nip", region
        )
    ]
