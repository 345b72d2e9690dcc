"""The public verification page as a person reads it: which answer a client asked for (HTML
unless it asks for JSON), the page's wording (Indonesian first, English beside it) and its
Jinja2 templates (`templates/`, autoescaped)."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import status
from fastapi.responses import HTMLResponse, Response

from services.certification.domain import format_id_decimal
from shared import formatting

if TYPE_CHECKING:
    from services.certification.entrypoints.verification import Verification

JSON = "application/json"
HTML = "text/html"
# A revocation's day as Indonesia's most populous zone sees it (a certificate keeps no zone).
STATUS_ZONE = ZoneInfo("Asia/Jakarta")
PUBLIC_HEADERS = {
    "Vary": "Accept",
    # The page names a person and its status may change: no cache keeps it.
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    # Inline CSS only: no script, no outside asset may run or load.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}

# (banner class, Indonesian, English) of each status.
BANNERS = {
    "valid": ("valid", "Berlaku", "Valid"),
    "revoked": ("revoked", "Dicabut", "Revoked"),
    "superseded": ("superseded", "Digantikan", "Superseded"),
}


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def wants_json(accept: str | None) -> bool:
    """JSON only when the client names `application/json` and does not prefer `text/html`;
    a browser (which names HTML), `*/*` or no Accept at all get the page."""
    json_q = html_q = 0.0
    for item in (accept or "").split(","):
        media, *parameters = item.split(";")
        media = media.strip().lower()
        if media == JSON:
            json_q = max(json_q, _quality(parameters))
        elif media == HTML:
            html_q = max(html_q, _quality(parameters))
    return json_q > 0 and json_q > html_q


@functools.cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("services.certification.entrypoints", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _render(template: str, **values: Any) -> str:
    return _templates().get_template(template).render(**values)


MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _local_day(value: dt.date | dt.datetime) -> dt.date:
    return value.astimezone(STATUS_ZONE).date() if isinstance(value, dt.datetime) else value


def _day(value: dt.date | dt.datetime | None) -> str | None:
    """`24 Mei 2022`: a day as the Indonesian text says it."""
    return None if value is None else formatting.date(_local_day(value))


def _day_en(value: dt.date | dt.datetime | None) -> str | None:
    """`24 May 2022`: the same day in the English line beside it."""
    if value is None:
        return None
    day = _local_day(value)
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def _jp(value: Decimal) -> str:
    return f"{format_id_decimal(value)} JP"


def _rows(v: Verification) -> list[tuple[str, str, str]]:
    """(Indonesian label, English label, value) of what the certificate says, in its order."""
    c = v.certificate
    dates = f"{formatting.date(c.start_date)} s.d. {formatting.date(c.end_date)}"
    rows = [
        ("Nama", "Name", c.name),
        ("NIP", "Civil-service number (masked)", c.nip_masked),
        ("Pangkat/golongan", "Rank", c.rank or "-"),
        ("Jabatan", "Position", c.position),
        ("Instansi", "Agency", c.agency),
        ("Pelatihan", "Programme", c.programme_name),
        ("Angkatan dan tahun", "Cohort and year", f"{c.angkatan} / {c.year}"),
        ("Penyelenggara", "Organiser", c.organizer),
        ("Tempat", "Place", c.location),
        ("Tanggal pelatihan", "Dates", dates),
        ("Jumlah jam pelajaran", "Learning hours", _jp(c.total_jp)),
        ("Predikat", "Predicate", c.predicate or "-"),
        ("Nomor sertifikat", "Certificate number", c.number),
        ("Tanggal terbit", "Date of issue", formatting.date(c.issue_date)),
        ("Tempat terbit", "Place of issue", c.place_of_issue or "-"),
        ("Penandatangan", "Signed by", c.signatory or "-"),
    ]
    return [(label_id, label_en, str(value)) for label_id, label_en, value in rows]


def _relative(url: str | None) -> str | None:
    """A link to a sibling page (`/verify/<code>...`) relative to this one, so it holds behind
    any proxy prefix and on any host."""
    return url.rsplit("/verify/", 1)[1] if url else None


def certificate_page(v: Verification) -> str:
    banner, status_id, status_en = BANNERS[v.status]
    return _render(
        "verification.html",
        v=v,
        banner=banner,
        status_id=status_id,
        status_en=status_en,
        changed_on=_day(v.status_changed_at),
        changed_on_en=_day_en(v.status_changed_at),
        rows=_rows(v),
        current_link=_relative(v.current_url),
        credential_link=_relative(v.credential_url),
        signed_on=_day(v.seal.signed_at) if v.seal else None,
    )


def refusal(retry_after: int | None) -> HTMLResponse:
    """The same page for every miss (404), or the wait page (429 with Retry-After)."""
    if retry_after is None:
        return HTMLResponse(_render("not_found.html"), status.HTTP_404_NOT_FOUND)
    return HTMLResponse(
        _render("too_many.html", wait=retry_after),
        status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(retry_after)},
    )


def with_public_headers(response: Response) -> Response:
    response.headers.update(PUBLIC_HEADERS)
    return response
