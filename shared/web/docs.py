"""`/docs` (Swagger UI) and `/redoc` of every service from the assets vendored here
(`static/vendor/`), so they load without the internet; FastAPI's own pages fetch them from a CDN
(and ReDoc's from Google Fonts)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

DOCS_ASSETS = "/aset/docs"
# Nothing but this service: ReDoc's bundle would otherwise fetch its maker's logo from a CDN.
# FastAPI's Swagger UI page starts the bundle from an inline script; both draw inline styles.
SWAGGER_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)
REDOC_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def install_docs(app: FastAPI) -> None:
    app.mount(DOCS_ASSETS, StaticFiles(packages=[("shared.web", "static/vendor")]), name="docs")
    openapi_url = app.openapi_url or "/openapi.json"

    async def swagger_ui(request: Request) -> HTMLResponse:
        return _with_policy(
            SWAGGER_CSP,
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{app.title} - Swagger UI",
                oauth2_redirect_url=OAUTH2_REDIRECT,
                swagger_js_url=f"{DOCS_ASSETS}/swagger-ui/swagger-ui-bundle.js",
                swagger_css_url=f"{DOCS_ASSETS}/swagger-ui/swagger-ui.css",
                swagger_favicon_url=f"{DOCS_ASSETS}/swagger-ui/favicon-32x32.png",
            ),
        )

    async def oauth2_redirect(request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(request: Request) -> HTMLResponse:
        return _with_policy(
            REDOC_CSP,
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{DOCS_ASSETS}/redoc/redoc.standalone.js",
                redoc_favicon_url=f"{DOCS_ASSETS}/swagger-ui/favicon-32x32.png",
                with_google_fonts=False,
            ),
        )

    app.add_route("/docs", swagger_ui, include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT, oauth2_redirect, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)


def _with_policy(policy: str, page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = policy
    return page
