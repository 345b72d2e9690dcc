"""The `national` scenario (issue 19): a roster of N ASN over every region and M enrolments
with their decisions in one year, loaded through consolidation's own write path (the rebuild),
then the 20 JP compliance views asked over HTTP of the running service, 20 requests each."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from bench import workload as wl
from bench.figures import machine, percentiles
from bench.first_paint import first_paints
from bench.infra import RssSampler, Stack, connect, service_processes, until
from bench.national_roster import YEAR, Region, layout
from bench.national_workload import history
from bench.rebuild import rebuild_in_child
from bench.scenario import Scale, fresh
from diklat.stack.processes import free_port
from services.consolidation.entrypoints.dashboard import links
from shared.regions import NASIONAL
from shared.settings import InfraSettings

TOKEN = "bench-national-token"
REQUESTS = 20
PAGE = 50
AT_RISK_PAGE_50 = 49 * PAGE  # offset of the 50th page


async def national_figures(stack: Stack, scale: Scale) -> dict[str, Any]:
    """Load, then measure: the figures of `results.json`'s `national`, with their own sizes,
    start time and machine (the scenario is run on its own, see harness.py)."""
    infra = await fresh(stack)
    started = time.strftime("%FT%T%z")
    produced = time.perf_counter()
    run = uuid.uuid4().hex[:6]
    await wl.produce(infra, history(run, scale.national_asn, scale.national_enrolments))
    produce_s = time.perf_counter() - produced
    load = await _load(stack, infra)
    load_rss = load.pop("rss_mb")
    loaded = await _loaded(infra)
    spot = Spot.of(layout(scale.national_asn))
    nip = await _one_trained(infra, spot.region)
    measured, paints, serving_rss = await _serve_and_ask(
        stack, infra, views(spot, nip), dashboard_pages(spot, nip)
    )
    return {
        "started": started,
        "scale": {"asn": scale.national_asn, "enrolments": scale.national_enrolments},
        **loaded,
        "produce_s": round(produce_s, 1),
        "load": load,
        "views": measured,
        "first_paint": paints,
        "rss_mb": {"load": load_rss, "requests": serving_rss},
        "db_size_mb": await _sizes(infra),
        "machine": machine(),
    }


async def _serve_and_ask(
    stack: Stack, infra: InfraSettings, targets: dict[str, str], pages: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any], float]:
    """The service on the loaded schema, each API path asked `REQUESTS` times, each dashboard
    page loaded in the browser; its peak RSS."""
    port = free_port()
    # Its consumers start at the end of the topics: the rebuild has read them all already.
    serving = service_processes(
        "consolidation",
        infra,
        stack.workdir,
        "national",
        http_port=str(port),
        api_tokens=f"{TOKEN}=national",
        auto_offset_reset="latest",
    )
    with serving as pids, RssSampler(pids) as sampler:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=60,
        ) as http:
            await until(lambda: _ready(http), 120, "consolidation ready")
            measured = {name: await _timed(http, path) for name, path in targets.items()}
        paints = await first_paints(f"http://127.0.0.1:{port}", TOKEN, pages)
    return measured, paints, sampler.peak_mb(pids[0])


@dataclass(frozen=True)
class Spot:
    """Where the views are asked: the largest province, its largest kabupaten/kota and that
    one's largest agency."""

    province: str
    region: str
    agency: str

    @classmethod
    def of(cls, regions: list[Region]) -> Spot:
        province = _largest_province(regions)
        region = max(
            (r for r in regions if r.code.startswith(f"{province}.")), key=lambda r: r.size
        )
        agency = Counter(region.agency(i) for i in region.indexes).most_common(1)[0][0]
        return cls(province, region.code, agency)


def views(spot: Spot, nip: str) -> dict[str, str]:
    """The API paths asked: the national summary, the spot's province, kabupaten/kota and
    agency, one of its ASN who trained, the first and 50th page of the at-risk list; the
    national list sorted by name, and the older views that read the same determinations (the
    provinces' compliance, the below-minimum list)."""
    base = f"/api/v1/compliance?year={YEAR}"
    risk = f"/api/v1/compliance/at-risk?year={YEAR}&limit={PAGE}"
    return {
        "national": base,
        "province": f"{base}&province={spot.province}",
        "kabupaten_kota": f"{base}&region={spot.region}",
        "agency": f"{base}&{urlencode({'region': spot.region, 'agency': spot.agency})}",
        "asn": f"/api/v1/compliance/asn/{nip}?year={YEAR}",
        "at_risk_first_page": f"{risk}&offset=0",
        "at_risk_page_50": f"{risk}&offset={AT_RISK_PAGE_50}",
        "at_risk_by_name": f"{risk}&offset=0&sort=name",
        "provinces": f"/api/v1/provinces?year={YEAR}",
        "below_minimum": f"/api/v1/asn/below-minimum?year={YEAR}&limit={PAGE}",
    }


