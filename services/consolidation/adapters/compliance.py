"""The 20 JP determinations in Postgres: re-determine the ASN-years a batch touched, moving the
counts by the difference in the same transaction; open a year for the untrained roster in one
pass; everything from scratch at a rebuild's end.

The rules are `services.consolidation.compliance`'s; this module only loads their inputs and
saves their results.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from services.consolidation.adapters.roster import area_province
from services.consolidation.compliance import (
    DEFAULT_POLICY,
    Contribution,
    Counted,
    Determination,
    Placement,
    Policy,
    RosterEntry,
    Standing,
    Training,
    contribution,
    count_changes,
    determine,
    judge,
    service_start_year,
    verdict,
)
from shared.db import Connection, from_json_rows, indexes_built_after, json_rows
from shared.events.ingest import EmploymentStatus


async def open_years(
    conn: Connection, years: Iterable[int], policy: Policy = DEFAULT_POLICY
) -> list[int]:
    """Owe a determination for `years` to every roster ASN in service; the years that were new.
    Each new year's ASN without a row (no training ended in it) are determined in one pass."""
    opened = await owe_years(conn, years)
    for year in opened:
        await determine_untrained(conn, year, policy)
    return opened


async def owe_years(conn: Connection, years: Iterable[int]) -> list[int]:
    """Record `years` as owed (once owed, always: an amended cohort's first end year stays);
    the years that were new. Determining them is the caller's: now, or a rebuild's at its end."""
    rows = await conn.fetch(
        """INSERT INTO compliance_years SELECT unnest($1::int[]) ON CONFLICT DO NOTHING
           RETURNING year""",
        sorted(set(years)),
    )
    return sorted(r["year"] for r in rows)


async def determine_untrained(conn: Connection, year: int, policy: Policy = DEFAULT_POLICY) -> None:
    """Every roster ASN in service in `year` that has no row for it yet: with no training, the
    determination depends on the ASN type and status alone, so the rules decide each distinct
    (type, status, began by the year's end) once and one statement applies them to the roster,
    counts included."""
    kinds = await conn.fetch(
        """SELECT DISTINCT asn_type, status, status_since <= make_date($1, 12, 31) AS began
           FROM roster""",
        year,
    )
    decided = [_untrained(year, k["asn_type"], k["status"], k["began"], policy) for k in kinds]
    if decided:
        await conn.execute(_DETERMINE_UNTRAINED, json_rows(decided), year)


def _untrained(
    year: int, asn_type: str, status: str, began: bool, policy: Policy
) -> tuple[Any, ...]:
    since = dt.date(year, 12, 31) if began else dt.date(year + 1, 1, 1)
    d = determine(year, RosterEntry(asn_type, EmploymentStatus(status), since), (), policy)
    assessed = d.standing in (Standing.MET, Standing.BELOW, Standing.ZERO)
    return (asn_type, status, began, d.minimum, d.standing.value, d.reason.value, d.shortfall,
            assessed)  # fmt: skip


# substr(nip, 9, 4): compliance.service_start_year, the year the ASN entered the service.
_DETERMINE_UNTRAINED = f"""
    WITH decided AS (
        {
    from_json_rows(
        "asn_type text, status text, began boolean, minimum numeric, standing text,"
        " reason text, shortfall numeric, assessed boolean"
    )
}
    ), inserted AS (
        INSERT INTO asn_years (year, nip, name, region, region_province, agency, unit, jp,
            minimum, standing, reason, shortfall)
        SELECT $2, r.nip, r.name, r.region, r.region_province, r.agency, r.unit, 0,
            d.minimum, d.standing, d.reason, d.shortfall
        FROM roster r JOIN decided d ON d.asn_type = r.asn_type AND d.status = r.status
            AND d.began = (r.status_since <= make_date($2, 12, 31))
        WHERE substr(r.nip, 9, 4)::int <= $2
        ON CONFLICT (year, nip) DO NOTHING
        RETURNING region, region_province, agency, standing, reason
    ), assessed AS (
        SELECT * FROM inserted i
        WHERE EXISTS (SELECT 1 FROM decided d WHERE d.standing = i.standing AND d.assessed)
    ), counted AS (
        INSERT INTO compliance_counts AS c (year, region, agency, region_province, met, below,
            zero, exempt, not_in_roster)
        SELECT $2, region, agency, region_province,
            count(*) FILTER (WHERE standing = 'MET'), count(*) FILTER (WHERE standing = 'BELOW'),
            count(*) FILTER (WHERE standing = 'ZERO'), count(*) FILTER (WHERE standing = 'EXEMPT'),
            0
        FROM inserted GROUP BY region, region_province, agency
        ON CONFLICT (year, region, agency) DO UPDATE SET met = c.met + EXCLUDED.met,
            below = c.below + EXCLUDED.below, zero = c.zero + EXCLUDED.zero,
            exempt = c.exempt + EXCLUDED.exempt
    )
    INSERT INTO compliance_jp AS h (year, region, agency, jp, region_province, n)
    SELECT $2, region, agency, 0, region_province, count(*) FROM assessed
    GROUP BY region, region_province, agency
    ON CONFLICT (year, region, agency, jp) DO UPDATE SET n = h.n + EXCLUDED.n"""


