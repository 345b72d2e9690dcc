"""The organisers' upload page, `/dasbor/unggah`: choose CSV/XLSX files, see the same precheck
as `diklat publish` row by row, publish with "Kirim / Publish" and watch the outcomes and a
closed cohort's results arrive (the page reloads itself while they do; `…/status` gives the
same as JSON). Only a publisher's session may upload, and it publishes as that publisher: the
publisher comes from the session, never from the form. National and admin sessions get an
explanation."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from services.consolidation.entrypoints.dashboard import upload_view as view
from services.consolidation.entrypoints.dashboard import uploads as store
from services.consolidation.entrypoints.dashboard.pages import pages
from services.consolidation.entrypoints.dashboard.upload_form import (
    MAX_MB,
    Form,
    TooLarge,
    body_within,
    from_our_page,
    parse_form,
)
from shared.auth import Principal
from shared.publishing import messages
from shared.runtime import runtime_of
from shared.web.signin import NOT_OUR_PAGE, PageRefused, page_principal, shared_pages

router = APIRouter(include_in_schema=False)
HOME = "/dasbor/unggah"
# The files offered for download: the `diklat publish` templates, each a filled-in example.
EXAMPLES = {
    "contoh-diklat.xlsx": ("contoh-diklat.xlsx", "Kelas, Peserta, Presensi, Evaluasi"),
    "kelas.csv": ("kelas.csv", "Kelas (class and sessions)"),
    "peserta.csv": ("peserta.csv", "Peserta (participants)"),
    "presensi.csv": ("presensi.csv", "Presensi (attendance)"),
    "evaluasi.csv": ("evaluasi.csv", "Evaluasi (scores)"),
    "daftar-asn.xlsx": ("daftar-asn/daftar-asn.xlsx", "Daftar ASN (roster)"),
    "ekspor-siasn.csv": ("daftar-asn/ekspor-siasn.csv", "Daftar ASN, SIASN export"),
}
MEDIA = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
TOO_LARGE = (
    f"Berkas terlalu besar: paling banyak {MAX_MB} MB sekaligus. Unggah lebih sedikit berkas "
    "sekaligus, atau bagi daftar yang panjang menjadi beberapa berkas.",
    f"The files are too large: at most {MAX_MB} MB at once. Upload fewer files at a time, or "
    "split a long list into several files.",
)
NO_FILES = (
    "Pilih satu berkas CSV atau XLSX atau lebih terlebih dahulu.",
    "Choose one or more CSV or XLSX files first.",
)


def _publisher(principal: Principal) -> str | None:
    return principal.publisher if principal.scope == "publisher" else None


def _page(
    request: Request, context: dict[str, Any], status_code: int = 200, name: str = "unggah.html"
) -> Response:
    base = {"examples": EXAMPLES, "max_mb": MAX_MB, "said": None}
    return pages().render(request, name, {**base, **context}, status_code)


@router.get(HOME)
async def upload_page(request: Request) -> Response:
    principal = page_principal(request)
    return _page(request, {"publisher": _publisher(principal)})


@router.post(HOME)
async def check_files(request: Request) -> Response:
    """The files' precheck, kept as an upload of the signed-in publisher; nothing is sent."""
    principal = page_principal(request)
    publisher = _publisher(principal)
    try:
        body = await body_within(request)
    except TooLarge:
        return _page(request, {"publisher": publisher, "said": TOO_LARGE}, 413)
    form = parse_form(request.headers.get("content-type", ""), body)
    if not from_our_page(request, form):
        return shared_pages().render(request, "refused.html", NOT_OUR_PAGE, status_code=403)
    if publisher is None:
        return _page(request, {"publisher": None}, 403)
    if not form.files:
        return _page(request, {"publisher": publisher, "said": NO_FILES}, 400)
    upload = store.of(runtime_of(request)).check(publisher, form.files)
    return RedirectResponse(f"{HOME}/{upload.id}", status_code=303)


def _upload(request: Request, upload_id: str) -> store.Upload:
    """The signed-in publisher's own upload; any other is 'not found', as an unknown one."""
    principal = page_principal(request)
    upload = store.of(runtime_of(request)).of(upload_id, _publisher(principal))
    if upload is None:
        raise PageRefused(
            404,
            "Unggahan ini tidak ada atau sudah dihapus; unggah berkas Anda lagi.",
            "This upload does not exist or was removed; upload your files again.",
        )
    return upload


@router.get(HOME + "/{upload_id}")
async def upload_state(request: Request, upload_id: str) -> Response:
    upload = _upload(request, upload_id)
    context = {
        "publisher": upload.publisher,
        "upload": upload,
        "problems": view.problem_rows(upload.plan.problems, upload.files),
        "warnings": view.problem_rows(upload.plan.warnings, upload.files),
        "planned": view.planned_counts(upload),
        "progress": view.progress(upload),
        "running": view.still_running(upload),
        "states": view.STATES,
        "nothing": messages.nothing_to_send(),
    }
    return _page(request, context, name="unggahan.html")


@router.post(HOME + "/{upload_id}/kirim")
async def publish_upload(request: Request, upload_id: str) -> Response:
    """ "Kirim / Publish": the checked upload's events go out as the session's publisher."""
    upload = _upload(request, upload_id)
    try:
        form = parse_form(request.headers.get("content-type", ""), await body_within(request))
    except TooLarge:
        form = Form()
    if not from_our_page(request, form):
        return shared_pages().render(request, "refused.html", NOT_OUR_PAGE, status_code=403)
    store.of(runtime_of(request)).publish(upload)
    return RedirectResponse(f"{HOME}/{upload.id}", status_code=303)


@router.get(HOME + "/{upload_id}/status")
async def upload_status(request: Request, upload_id: str) -> Response:
    """The run's state as JSON, for a page or a script polling it."""
    upload = _upload(request, upload_id)
    shown = view.progress(upload)
    return JSONResponse(
        {
            "stage": str(upload.stage),
            "problems": len(upload.plan.problems),
            "sent": shown.sent if shown else 0,
            "total": shown.total if shown else len(upload.plan.sendable()),
            "counts": dict(shown.counts) if shown else {},
            "timed_out": upload.timed_out,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get(HOME + "/contoh/{name}")
async def example_file(request: Request, name: str) -> Response:
    page_principal(request)
    if name not in EXAMPLES:
        raise HTTPException(404, "tidak ada / not found")
    where = resources.files("shared.publishing") / "contoh" / EXAMPLES[name][0]
    suffix = name[name.rindex(".") :]
    return Response(
        where.read_bytes(),
        media_type=MEDIA[suffix],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
