"""Jinja2 pages of every service: the shared base layout (`shared/web/templates/base.html`)
under the service's own templates, the language a person chose (Indonesian unless they switched
to English), Indonesian number and date filters, and the headers every page is sent with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from shared import formatting
from shared.auth import session_principal
from shared.formatting import Language
from shared.regions import region_name
from shared.web.session import COOKIE, Sessions

LANGUAGE_COOKIE = "diklat_bahasa"
PAGE_HEADERS = {
    # A page shows what one credential may see: no shared cache keeps it.
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    # Our own scripts and assets only; inline styles for the charts' own element styles.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
}


def language_of(request: Request) -> Language:
    return "en" if request.cookies.get(LANGUAGE_COOKIE) == "en" else "id"


def environment(*packages: str) -> jinja2.Environment:
    """Templates from each of `packages`' `templates/` first, then the shared ones."""
    loaders = [jinja2.PackageLoader(p, "templates") for p in (*packages, "shared.web")]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["formatting"] = formatting
    env.globals["region_name"] = region_name
    return env


class Pages:
    """Renders a service's pages with what every page needs in its context."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        lang = language_of(request)
        page = self.env.get_template(name).render(
            {
                "lang": lang,
                "t": lambda indonesian, english: indonesian if lang == "id" else english,
                "n": lambda value, places=0: formatting.number(value, lang, places),
                "pct": lambda value: formatting.percent(value, lang),
                "jp": lambda value: formatting.jp(value, lang),
                "day": lambda value: formatting.date(value, lang),
                "path": request.url.path,
                "query": str(request.url.query),
                **_session_context(request),
                **(context or {}),
            }
        )
        return HTMLResponse(page, status_code=status_code, headers=PAGE_HEADERS)


def _session_context(request: Request) -> dict[str, Any]:
    sessions: Sessions | None = getattr(request.app.state, "sessions", None)
    cookie = request.cookies.get(COOKIE, "")
    principal = session_principal(request)
    return {
        "principal": principal,
        "form_token": sessions.form_token(cookie) if sessions and principal else "",
    }
