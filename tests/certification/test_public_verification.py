"""Public verification cannot be walked (issue 17, item 15): a look-up by number also needs the
holder's name, a wrong name looks exactly like a wrong number, and failed look-ups are limited
per client address (429 with Retry-After)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from services.certification.entrypoints.app import DEFINITION
from services.certification.entrypoints.throttle import FailureLimiter
from services.certification.entrypoints.verification import same_name
from shared.runtime import ServiceRuntime
from tests.certification import builders as b
from tests.support import Publisher, eventually, prepare_topics, running

CODE = "15/LATSAR/2022/IV"
JSON = {"Accept": "application/json"}  # /verify/{code} answers a page otherwise
NIPS = ["198609262015051001", "198701012010011002"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- the limiter on its own ------------------------------------------------------------------


def test_the_limit_is_reached_after_so_many_failures_and_lifts_when_the_oldest_ages_out():
    clock = Clock()
    limiter = FailureLimiter(limit=3, window_s=60, clock=clock)
    for _ in range(2):
        limiter.failed("a")
        clock.now += 10
    assert limiter.retry_after("a") is None  # two failures: still allowed
    limiter.failed("a")  # the third, at 1020; the first was at 1000
    assert limiter.retry_after("a") == 40
    assert limiter.retry_after("b") is None  # per client
    clock.now = 1059.5
    assert limiter.retry_after("a") == 1  # never 0: a client told 0 would retry at once
    clock.now = 1060
    assert limiter.retry_after("a") is None  # the first failure left the window
    limiter.failed("a")
    assert limiter.retry_after("a") == 10  # now the one of 1010 is the oldest of three


def test_successes_do_not_reset_and_memory_is_bounded():
    clock = Clock()
    limiter = FailureLimiter(limit=2, window_s=60, clock=clock, max_clients=3)
    for client in ("a", "b", "c", "d"):
        limiter.failed(client)
        clock.now += 1
    assert limiter.clients() == 3  # "a", whose last failure is the oldest, is forgotten
    limiter.failed("b")
    assert limiter.retry_after("b") is not None
    clock.now += 120
    assert limiter.retry_after("b") is None
    assert limiter.clients() == 2  # b's record expired and is gone


def test_limiter_arguments_are_checked():
    with pytest.raises(ValueError):
        FailureLimiter(limit=0)


def test_names_compare_without_case_spacing_or_unicode_form():
    assert same_name("  budi   SANTOSO ", "Budi Santoso")
    assert same_name("BudiSantoso", "Budi Santoso")
    assert same_name("ＢＵＤＩ Santoso", "Budi Santoso")  # full-width letters
    assert not same_name("Budi Santosa", "Budi Santoso")
    assert not same_name("", "Budi Santoso")


# -- over HTTP against the real service --------------------------------------------------------


async def _certificates(svc: ServiceRuntime) -> list[dict[str, str]]:
    async with svc.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT number, verification_code, content->>'name' AS name FROM certificates "
            "ORDER BY number"
        )
    return [dict(r) for r in rows]


@pytest.mark.integration
async def test_a_number_needs_the_name_misses_look_alike_and_failures_are_limited(infra):
    await prepare_topics(infra, ["15"])
    clock = Clock()
    async with running(DEFINITION, infra) as svc, Publisher(infra) as pub:
        await b.complete_cohort(pub, CODE, NIPS)

        async def issued() -> list[dict[str, str]]:
            found = await _certificates(svc)
            return found if len(found) == 2 else []

        first, second = await eventually(issued, what="two certificates")
        app = svc.http_app()
        app.state.verify_failures = FailureLimiter(limit=10, window_s=600, clock=clock)
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as one,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, client=("127.0.0.2", 40000)),
                base_url="http://t",
            ) as other,
        ):

            async def by_number(
                client: httpx.AsyncClient, number: str, name: str | None
            ) -> httpx.Response:
                params = {"number": number} | ({"name": name} if name is not None else {})
                return await client.get("/api/v1/verify", params=params)

            # A sequential number alone is not enough; the refusal names the missing field.
            alone = await by_number(one, first["number"], None)
            assert alone.status_code == 422
            assert "name" in alone.json()["detail"] and "nama" in alone.json()["detail"]
            assert "Budi" not in alone.text

            # With the holder's name, typed any which way, it is found.
            found = await by_number(one, first["number"], "  budi  santoso 0 ")
            assert found.status_code == 200, found.text
            assert found.json()["certificate"]["name"] == first["name"]
            assert NIPS[0] not in found.text
            # The verification code alone still works (the QR on the paper).
            by_code = await one.get("/api/v1/verify", params={"code": first["verification_code"]})
            assert by_code.status_code == 200
            assert by_code.json()["certificate"]["number"] == first["number"]

            # A wrong name answers exactly as a wrong number does: no oracle.
            wrong_name = await by_number(one, second["number"], "Budi Santoso 0")
            wrong_number = await by_number(one, "800/9999/BPSDM-15/2022", "Budi Santoso 1")
            wrong_code = await one.get("/verify/ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", headers=JSON)
            assert wrong_name.status_code == wrong_number.status_code == 404
            assert wrong_name.content == wrong_number.content == wrong_code.content
            assert wrong_name.headers == wrong_number.headers
            assert "Budi" not in wrong_name.text

            # Ten failures in ten minutes (three so far): the address is told to wait.
            for index in range(7):
                miss = await by_number(one, f"800/{index:04d}/BPSDM-15/2022", "Siapa Saja")
                assert miss.status_code == 404
            clock.now += 30
            limited = await by_number(one, second["number"], "Budi Santoso 1")  # even a right one
            assert limited.status_code == 429
            assert limited.headers["Retry-After"] == "570"
            detail = limited.json()["detail"]
            assert "coba lagi dalam 570 detik" in detail and "try again in 570 seconds" in detail
            assert (await one.get(f"/verify/{second['verification_code']}")).status_code == 429

            # Another address is not affected.
            assert (await by_number(other, second["number"], "budi santoso 1")).status_code == 200

            # Once the first failures leave the window the address may look up again.
            clock.now += 570
            again = await by_number(one, second["number"], "Budi Santoso 1")
            assert again.status_code == 200, again.text

            # A walk sent all at once is bounded too: every look-up counts from its start.
            clock.now += 600
            walk = await asyncio.gather(
                *(by_number(other, f"800/{i:04d}/BPSDM-15/2022", "Siapa") for i in range(30))
            )
            codes = sorted(r.status_code for r in walk)
            assert codes == [404] * 10 + [429] * 20


def test_a_failure_taken_back_leaves_the_earlier_ones():
    clock = Clock()
    limiter = FailureLimiter(limit=2, window_s=60, clock=clock)
    limiter.failed("a")
    limiter.failed("a")  # a look-up in flight counts
    assert limiter.retry_after("a") is not None
    limiter.forgive("a")  # ... until it is found
    assert limiter.retry_after("a") is None
    limiter.forgive("a")
    limiter.forgive("a")  # nothing left to take back: no error, nothing remembered
    assert limiter.clients() == 0
