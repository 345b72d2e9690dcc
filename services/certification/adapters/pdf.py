"""STTP certificate as an A4 portrait PDF (reportlab): page 1 the certificate with its QR code
of the verification URL, place and date of issue and the signatory block; page 2 (the back
side, continued on further pages when long) the sessions and their JP (pdf_sessions.py).

Content stored before the signatory, place and sessions were kept renders without them."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

import qrcode
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm as _mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from services.certification.adapters.pdf_sessions import draw_sessions
from services.certification.adapters.pdf_text import Fitted, draw_lines, fitted
from services.certification.domain import format_id_decimal
from services.certification.ranks import rank_with_name

_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
mm: Final[float] = _mm  # typed: reportlab's units are untyped
WIDTH, HEIGHT = A4
BOLD, REGULAR, ITALIC = "Helvetica-Bold", "Helvetica", "Helvetica-Oblique"
# Where the electronic seal's visible mark goes (page 1, PDF points from the lower left): left
# empty here, filled by the sealing step (pyHanko) between the signatory's title and name.
SEAL_BOX: Final = (120 * mm, 50 * mm, 60 * mm, 25 * mm)  # x, y, width, height
_LABEL_X, _VALUE_X, _VALUE_WIDTH = 28 * mm, 78 * mm, 108 * mm
_BLOCK_X, _BLOCK_WIDTH = 115 * mm, 75 * mm


def verification_url(public_base_url: str, code: str) -> str:
    return f"{public_base_url.rstrip('/')}/verify/{code}"


def qr_png(url: str) -> bytes:
    """The QR code printed on the certificate, as PNG."""
    image = qrcode.make(url, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def tanggal(value: str | dt.date) -> str:
    """`2022-05-24` -> `24 Mei 2022`."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def place_and_date(content: Mapping[str, Any]) -> str:
    """`Jambi, 24 Mei 2022`; `Diterbitkan: 24 Mei 2022` where no place of issue was given."""
    place = content.get("place_of_issue")
    day = tanggal(content["issue_date"])
    return f"{place}, {day}" if place else f"Diterbitkan: {day}"


def jp_text(value: object) -> str:
    return f"{format_id_decimal(Decimal(str(value)))} JP"


def render_certificate(content: dict[str, Any], url: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"STTP {content['number']}")
    canvas.setAuthor(str(content["organizer"]))
    front_page(canvas, content, url)
    canvas.showPage()
    if content.get("sessions"):
        draw_sessions(canvas, content)
    canvas.save()
    return buffer.getvalue()


def front_page(canvas: Canvas, content: Mapping[str, Any], url: str) -> None:
    canvas.setLineWidth(2)
    canvas.rect(12 * mm, 12 * mm, WIDTH - 24 * mm, HEIGHT - 24 * mm)
    y = heading(canvas, content, HEIGHT - 32 * mm)
    y = holder(canvas, content, y - 10 * mm)
    training(canvas, content, y - 4 * mm)
    issue_block(canvas, content)
    qr_block(canvas, url)


def heading(canvas: Canvas, content: Mapping[str, Any], top: float) -> float:
    """The organiser exactly as the schedule states it, the title and the number."""
    organizer = fitted(
        str(content["organizer"]), BOLD, 14, WIDTH - 40 * mm, min_size=10, max_lines=2
    )
    y = draw_lines(canvas, organizer, WIDTH / 2, top, centred=True) - 8 * mm
    canvas.setFont(BOLD, 20)
    canvas.drawCentredString(WIDTH / 2, y, "SURAT TANDA TAMAT PELATIHAN")
    canvas.setFont(ITALIC, 10)
    canvas.drawCentredString(WIDTH / 2, y - 6 * mm, "Certificate of Training Completion")
    canvas.setFont(REGULAR, 11)
    canvas.drawCentredString(WIDTH / 2, y - 13 * mm, f"Nomor: {content['number']}")
    return y - 13 * mm