@dataclass(frozen=True)
class _Person:
    name: str
    placement: Placement
    unit: str | None
    roster: RosterEntry | None


async def redetermine(
    conn: Connection, nips: Sequence[str], policy: Policy = DEFAULT_POLICY
) -> None:
    """Bring every ASN-year of `nips` in line with the facts, and the counts with them."""
    nips = sorted(set(nips))
    if not nips:
        return
    people = await _people(conn, nips)
    trainings = await _trainings(conn, nips)
    years = [r["year"] for r in await conn.fetch("SELECT year FROM compliance_years")]
    before = await _saved(conn, nips)
    after: dict[tuple[int, str], tuple[_Person, Determination]] = {}
    for nip, person in people.items():
        owed = _years_owed(nip, person, years, trainings.get(nip, ()))
        for year in owed:
            after[(year, nip)] = (
                person,
                determine(year, person.roster, trainings.get(nip, ()), policy),
            )
    await _save(conn, nips, after)
    await _move_counts(conn, before, after)


def _years_owed(
    nip: str, person: _Person, open_: Iterable[int], trainings: Iterable[Training]
) -> set[int]:
    trained = {t.end_date.year for t in trainings}
    if person.roster is None:
        return trained
    return trained | {y for y in open_ if y >= service_start_year(nip)}


async def _people(conn: Connection, nips: Sequence[str]) -> dict[str, _Person]:
    """Who each NIP is and where they count: the roster's entry, else the enrolment claims'."""
    rows = await conn.fetch(
        """SELECT n.nip, r.nip IS NOT NULL AS in_roster,
                  coalesce(r.name, a.name) AS name, coalesce(r.region, a.region) AS region,
                  coalesce(r.agency, a.agency) AS agency, r.unit,
                  coalesce(r.asn_type, a.asn_type) AS asn_type, r.status, r.status_since
           FROM unnest($1::text[]) AS n(nip)
           LEFT JOIN roster r ON r.nip = n.nip LEFT JOIN asn a ON a.nip = n.nip
           WHERE r.nip IS NOT NULL OR a.nip IS NOT NULL""",
        nips,
    )
    return {r["nip"]: _person(r) for r in rows}


def _person(r: Any) -> _Person:
    roster = (
        RosterEntry(r["asn_type"], EmploymentStatus(r["status"]), r["status_since"])
        if r["in_roster"]
        else None
    )
    return _Person(r["name"], Placement(r["region"], r["agency"]), r["unit"], roster)


async def _trainings(conn: Connection, nips: Sequence[str]) -> dict[str, list[Training]]:
    rows = await conn.fetch(
        """SELECT e.nip, e.cohort_code, c.end_date, c.total_jp, e.withdrawn,
                  c.status = 'cancelled' AS cancelled, k.completed, t.rate_pct,
                  c.min_attendance_pct, x.number
           FROM enrolments e JOIN cohorts c USING (cohort_code)
           LEFT JOIN completions k USING (cohort_code, nip)
           LEFT JOIN attendance t USING (cohort_code, nip)
           LEFT JOIN certificates x ON x.cohort_code = e.cohort_code AND x.nip = e.nip
               AND x.status = 'valid'
           WHERE e.nip = ANY($1::text[])""",
        nips,
    )
    found: dict[str, list[Training]] = defaultdict(list)
    for r in rows:
        found[r["nip"]].append(_training(r))
    return found


def _training(r: Any) -> Training:
    return Training(
        r["cohort_code"],
        r["end_date"],
        r["total_jp"],
        r["withdrawn"],
        r["cancelled"],
        r["completed"],
        r["rate_pct"],
        r["min_attendance_pct"],
        r["number"],
    )


