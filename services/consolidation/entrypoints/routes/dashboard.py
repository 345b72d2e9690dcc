"""The dashboard page: one static HTML file that reads the views above."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
async def dashboard() -> HTMLResponse:
    page = (
        resources.files("services.consolidation.entrypoints")
        .joinpath("static/dashboard.html")
        .read_text(encoding="utf-8")
    )
    return HTMLResponse(page)
