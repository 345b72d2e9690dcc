"""Sign-in on a service's app, without a database: the form, the cookie's attributes, the
cookie standing in for the bearer, cross-site posts refused, sign-out (issue 21)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request

from shared.auth import CurrentPrincipal, parse_tokens
from shared.web.session import COOKIE, Sessions
from shared.web.signin import install_pages, page_principal

KEY = "s" * 40


def app() -> FastAPI:
    made = FastAPI()
    made.state.principals = parse_tokens("nat=national,jambi=publisher:15")
    install_pages(made, Sessions(KEY))

    @made.get("/api/who")
    async def who(principal: CurrentPrincipal) -> dict[str, str | None]:
        return {"scope": principal.scope, "publisher": principal.publisher}

    @made.post("/api/change")
    async def change(principal: CurrentPrincipal) -> dict[str, str]:
        return {"done": principal.scope}

    @made.get("/halaman")
    async def page(request: Request) -> dict[str, str]:
        return {"scope": page_principal(request).scope}

    return made


def browser(base_url: str = "http://testserver", **cookies: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app())
    return httpx.AsyncClient(transport=transport, base_url=base_url, cookies=cookies)


async def signed_in(token: str) -> httpx.AsyncClient:
    client = browser()
    response = await client.post("/masuk", data={"kredensial": token, "kembali": "/halaman"})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/halaman"
    return client


async def test_the_sign_in_page_asks_for_the_credential_in_indonesian_first():
    page = await browser().get("/masuk")
    assert page.status_code == 200
    assert '<html lang="id">' in page.text and "Kredensial akses" in page.text
    assert 'type="password"' in page.text and "localStorage" not in page.text
    english = await browser(diklat_bahasa="en").get("/masuk")
    assert "Access credential" in english.text and '<html lang="en">' in english.text


async def test_an_unknown_credential_is_told_and_signs_in_nobody():
    client = browser()
    response = await client.post("/masuk", data={"kredensial": "guess"})
    assert response.status_code == 401
    assert "Kredensial tidak dikenal" in response.text
    assert COOKIE not in response.cookies


async def test_the_cookie_is_http_only_strict_and_lasts_eight_hours():
    client = browser()
    response = await client.post("/masuk", data={"kredensial": "nat"})
    attributes = response.headers["set-cookie"].lower()
    assert "httponly" in attributes and "samesite=strict" in attributes
    assert "max-age=28800" in attributes and "secure" not in attributes
    assert "nat" not in response.cookies[COOKIE].split(".")[0]
    over_tls = browser("https://testserver")
    secure = await over_tls.post("/masuk", data={"kredensial": "nat"})
    assert "secure" in secure.headers["set-cookie"].lower()


async def test_the_cookie_speaks_for_its_credential_as_a_bearer_would():
    client = await signed_in("jambi")
    assert (await client.get("/api/who")).json() == {"scope": "publisher", "publisher": "15"}
    assert (await client.get("/halaman")).json() == {"scope": "publisher"}
    bearer = await browser().get("/api/who", headers={"Authorization": "Bearer jambi"})
    assert bearer.json() == (await client.get("/api/who")).json()


async def test_a_bearer_given_beside_a_cookie_is_what_counts():
    client = await signed_in("jambi")
    wrong = await client.get("/api/who", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401


async def test_a_page_without_a_session_sends_to_sign_in_and_back():
    response = await browser().get("/halaman?year=2024")
    assert response.status_code == 303
    assert response.headers["location"] == "/masuk?kembali=%2Fhalaman%3Fyear%3D2024"


async def test_a_cross_site_post_with_the_cookie_is_refused():
    client = await signed_in("nat")
    other = await client.post("/api/change", headers={"Origin": "https://evil.example"})
    assert other.status_code == 403
    fetched = await client.post("/api/change", headers={"Sec-Fetch-Site": "cross-site"})
    assert fetched.status_code == 403
    own = await client.post("/api/change", headers={"Origin": "http://testserver"})
    assert own.json() == {"done": "national"}


async def test_sign_out_needs_the_pages_form_token():
    client = await signed_in("nat")
    cookie = client.cookies[COOKIE]
    refused = await client.post("/keluar", data={"token": "forged"})
    assert refused.status_code == 403 and "Akses ditolak" in refused.text
    assert (await client.get("/api/who")).status_code == 200
    token = Sessions(KEY).form_token(cookie)
    response = await client.post("/keluar", data={"token": token})
    assert response.status_code == 303 and response.headers["location"] == "/masuk"
    assert (await client.get("/api/who")).status_code == 401


async def test_sign_in_from_another_site_is_refused():
    client = browser()
    response = await client.post(
        "/masuk",
        data={"kredensial": "nat"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 401 and COOKIE not in response.cookies