async def _saved(conn: Connection, nips: Sequence[str]) -> dict[tuple[int, str], Contribution]:
    rows = await conn.fetch(
        "SELECT year, nip, region, agency, standing, jp FROM asn_years WHERE nip = ANY($1)", nips
    )
    return {
        (r["year"], r["nip"]): Contribution(
            (r["year"], r["region"], r["agency"]), Standing(r["standing"]), r["jp"]
        )
        for r in rows
    }


async def _save(
    conn: Connection,
    nips: Sequence[str],
    after: dict[tuple[int, str], tuple[_Person, Determination]],
) -> None:
    await conn.execute(
        f"""DELETE FROM asn_years WHERE nip = ANY($2::text[])
            AND (year, nip) NOT IN ({from_json_rows("int, text")})""",
        json_rows(list(after)),
        nips,
    )
    if after:
        await conn.execute(
            _UPSERT_ASN_YEARS, json_rows([_asn_year_row(k, v) for k, v in after.items()])
        )


def _asn_year_row(key: tuple[int, str], value: tuple[_Person, Determination]) -> tuple[Any, ...]:
    (year, nip), (person, d) = key, value
    p = person.placement
    return (year, nip, person.name, p.region, area_province(p.region), p.agency, person.unit,
            d.jp, d.minimum, d.standing.value, d.reason.value, d.shortfall)  # fmt: skip


# As a JSON document rather than COPY: asyncpg encodes COPY's values at ~5 us a row of this
# process's CPU, the rebuild's bottleneck; orjson writes the document in a tenth of that and
# Postgres, on the other core, reads it about as fast (bench/notes.md, session 13).
_INSERT_ASN_YEARS = f"""
    INSERT INTO asn_years (year, nip, name, region, region_province, agency, unit, jp, minimum,
        standing, reason, shortfall)
    {
    from_json_rows("int, text, text, text, text, text, text, numeric, numeric, text, text, numeric")
}"""

_UPSERT_ASN_YEARS = f"""{_INSERT_ASN_YEARS}
    ON CONFLICT (year, nip) DO UPDATE SET name = EXCLUDED.name, region = EXCLUDED.region,
        region_province = EXCLUDED.region_province, agency = EXCLUDED.agency,
        unit = EXCLUDED.unit, jp = EXCLUDED.jp, minimum = EXCLUDED.minimum,
        standing = EXCLUDED.standing, reason = EXCLUDED.reason, shortfall = EXCLUDED.shortfall"""


async def _move_counts(
    conn: Connection,
    before: dict[tuple[int, str], Contribution],
    after: dict[tuple[int, str], tuple[_Person, Determination]],
) -> None:
    new = {k: contribution(p.placement, d) for k, (p, d) in after.items()}
    counts, histogram = count_changes(
        (before.get(k), new.get(k)) for k in sorted(before.keys() | new.keys())
    )
    if counts:
        rows = [
            (*key, area_province(key[1]), *(row[s] for s in _COUNTED))
            for key, row in sorted(counts.items())
        ]
        await conn.execute(_ADD_COUNTS, json_rows(rows))
        # A row counting nobody goes, so the counts hold exactly what a count from scratch
        # (a rebuild's) would.
        await conn.execute(
            f"""DELETE FROM compliance_counts c USING ({from_json_rows("y int, r text, a text")}) k
                WHERE (c.year, c.region, c.agency) = (k.y, k.r, k.a)
                  AND c.met + c.below + c.zero + c.exempt + c.not_in_roster = 0""",
            json_rows(sorted(counts)),
        )
    if histogram:
        await conn.execute(
            _ADD_JP, json_rows([(*k, area_province(k[1]), n) for k, n in sorted(histogram.items())])
        )
        await conn.execute(
            f"""DELETE FROM compliance_jp h
                USING ({from_json_rows("y int, r text, a text, jp numeric")}) k
                WHERE (h.year, h.region, h.agency, h.jp) = (k.y, k.r, k.a, k.jp) AND h.n = 0""",
            json_rows(sorted(histogram)),
        )


_COUNTED = (Standing.MET, Standing.BELOW, Standing.ZERO, Standing.EXEMPT, Standing.NOT_IN_ROSTER)

_ADD_COUNTS = f"""
    INSERT INTO compliance_counts AS c (year, region, agency, region_province, met, below, zero,
        exempt, not_in_roster)
    {from_json_rows("int, text, text, text, int, int, int, int, int")}
    ON CONFLICT (year, region, agency) DO UPDATE SET met = c.met + EXCLUDED.met,
        below = c.below + EXCLUDED.below, zero = c.zero + EXCLUDED.zero,
        exempt = c.exempt + EXCLUDED.exempt,
        not_in_roster = c.not_in_roster + EXCLUDED.not_in_roster"""

