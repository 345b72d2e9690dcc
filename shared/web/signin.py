"""Sign-in for every service's pages: `/masuk` takes one of the service's API credentials and
sets the signed session cookie (HttpOnly, SameSite=Strict, Secure over https, `LIFETIME_S`);
`/keluar` ends it (a post from our own page only); `/bahasa` switches Indonesian/English.
A page asks `page_principal`: not signed in, the person is sent to `/masuk` and back."""

from __future__ import annotations

import functools
import hmac
from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from shared.auth import Principal, same_site, session_principal
from shared.web.session import COOKIE, LIFETIME_S, Sessions
from shared.web.templating import LANGUAGE_COOKIE, Pages, environment

SIGN_IN = "/masuk"
SHARED_ASSETS = "/aset/umum"
MAX_FORM_BYTES = 4096
router = APIRouter(include_in_schema=False)
TITLES = {403: ("Akses ditolak", "Access denied"), 404: ("Tidak ditemukan", "Not found")}


class SignInRequired(Exception):
    """A page was asked for without a session."""


class PageRefused(Exception):
    """A page refused with a readable page: 403 the signed-in credential may not see it
    (another region's, say), 404 it names nothing that exists."""

    def __init__(self, status_code: int, message_id: str, message_en: str) -> None:
        super().__init__(message_en)
        self.status_code = status_code
        self.message_id = message_id
        self.message_en = message_en


@functools.cache
def shared_pages() -> Pages:
    return Pages(environment())


def page_principal(request: Request) -> Principal:
    principal = session_principal(request)
    if principal is None:
        raise SignInRequired
    return principal


def safe_return(target: str | None, default: str = "/") -> str:
    """A path on this site to go back to; anything else (another site, `//host`) is refused."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def _sessions(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.sessions
    return sessions


Return = Annotated[str | None, Query(max_length=2000)]


@router.get(SIGN_IN, response_class=HTMLResponse)
async def sign_in_page(request: Request, kembali: Return = None) -> Response:
    context = {"back": safe_return(kembali), "failed": False}
    return shared_pages().render(request, "masuk.html", context)


@router.post(SIGN_IN, response_class=HTMLResponse)
async def sign_in(request: Request) -> Response:
    form = await _form(request)
    back = safe_return(form.get("kembali"))
    token = form.get("kredensial", "")
    principals: dict[str, Principal] = request.app.state.principals
    known = any(hmac.compare_digest(t.encode(), token.encode()) for t in principals)
    if not same_site(request) or not token or not known:
        return shared_pages().render(
            request, "masuk.html", {"back": back, "failed": True}, status_code=401
        )
    response = RedirectResponse(back, status_code=303)
    response.set_cookie(
        COOKIE,
        _sessions(request).issue(token),
        max_age=LIFETIME_S,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/keluar")
async def sign_out(request: Request) -> Response:
    form = await _form(request)
    cookie = request.cookies.get(COOKIE, "")
    genuine = _sessions(request).form_token_matches(cookie, form.get("token", ""))
    if not same_site(request) or not genuine:
        return shared_pages().render(request, "refused.html", NOT_OUR_PAGE, status_code=403)
    response = RedirectResponse(SIGN_IN, status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/bahasa")
async def switch_language(request: Request, ke: str = "id", kembali: Return = None) -> Response:
    response = RedirectResponse(safe_return(kembali), status_code=303)
    language = "en" if ke == "en" else "id"
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=365 * 86400, path="/", samesite="lax", httponly=True
    )
    return response


async def _form(request: Request) -> dict[str, str]:
    """A small urlencoded form, first value of each field (no multipart parser needed)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    return {name: values[0] for name, values in fields.items()}


def refusal(status_code: int, message_id: str, message_en: str) -> dict[str, str]:
    """The refusal page's words: its title by status, then the reason in both languages."""
    title_id, title_en = TITLES.get(status_code, TITLES[403])
    return {
        "title_id": title_id,
        "title_en": title_en,
        "message_id": message_id,
        "message_en": message_en,
    }


async def _to_sign_in(request: Request, _: Exception) -> Response:
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{SIGN_IN}?{urlencode({'kembali': back})}", status_code=303)


async def _refused_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageRefused)
    context = refusal(exc.status_code, exc.message_id, exc.message_en)
    return shared_pages().render(request, "refused.html", context, status_code=exc.status_code)


def install_pages(app: FastAPI, sessions: Sessions) -> None:
    """Sign-in, sign-out, the language switch and the shared assets on a service's app."""
    app.state.sessions = sessions
    app.include_router(router)
    app.add_exception_handler(SignInRequired, _to_sign_in)
    app.add_exception_handler(PageRefused, _refused_page)
    app.mount(SHARED_ASSETS, StaticFiles(packages=[("shared.web", "static")]), name="shared-assets")


NOT_OUR_PAGE = refusal(
    403,
    "Permintaan ini tidak datang dari halaman kami.",
    "This request did not come from our own page.",
)