def holder(canvas: Canvas, content: Mapping[str, Any], top: float) -> float:
    centred(canvas, "diberikan kepada", "awarded to", top)
    name = fitted(str(content["name"]), BOLD, 16, WIDTH - 50 * mm, min_size=10, max_lines=2)
    y = draw_lines(canvas, name, WIDTH / 2, top - 11 * mm, centred=True) - 2 * mm
    rows = [
        ("NIP", content["nip"]),
        ("Pangkat/Golongan", rank_with_name(content.get("rank")) or "-"),
        ("Jabatan", content["position"]),
        ("Instansi", content["agency"]),
    ]
    return table(canvas, rows, y)


def training(canvas: Canvas, content: Mapping[str, Any], top: float) -> float:
    centred(canvas, "telah mengikuti", "has completed", top)
    programme = fitted(
        str(content["programme_name"]), BOLD, 14, WIDTH - 40 * mm, min_size=10, max_lines=2
    )
    y = draw_lines(canvas, programme, WIDTH / 2, top - 10 * mm, centred=True)
    canvas.setFont(REGULAR, 11)
    canvas.drawCentredString(
        WIDTH / 2, y - 1 * mm, f"Angkatan {content['angkatan']} Tahun {content['year']}"
    )
    rows = [
        ("Tanggal", f"{tanggal(content['start_date'])} s.d. {tanggal(content['end_date'])}"),
        ("Tempat", content["location"]),
        ("Jumlah", jp_text(content["total_jp"])),
        ("Predikat", content.get("predicate") or "-"),
    ]
    return table(canvas, rows, y - 9 * mm)


def centred(canvas: Canvas, indonesian: str, english: str, y: float) -> None:
    canvas.setFont(REGULAR, 11)
    canvas.drawCentredString(WIDTH / 2, y, indonesian)
    canvas.setFont(ITALIC, 8)
    canvas.drawCentredString(WIDTH / 2, y - 4 * mm, english)


def table(canvas: Canvas, rows: list[tuple[str, Any]], top: float) -> float:
    """Label and value rows; a long value wraps (and shrinks) within the value column."""
    y = top
    for label, value in rows:
        canvas.setFont(REGULAR, 11)
        canvas.drawString(_LABEL_X, y, label)
        canvas.drawString(_VALUE_X - 3 * mm, y, ":")
        lines = fitted(str(value), REGULAR, 11, _VALUE_WIDTH, min_size=8, max_lines=2)
        y = draw_lines(canvas, lines, _VALUE_X, y, centred=False) - 1.5 * mm
    return y


def issue_block(canvas: Canvas, content: Mapping[str, Any]) -> None:
    """Place and date of issue, then (when one is known) the signatory: title, the seal's
    empty box, name and NIP. No signatory known: no block rather than an invented one."""
    _, seal_y, _, seal_height = SEAL_BOX
    signatory = content.get("signatory")
    title = (
        fitted(str(signatory["title"]), REGULAR, 10, _BLOCK_WIDTH, min_size=8, max_lines=3)
        if signatory
        else Fitted([], REGULAR, 10)
    )
    # Bottom-anchored above the seal box, so the box stays where the sealer expects it.
    title_top = seal_y + seal_height + 3 * mm + title.height - title.leading
    canvas.setFont(REGULAR, 10)
    canvas.drawString(_BLOCK_X, title_top + 7 * mm, place_and_date(content))
    if not signatory:
        return
    draw_lines(canvas, title, _BLOCK_X, title_top, centred=False)
    name = fitted(str(signatory["name"]), BOLD, 10, _BLOCK_WIDTH, min_size=8, max_lines=2)
    y = draw_lines(canvas, name, _BLOCK_X, seal_y - 5 * mm, centred=False)
    canvas.setFont(REGULAR, 10)
    canvas.drawString(_BLOCK_X, y, f"NIP. {signatory['nip']}")


def qr_block(canvas: Canvas, url: str) -> None:
    canvas.drawImage(ImageReader(io.BytesIO(qr_png(url))), 22 * mm, 30 * mm, 40 * mm, 40 * mm)
    canvas.setFont(REGULAR, 8)
    canvas.drawString(22 * mm, 25 * mm, "Verifikasi keaslian / Verify authenticity:")
    link = fitted(url, REGULAR, 8, 90 * mm, min_size=5, max_lines=2)
    draw_lines(canvas, link, 22 * mm, 21 * mm, centred=False)