_ADD_JP = f"""
    INSERT INTO compliance_jp AS h (year, region, agency, jp, region_province, n)
    {from_json_rows("int, text, text, numeric, text, int")}
    ON CONFLICT (year, region, agency, jp) DO UPDATE SET n = h.n + EXCLUDED.n"""


@dataclass(frozen=True)
class Explained:
    """One ASN-year with everything behind it, for the determination view."""

    name: str
    placement: Placement
    unit: str | None
    determination: Determination


async def explain(
    conn: Connection, nip: str, year: int, policy: Policy = DEFAULT_POLICY
) -> Explained | None:
    """The determination as `redetermine` makes it, with its provenance; None for a NIP that
    is in no roster and was never enrolled."""
    person = (await _people(conn, [nip])).get(nip)
    if person is None:
        return None
    trainings = (await _trainings(conn, [nip])).get(nip, [])
    d = determine(year, person.roster, trainings, policy)
    return Explained(person.name, person.placement, person.unit, d)


# What `determine_everyone` writes (and locks until it commits).
DETERMINED_TABLES = frozenset(
    {"asn_years", "compliance_counts", "compliance_jp", "compliance_years"}
)


async def determine_everyone(conn: Connection, policy: Policy = DEFAULT_POLICY) -> None:
    """The determinations from scratch, once, as a rebuild ends, for the years owed: those the
    first pass saw opened, and those of every cohort and roster row. Like the untrained roster,
    the trained ASN-years are set-based: Postgres sums each one's credited JP, the rules judge
    each distinct case once, and one statement applies them; the counts are counted once from
    the rows, and the secondary indexes built once after the rows. It leaves what the
    batch-by-batch upkeep leaves (tests compare the two)."""
    async with conn.transaction():  # all or nothing
        await conn.execute("TRUNCATE asn_years, compliance_counts, compliance_jp")
        await conn.execute(_OWE_EVERY_YEAR)
        years = [r["year"] for r in await conn.fetch("SELECT year FROM compliance_years")]
        async with indexes_built_after(conn, "asn_years"):
            await _determine_trained(conn, policy)
            for year in sorted(years):
                await determine_untrained(conn, year, policy)
        await conn.execute("TRUNCATE compliance_counts, compliance_jp")
        await conn.execute(_COUNT_EVERYONE)
        await conn.execute(_HISTOGRAM_OF_EVERYONE)


_OWE_EVERY_YEAR = """
    INSERT INTO compliance_years
    SELECT extract(year FROM end_date)::int FROM cohorts
    UNION SELECT extract(year FROM recorded_at AT TIME ZONE 'UTC')::int FROM roster_history
    ON CONFLICT DO NOTHING"""


async def _determine_trained(conn: Connection, policy: Policy) -> None:
    """Every ASN-year with a training (a cohort of theirs ended in it): their other years owed
    are those of the untrained roster, which `determine_untrained` fills after."""
    made = await conn.execute(_TRAINED_YEARS, json_rows(_crediting()))
    # jp as text: 7.5 and 7.50 are one number but two shortfalls (12.5, 12.50) as the rules
    # write them, and each ASN-year gets what the rules make of its own.
    cases = await conn.fetch(
        "SELECT DISTINCT year, in_roster, asn_type, status, began, jp::text FROM trained_years"
    )
    judged = [_judged(c, policy) for c in cases]
    inserted = await conn.execute(_INSERT_TRAINED, json_rows(judged)) if judged else "INSERT 0 0"
    # Every trained ASN-year is one of the cases judged; a key that failed to match would lose
    # rows without a word.
    if made.split()[-1] != inserted.split()[-1]:
        raise RuntimeError(f"determinations lost rows: {made} trained ASN-years, {inserted}")
    await conn.execute("DROP TABLE trained_years")


def _crediting() -> list[tuple[bool, bool, str]]:
    """The (cancelled, withdrawn, completed) a training credits its JP with, by the rules
    (`verdict`); completed as text, 'undecided' for none yet, so Postgres can hash-join it."""
    return [
        (cancelled, withdrawn, _completed_text(completed))
        for cancelled in (False, True)
        for withdrawn in (False, True)
        for completed in (None, False, True)
        if verdict(cancelled, withdrawn, completed) is Counted.CREDITED
    ]


def _completed_text(completed: bool | None) -> str:
    return "undecided" if completed is None else str(completed).lower()