def dashboard_pages(spot: Spot, nip: str) -> dict[str, str]:
    """The dashboard's pages at the same spot, as a national analyst drills down."""
    return {
        "overview": f"{links.HOME}?year={YEAR}",
        "province": links.province(spot.province, YEAR),
        "kabupaten_kota": links.region(spot.region, YEAR),
        "agency": links.agency(spot.region, spot.agency, YEAR),
        "at_risk": links.at_risk(YEAR, region=spot.region),
        "asn": links.asn(nip),
        "cohorts": links.cohorts(YEAR),
        "certificates": links.certificates(YEAR),
        "data_quality": links.data_quality(),
    }


def _largest_province(regions: list[Region]) -> str:
    """The province whose home regions (itself and its kabupaten/kota) hold the most ASN."""
    sizes: Counter[str] = Counter()
    for r in regions:
        if r.code != NASIONAL:
            sizes[r.code[:2]] += r.size
    return sizes.most_common(1)[0][0]


async def _load(stack: Stack, infra: InfraSettings) -> dict[str, Any]:
    """The rebuild in a child process: events/s of the whole load and each phase's seconds."""
    timing, rss_mb = await rebuild_in_child(stack, infra, "national-rebuild")
    return {
        "events": timing["records"],
        "seconds": round(timing["seconds"], 1),
        "eps": round(timing["records"] / timing["seconds"]),
        "first_pass_s": round(timing["first_pass_s"], 1),
        "determine_everyone_s": round(timing["determine_everyone_s"], 1),
        "catch_up_and_swap_s": round(timing["catch_up_and_swap_s"], 1),
        "rss_mb": rss_mb,
    }


async def _loaded(infra: InfraSettings) -> dict[str, int]:
    """What the read model holds after the load (not what was sent)."""
    async with connect(infra) as conn:
        row = await conn.fetchrow(
            """SELECT (SELECT count(*) FROM consolidation.roster) AS asn,
                      (SELECT count(*) FROM consolidation.enrolments) AS enrolments,
                      (SELECT count(*) FROM consolidation.asn_years WHERE year = $1) AS asn_years,
                      (SELECT count(*) FROM consolidation.asn_years WHERE year = $1
                          AND standing IN ('BELOW', 'ZERO')) AS at_risk""",
            YEAR,
        )
    assert row is not None
    return dict(row)


async def _one_trained(infra: InfraSettings, region: str) -> str:
    """The first ASN of `region` (by NIP) with an enrolment."""
    async with connect(infra) as conn:
        nip = await conn.fetchval(
            "SELECT min(nip) FROM consolidation.enrolments WHERE region = $1", region
        )
    return str(nip)


async def _sizes(infra: InfraSettings) -> dict[str, float]:
    async with connect(infra) as conn:
        row = await conn.fetchrow(
            """SELECT pg_database_size(current_database()) AS database,
                      (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
                       JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = 'consolidation' AND c.relkind = 'r') AS consolidation"""
        )
    assert row is not None
    return {k: round(int(v or 0) / 2**20, 1) for k, v in dict(row).items()}


async def _ready(http: httpx.AsyncClient) -> bool:
    try:
        return (await http.get("/ready")).status_code == 200
    except httpx.TransportError:
        return False


async def _timed(http: httpx.AsyncClient, path: str) -> dict[str, Any]:
    """`REQUESTS` requests one after another: p50 and p95 (statistics.quantiles) in ms."""
    took: list[float] = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = await http.get(path)
        took.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    cuts = percentiles(took)
    return {"path": path, "p50_ms": round(cuts["p50"], 1), "p95_ms": round(cuts["p95"], 1),
            "max_ms": round(cuts["max"], 1)}  # fmt: skip
