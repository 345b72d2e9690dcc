"""Issue 17, item 7: every view × every README filter × every kind of credential.

Each filter a view takes narrows it, each it does not take is refused with a bilingual 422
(never silently ignored), and a publisher credential sees only its own cohorts and its own
region's ASN (403 when it asks for another's). The expected answer of every cell is computed
from the hand-made scenario (tests/consolidation/scenario.py) by the small model below, not
read back from the service."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from shared.regions import PROVINCES
from tests.consolidation import scenario
from tests.consolidation.helpers import JAMBI, NASIONAL, NATIONAL, TUBAN, scenario_running

pytestmark = pytest.mark.integration

FILTERS = {
    "year": "2024",
    "publisher": "15",
    "province": "15",
    "region": "35.23",
    "category": "bimtek",
}
HOME = {person: p[3] for person, p in scenario.PEOPLE.items()}
PERSON = {nip: person for person, nip in scenario.NIP.items()}
WITHDRAWN = {(scenario.J1, "D")}
COURSE = {f"Diklat {c[1]}": code for code, c in scenario.COHORTS.items() if code != scenario.T2}


@dataclass(frozen=True)
class Token:
    name: str
    headers: dict[str, str]
    own: str | None  # publisher credential: its publisher id

    @property
    def area(self) -> str | None:
        """The ASN home regions it covers (None: all)."""
        return None if self.own in (None, "nasional") else self.own


TOKENS = [
    Token("national", NATIONAL, None),
    Token("province publisher 15", JAMBI, "15"),
    Token("kabupaten publisher 35.23", TUBAN, "35.23"),
    Token("nasional publisher", NASIONAL, "nasional"),
]


class Forbidden(Exception):
    pass


class Refused(Exception):
    pass


def _covers(area: str | None, region: str) -> bool:
    if area is None:
        return True
    return region[:2] == area if len(area) == 2 else region == area


def _organiser(publisher: str) -> str:
    return "nasional" if publisher == "nasional" else publisher[:2]


def _cohort(code: str) -> dict[str, Any]:
    publisher, category, year, _, end, jp = scenario.COHORTS[code]
    return {"publisher": publisher, "category": category, "year": year, "end": end, "jp": jp}


def _check_publisher(t: Token, q: dict[str, str]) -> None:
    if "publisher" in q and t.own is not None and q["publisher"] != t.own:
        raise Forbidden


def _check_region(t: Token, q: dict[str, str]) -> None:
    if "region" in q and not _covers(t.area, q["region"]):
        raise Forbidden


def _cohorts(t: Token, q: dict[str, str], *, province: bool = True) -> list[str]:
    """Cohort views: the credential's own cohorts, by the filters (region: a participant's
    home region)."""
    _check_publisher(t, q)
    if province and "province" in q and t.own is not None and q["province"] != _organiser(t.own):
        raise Forbidden
    _check_region(t, q)
    out = []
    for code in scenario.COHORTS:
        c = _cohort(code)
        if t.own is not None and c["publisher"] != t.own:
            continue
        if "year" in q and str(c["year"]) != q["year"]:
            continue
        if "publisher" in q and c["publisher"] != q["publisher"]:
            continue
        if province and "province" in q and _organiser(c["publisher"]) != q["province"]:
            continue
        if "category" in q and c["category"] != q["category"]:
            continue
        if "region" in q and not any(
            e == code and _covers(q["region"], HOME[p]) for e, p in scenario.ENROLMENTS
        ):
            continue
        out.append(code)
    return out


def _enrolments(codes: list[str], q: dict[str, str]) -> list[tuple[str, str]]:
    return [
        (code, p)
        for code, p in scenario.ENROLMENTS
        if code in codes and ("region" not in q or _covers(q["region"], HOME[p]))
    ]


def _jp(person: str, year: int) -> int:
    return sum(
        _cohort(code)["jp"]
        for (code, p), completed in scenario.COMPLETIONS.items()
        if p == person and completed and (code, p) not in WITHDRAWN
        if int(_cohort(code)["end"][:4]) == year
    )


def _assessed(year: str | None) -> set[tuple[str, int]]:
    """(person, year) pairs the 20 JP determinations assess: every ASN of the roster (all PNS,
    aktif) in every year a cohort ends in or the roster was recorded in (2024, and 2099 of the
    scheduled latsar)."""
    years = {int(c[4][:4]) for c in scenario.COHORTS.values()} | {scenario.NOW.year}
    return {(p, y) for p in scenario.PEOPLE for y in years if year is None or str(y) == year}


# --- the model: what each view must answer ------------------------------------------------


def m_statistics(t: Token, q: dict[str, str]) -> Any:
    codes = _cohorts(t, q)
    return (len(codes), len(_enrolments(codes, q)))


def m_cohorts(t: Token, q: dict[str, str]) -> Any:
    return set(_cohorts(t, q))


def m_publishers(t: Token, q: dict[str, str]) -> Any:
    codes = _cohorts(t, q)
    return {
        p: sum(_cohort(c)["publisher"] == p for c in codes)
        for p in {_cohort(c)["publisher"] for c in codes}
    }


def m_provinces(t: Token, q: dict[str, str]) -> Any:
    rows = ["nasional", *PROVINCES]
    if t.area is not None:
        rows = [t.area[:2]]
    if "province" in q:
        if q["province"] not in rows:
            raise Forbidden
        rows = [q["province"]]
    codes = _cohorts(t, q, province=False)
    known = {
        (p, y)
        for p, y in _assessed(q.get("year"))
        if _covers(t.area, HOME[p]) and ("region" not in q or _covers(q["region"], HOME[p]))
    }
    out = {}
    for row in rows:
        mine = [c for c in codes if _organiser(_cohort(c)["publisher"]) == row]
        active = [e for e in _enrolments(mine, q) if e not in WITHDRAWN]
        out[row] = (len(mine), len(active), sum(HOME[p][:2] == row for p, _ in known))
    return out


def m_participants(t: Token, q: dict[str, str]) -> Any:
    if q:
        raise Refused
    if t.own not in (None, "15"):
        raise Forbidden
    return {p for code, p in scenario.ENROLMENTS if code == scenario.J1}


def m_asn(t: Token, q: dict[str, str]) -> Any:
    if set(q) - {"year"}:
        raise Refused
    if not _covers(t.area, HOME["B"]):
        raise Forbidden
    return {
        code
        for code, p in scenario.ENROLMENTS
        if p == "B" and ("year" not in q or _cohort(code)["end"][:4] == q["year"])
    }


def m_below_minimum(t: Token, q: dict[str, str]) -> Any:
    if set(q) - {"year", "province", "region"}:
        raise Refused
    if "province" in q and not _covers(t.area, q["province"]):
        raise Forbidden
    _check_region(t, q)
    year = int(q["year"])
    return {
        p
        for p, y in _assessed(q["year"])
        if _jp(p, year) < 20
        and _covers(t.area, HOME[p])
        and ("province" not in q or HOME[p][:2] == q["province"])
        and ("region" not in q or _covers(q["region"], HOME[p]))
    }


def m_certificates(t: Token, q: dict[str, str]) -> Any:
    _check_publisher(t, q)
    _check_region(t, q)
    out = set()
    for code, p in scenario.CERTIFICATES:
        c = _cohort(code)
        if t.own is not None and c["publisher"] != t.own and not _covers(t.area, HOME[p]):
            continue
        if "year" in q and str(c["year"]) != q["year"]:
            continue
        if "publisher" in q and c["publisher"] != q["publisher"]:
            continue
        if "province" in q and _organiser(c["publisher"]) != q["province"]:
            continue
        if "category" in q and c["category"] != q["category"]:
            continue
        if "region" in q and not _covers(q["region"], HOME[p]):
            continue
        out.add((code, p))
    return out


def m_data_quality(t: Token, q: dict[str, str]) -> Any:
    if set(q) - {"publisher"}:
        raise Refused
    _check_publisher(t, q)
    told = {"15"}  # the scenario's feedback is publisher 15's
    return {p for p in told if t.own in (None, p) and q.get("publisher") in (None, p)}


def m_siasn(t: Token, q: dict[str, str]) -> Any:
    if set(q) - {"year", "region"}:
        raise Refused
    _check_region(t, q)
    return {
        (p, code)
        for (code, p), completed in scenario.COMPLETIONS.items()
        if completed
        and (code, p) not in WITHDRAWN
        and _covers(q["region"], HOME[p])
        and ("year" not in q or _cohort(code)["end"][:4] == q["year"])
    }


# --- what each view answered ---------------------------------------------------------------


def a_statistics(body: Any) -> Any:
    cohorts = sum(body[k] for k in ("scheduled", "running", "closed", "cancelled"))
    return (cohorts, body["enrolled"])


def a_provinces(body: Any) -> Any:
    return {r["code"]: (r["cohorts"], r["participants"], r["asn_years"]) for r in body}


def a_siasn(text: str) -> Any:
    return {(PERSON[r["nip"]], COURSE[r["namaKursus"]]) for r in csv.DictReader(io.StringIO(text))}


@dataclass(frozen=True)
class View:
    path: str
    model: Callable[[Token, dict[str, str]], Any]
    answer: Callable[[Any], Any]
    base: Callable[[Token], dict[str, str]] = lambda _: {}
    json: bool = True


def _siasn_base(t: Token) -> dict[str, str]:
    return {"region": t.area or "35.23"}


VIEWS = [
    View("/api/v1/statistics", m_statistics, a_statistics),
    View("/api/v1/provinces", m_provinces, a_provinces),
    View(
        "/api/v1/publishers",
        m_publishers,
        lambda body: {r["publisher"]: r["cohorts"] for r in body},
    ),
    View(
        "/api/v1/cohorts?limit=1000",
        m_cohorts,
        lambda body: {c["cohort_code"] for c in body["items"]},
    ),
    View(
        f"/api/v1/cohorts/{scenario.J1}/participants",
        m_participants,
        lambda body: {PERSON[p["nip"]] for p in body["items"]},
    ),
    View(
        f"/api/v1/asn/{scenario.NIP['B']}",
        m_asn,
        lambda body: {t["cohort_code"] for t in body["trainings"]},
    ),
    View(
        "/api/v1/asn/below-minimum",
        m_below_minimum,
        lambda body: {PERSON[r["nip"]] for r in body["items"]},
        base=lambda _: {"year": "2024"},
    ),
    View(
        "/api/v1/certificates",
        m_certificates,
        lambda body: {(c["cohort_code"], PERSON[c["nip"]]) for c in body["items"]},
    ),
    View(
        "/api/v1/data-quality",
        m_data_quality,
        lambda body: {r["publisher"] for r in body},
    ),
    View("/api/v1/exports/siasn", m_siasn, a_siasn, base=_siasn_base, json=False),
]


def _expected(view: View, token: Token, query: dict[str, str]) -> tuple[int, Any]:
    try:
        return 200, view.model(token, query)
    except Refused:
        return 422, None
    except Forbidden:
        return 403, None


async def _answered(
    http: httpx.AsyncClient, view: View, token: Token, query: dict[str, str]
) -> tuple[int, Any]:
    response = await http.get(view.path, params=query, headers=token.headers)
    if response.status_code != 200:
        detail = response.json()["detail"]
        # People read these: Indonesian, then English.
        assert isinstance(detail, str) and " / " in detail, detail
        return response.status_code, None
    return 200, view.answer(response.json() if view.json else response.text)


async def test_every_view_takes_or_refuses_every_filter_within_the_credentials_scope(infra):
    cells = 0
    wrong = []
    async with scenario_running(infra) as (_, http):
        for view in VIEWS:
            for token in TOKENS:
                for name in (None, *FILTERS):
                    query = dict(view.base(token))
                    if name is not None:
                        query[name] = FILTERS[name]
                    expected = _expected(view, token, query)
                    answered = await _answered(http, view, token, query)
                    cells += 1
                    if answered != expected:
                        wrong.append((view.path, token.name, name, expected, answered))
    assert cells == len(VIEWS) * len(TOKENS) * (1 + len(FILTERS))
    assert not wrong, "\n".join(map(repr, wrong))


async def test_filters_that_used_to_be_ignored_now_narrow_or_are_refused(infra):
    """The two reproduced in the issue, and values that are not codes."""
    async with scenario_running(infra) as (_, http):
        provinces = (await http.get("/api/v1/provinces", headers=JAMBI)).json()
        assert [p["code"] for p in provinces] == ["15"]  # not every province's compliance
        below = await http.get(
            "/api/v1/asn/below-minimum", params={"year": 2024, "province": "15"}, headers=NATIONAL
        )
        assert [r["nip"] for r in below.json()["items"]] == [scenario.NIP["D"]]
        for path, params in [
            ("/api/v1/cohorts", {"year": "dua ribu"}),
            ("/api/v1/cohorts", {"province": "99"}),
            ("/api/v1/cohorts", {"region": "35.999"}),
            ("/api/v1/cohorts", {"category": "pesta"}),
            ("/api/v1/cohorts", {"publisher": "jambi"}),
            ("/api/v1/asn/below-minimum", {}),
            ("/api/v1/asn/below-minimum", {"year": 2024, "province": "nasional"}),
            ("/api/v1/exports/siasn", {}),
        ]:
            response = await http.get(path, params=params, headers=NATIONAL)
            assert response.status_code == 422, (path, params, response.text)
            assert " / " in response.json()["detail"], response.text
        budi = await http.get(
            f"/api/v1/asn/{scenario.NIP['B']}", params={"year": 2025}, headers=TUBAN
        )
        assert (budi.json()["trainings"], budi.json()["jp_per_year"]) == ([], [])