def _judged(case: Any, policy: Policy) -> tuple[Any, ...]:
    year, roster = case["year"], None
    if case["in_roster"]:
        # The rules ask only whether the status had begun by the year's end.
        since = dt.date(year, 12, 31) if case["began"] else dt.date(year + 1, 1, 1)
        roster = RosterEntry(case["asn_type"], EmploymentStatus(case["status"]), since)
    d = judge(year, roster, Decimal(case["jp"]), policy)
    return (year, case["in_roster"], case["asn_type"], case["status"], case["began"], case["jp"],
            d.minimum, d.standing.value, d.reason.value, d.shortfall)  # fmt: skip


# Per trained ASN-year: the JP credited and the case the rules judge (who they are and where
# they count as `_people` reads it). A table of the rebuild's own schema, dropped in the
# transaction that made it: the service role may not create temporary tables (db.provision).
_TRAINED_YEARS = f"""
    CREATE UNLOGGED TABLE trained_years AS
    WITH crediting AS (
        {from_json_rows("cancelled boolean, withdrawn boolean, completed text")}
    ), credited AS (
        SELECT e.nip, extract(year FROM c.end_date)::int AS year,
               coalesce(sum(c.total_jp) FILTER (WHERE x.completed IS NOT NULL), 0) AS jp
        FROM enrolments e JOIN cohorts c USING (cohort_code)
        LEFT JOIN completions k USING (cohort_code, nip)
        LEFT JOIN crediting x ON x.cancelled = (c.status = 'cancelled')
            AND x.withdrawn = e.withdrawn
            AND x.completed = coalesce(k.completed::text, 'undecided')
        GROUP BY 1, 2
    )
    SELECT t.year, t.nip, coalesce(r.name, a.name) AS name,
           coalesce(r.region, a.region) AS region,
           -- Both hold area_province(region): the roster's as recorded, an enrolment's
           -- region[:2] (an enrolment's region is never `nasional`).
           coalesce(r.region_province, a.region_province) AS region_province,
           coalesce(r.agency, a.agency) AS agency, r.unit, t.jp,
           r.nip IS NOT NULL AS in_roster, coalesce(r.asn_type, a.asn_type) AS asn_type,
           coalesce(r.status, '') AS status,
           coalesce(r.status_since <= make_date(t.year, 12, 31), false) AS began
    FROM credited t LEFT JOIN roster r USING (nip) LEFT JOIN asn a USING (nip)
    WHERE r.nip IS NOT NULL OR a.nip IS NOT NULL"""

# In the primary key's order (year, NIP), the only index kept during the load
# (`determine_everyone`): a million rows took 4.4 s in that order against 7.0 s in the scratch
# table's, and 2.9 s with the other indexes built after (0.7 s) (bench/notes.md, session 17).
_INSERT_TRAINED = f"""
    INSERT INTO asn_years (year, nip, name, region, region_province, agency, unit, jp, minimum,
        standing, reason, shortfall)
    SELECT t.year, t.nip, t.name, t.region, t.region_province, t.agency, t.unit, t.jp,
           j.minimum, j.standing, j.reason, j.shortfall
    FROM trained_years t JOIN ({
    from_json_rows(
        "year int, in_roster boolean, asn_type text, status text, began boolean, jp text,"
        " minimum numeric, standing text, reason text, shortfall numeric"
    )
}) j ON (j.year, j.in_roster, j.asn_type, j.status, j.began, j.jp)
        = (t.year, t.in_roster, t.asn_type, t.status, t.began, t.jp::text)
    ORDER BY t.year, t.nip"""

_COUNT_EVERYONE = """
    INSERT INTO compliance_counts (year, region, agency, region_province, met, below, zero,
        exempt, not_in_roster)
    SELECT year, region, agency, region_province,
        count(*) FILTER (WHERE standing = 'MET'), count(*) FILTER (WHERE standing = 'BELOW'),
        count(*) FILTER (WHERE standing = 'ZERO'), count(*) FILTER (WHERE standing = 'EXEMPT'),
        count(*) FILTER (WHERE standing = 'NOT_IN_ROSTER')
    FROM asn_years GROUP BY year, region, agency, region_province"""

# The assessed standings (compliance.Contribution.assessed).
_HISTOGRAM_OF_EVERYONE = """
    INSERT INTO compliance_jp (year, region, agency, jp, region_province, n)
    SELECT year, region, agency, jp, region_province, count(*)
    FROM asn_years WHERE standing IN ('MET', 'BELOW', 'ZERO')
    GROUP BY year, region, agency, jp, region_province"""
