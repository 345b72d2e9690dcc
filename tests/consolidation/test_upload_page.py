"""The organisers' upload page on the running services (real broker and Postgres): the same
precheck as `diklat publish` row by row with nothing sent while there are problems; a good
upload published as the signed-in publisher (a publisher field in the form is ignored) with its
outcomes and the closed cohort's results shown; the same files again answered duplicate; a
mark for a cohort never scheduled shown parked, then rejected with its reason; another
publisher cannot see or publish it;
national gets an explanation; posts need the page's form token; a body over 5 MB is refused."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest

from tests.consolidation.upload_support import (
    CODE,
    SHORT_NIP_MESSAGE,
    all_services,
    signed_in,
    template_files,
    with_short_nip,
)
from tests.support import eventually

pytestmark = pytest.mark.e2e


async def form_token(http: httpx.AsyncClient) -> str:
    page = (await http.get("/dasbor/unggah")).text
    found = re.search(r'name="token" value="([0-9a-f]+)"', page)
    assert found is not None, page
    return found.group(1)


async def upload(
    http: httpx.AsyncClient, files: list[tuple[str, bytes]], **fields: str
) -> httpx.Response:
    given = [("berkas", (name, data, "text/csv")) for name, data in files]
    data = {"token": await form_token(http), **fields}
    return await http.post("/dasbor/unggah", data=data, files=given)


def cells(page: str, table: str) -> list[list[str]]:
    """The text of each body row's cells in the table of class `table`."""
    body = re.split(rf'<table class="{table}[ "]', page, maxsplit=1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    return [
        [
            html.unescape(re.sub(r"<[^>]+>|\s+", " ", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


async def status(http: httpx.AsyncClient, where: str) -> dict[str, Any]:
    response = await http.get(f"{where}/status")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_an_upload_is_checked_then_published_as_the_signed_in_publisher(infra):
    async with all_services(infra) as runtime:
        tuban = await signed_in(runtime, "tuban")
        jambi = await signed_in(runtime, "jambi")
        national = await signed_in(runtime, "nat")
        try:
            home = (await tuban.get("/dasbor")).text
            assert 'href="/dasbor/unggah"' in home and "Unggah data" in home

            bad = await upload(tuban, with_short_nip(template_files()))
            assert bad.status_code == 303
            where = bad.headers["location"]
            page = (await tuban.get(where)).text
            assert "1 masalah; tidak ada yang dikirim (1 problem; nothing sent)" in page
            assert cells(page, "up-problems") == [
                ["peserta.csv", "—", "3", "B (NIP)", SHORT_NIP_MESSAGE]
            ]
            assert "Kirim / Publish" not in page
            refused = await tuban.post(f"{where}/kirim", data={"token": await form_token(tuban)})
            assert refused.status_code == 303
            assert (await status(tuban, where))["stage"] == "checked"

            good = await upload(tuban, template_files(), publisher="15", penerbit="15")
            where = good.headers["location"]
            page = (await tuban.get(where)).text
            assert "Pemeriksaan lolos" in page and "Kirim / Publish" in page
            for other in (jambi, national):
                assert (await other.get(where)).status_code == 404
                sent = await other.post(f"{where}/kirim", data={"token": await form_token(other)})
                assert sent.status_code == 404
            no_token = await tuban.post(f"{where}/kirim", data={"publisher": "15"})
            assert no_token.status_code == 403
            assert (await status(tuban, where))["stage"] == "checked"

            token = await form_token(tuban)
            sent = await tuban.post(f"{where}/kirim", data={"token": token, "publisher": "15"})
            assert sent.status_code == 303

            async def finished() -> dict[str, Any] | None:
                now = await status(tuban, where)
                return now if now["stage"] not in ("sending", "following") else None

            final = await eventually(finished, 120, "the upload's outcomes and results")
            # Every row applied: as 15 the schedule's code (35.23/...) would be refused.
            assert (final["stage"], final["timed_out"], set(final["counts"])) == (
                "done",
                False,
                {"applied"},
            )
            page = (await tuban.get(where)).text
            rows = cells(page, "up-outcomes")
            assert rows and all(row[3].startswith("diterima (applied)") for row in rows)
            assert ["peserta.csv", "—", "3", "diterima (applied)", ""] in rows
            result = page.split(f'data-cohort="{CODE}"', 1)[1].split("</section>", 1)[0]
            assert re.search(r'up-issued">2<.*up-failed">1<', result, re.S), result
            assert 'http-equiv="refresh"' not in page

            async def projected() -> list[tuple[str, str]]:
                listed = (await national.get("/api/v1/cohorts")).json()["items"]
                return [(c["cohort_code"], c["publisher"]) for c in listed]

            assert await eventually(projected, 30, "the cohort projected") == [(CODE, "35.23")]
            assert (await jambi.get("/api/v1/cohorts")).json()["items"] == []
        finally:
            for session in (tuban, jambi, national):
                await session.aclose()


async def test_national_gets_an_explanation_and_posts_need_the_page_and_a_size_limit(infra):
    async with all_services(infra) as runtime:
        national = await signed_in(runtime, "nat")
        tuban = await signed_in(runtime, "tuban")
        try:
            home = (await national.get("/dasbor")).text
            assert 'href="/dasbor/unggah"' not in home
            page = await national.get("/dasbor/unggah")
            assert page.status_code == 200
            assert "Halaman ini untuk penyelenggara" in page.text
            assert 'type="file"' not in page.text
            refused = await upload(national, template_files())
            assert refused.status_code == 403
            assert "Halaman ini untuk penyelenggara" in refused.text

            forged = await tuban.post(
                "/dasbor/unggah",
                data={"token": "0" * 64},
                files=[("berkas", ("kelas.csv", b"x", "text/csv"))],
            )
            assert forged.status_code == 403
            other_site = await tuban.post(
                "/dasbor/unggah",
                data={"token": await form_token(tuban)},
                files=[("berkas", ("kelas.csv", b"x", "text/csv"))],
                headers={"Origin": "http://evil.example"},
            )
            assert other_site.status_code == 403

            big = await upload(tuban, [("peserta.csv", b"a" * (5 * 1024 * 1024 + 1))])
            assert big.status_code == 413
            assert "Berkas terlalu besar: paling banyak 5 MB sekaligus" in big.text

            example = await tuban.get("/dasbor/unggah/contoh/kelas.csv")
            assert example.status_code == 200
            assert example.content == template_files()[0][1]
            assert "attachment" in example.headers["content-disposition"]
            assert (await tuban.get("/dasbor/unggah/contoh/..%2Fsheets.py")).status_code == 404
        finally:
            await national.aclose()
            await tuban.aclose()


async def published(http: httpx.AsyncClient, files: list[tuple[str, bytes]]) -> str:
    """Upload and press "Kirim / Publish"; the upload's address."""
    where = (await upload(http, files)).headers["location"]
    sent = await http.post(f"{where}/kirim", data={"token": await form_token(http)})
    assert sent.status_code == 303
    return str(where)


async def test_outcomes_arrive_duplicate_then_parked_then_rejected_with_the_reason(infra):
    async with all_services(infra, attendance_park_timeout_s=6) as runtime:
        tuban = await signed_in(runtime, "tuban")
        try:

            async def answered(where: str) -> dict[str, Any] | None:
                now = await status(tuban, where)
                return now if now["stage"] == "done" else None

            first = await published(tuban, template_files())
            assert set((await eventually(lambda: answered(first), 120, "first"))["counts"]) == {
                "applied"
            }
            again = await published(tuban, template_files())
            counts = (await eventually(lambda: answered(again), 60, "again"))["counts"]
            assert set(counts) == {"duplicate"}

            elsewhere = [
                (name, data.replace(CODE.encode(), CODE.replace("/I", "/II").encode()))
                for name, data in template_files()
                if name == "presensi.csv"
            ]
            late = await published(tuban, elsewhere)

            async def parked() -> bool:
                return "parked" in (await status(tuban, late))["counts"]

            await eventually(parked, 30, "the marks parked")
            page = (await tuban.get(late)).text
            assert "menunggu data lain (parked)" in page and 'http-equiv="refresh"' in page
            final = await eventually(lambda: answered(late), 60, "the marks rejected")
            assert final["counts"] == {"rejected": 6}  # two marks on each of three rows
            rows = cells((await tuban.get(late)).text, "up-outcomes")
            assert [row[:4] for row in rows] == [
                ["presensi.csv", "—", str(n), "ditolak (rejected) ×2"] for n in (2, 3, 4)
            ]
            assert all(row[4].startswith("UNKNOWN_COHORT ") for row in rows), rows
        finally:
            await tuban.aclose()
