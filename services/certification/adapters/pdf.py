"""STTP certificate as an A4 portrait PDF (reportlab): page 1 the certificate with its QR code
of the verification URL, place and date of issue and the signatory block; page 2 (the back
side, continued on further pages when long) the sessions and their JP (pdf_sessions.py).

Content stored before the signatory, place and sessions were kept renders without them."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
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
from shared import formatting

mm: Final[float] = _mm  # typed: reportlab's units are untyped
WIDTH, HEIGHT = A4
BOLD, REGULAR, ITALIC = "Helvetica-Bold", "Helvetica", "Helvetica-Oblique"
# Where the electronic seal's visible mark goes (page 1, PDF points from the lower left): left
# empty here, filled by the sealing step (pyHanko) between the signatory's title and name.
SEAL_BOX: Final = (115 * mm, 50 * mm, 60 * mm, 25 * mm)  # x, y, width, height
# The same box as pyHanko's signature field takes it: (x1, y1, x2, y2) on the first page.
SEAL_FIELD_BOX: Final = (
    SEAL_BOX[0],
    SEAL_BOX[1],
    SEAL_BOX[0] + SEAL_BOX[2],
    SEAL_BOX[1] + SEAL_BOX[3],
)
_LABEL_X, _VALUE_X, _VALUE_WIDTH = 28 * mm, 78 * mm, 108 * mm
_BLOCK_X, _BLOCK_WIDTH = 115 * mm, 75 * mm


def qr_png(url: str) -> bytes:
    """The QR code printed on the certificate, as PNG."""
    image = qrcode.make(url, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def tanggal(value: str | dt.date) -> str:
    """`2022-05-24` -> `24 Mei 2022`."""
    return formatting.date(dt.date.fromisoformat(value) if isinstance(value, str) else value)


def place_and_date(content: Mapping[str, Any]) -> str:
    """`Jambi, 24 Mei 2022`; `Diterbitkan: 24 Mei 2022` where no place of issue was given."""
    place = content.get("place_of_issue")
    day = tanggal(content["issue_date"])
    return f"{place}, {day}" if place else f"Diterbitkan: {day}"


def jp_text(value: object) -> str:
    return f"{format_id_decimal(Decimal(str(value)))} JP"


@dataclass(frozen=True)
class Style:
    """Sizes of page 1's running text: the roomy one, or a tight one where long values would
    otherwise reach the place and date of issue."""

    text: float  # the rows and running text; the holder's name and titles are larger
    least: float  # the smallest a long value shrinks to
    lines: int  # lines a long value or title may wrap to
    gap: float  # vertical gaps, multiplied


ROOMY, TIGHT = Style(11, 8, 2, 1.0), Style(9, 6.5, 3, 0.7)
# The lowest the holder and training rows may reach: above the highest place-and-date line.
_FLOOR = 104 * mm
_TITLES = ("organizer", "name", "programme_name")
_VALUES = ("position", "agency", "location")


def render_certificate(content: dict[str, Any], url: str) -> bytes:
    style = TIGHT if cut_when_roomy(content) else ROOMY
    pdf, lowest = rendered(content, url, style)
    if style is ROOMY and lowest < _FLOOR:
        pdf, _ = rendered(content, url, TIGHT)
    return pdf


def cut_when_roomy(content: Mapping[str, Any]) -> bool:
    """Whether a title or value would lose its end in the roomy style."""
    return any(title_text(str(content[k]), ROOMY, BOLD).cut for k in _TITLES) or any(
        value_text(str(content[k]), ROOMY).cut for k in _VALUES
    )


def title_text(text: str, style: Style, font: str, larger: float = 3) -> Fitted:
    """A centred title line (organiser, holder, programme), `larger` than the running text."""
    return fitted(
        text,
        font,
        style.text + larger,
        WIDTH - 44 * mm,
        min_size=style.least + 2,
        max_lines=style.lines,
    )


def value_text(text: str, style: Style) -> Fitted:
    return fitted(
        text, REGULAR, style.text, _VALUE_WIDTH, min_size=style.least, max_lines=style.lines
    )


def rendered(content: Mapping[str, Any], url: str, style: Style) -> tuple[bytes, float]:
    """The PDF in this style, and the lowest baseline of page 1's rows."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"STTP {content['number']}")
    canvas.setAuthor(str(content["organizer"]))
    lowest = front_page(canvas, content, url, style)
    canvas.showPage()
    if content.get("sessions"):
        draw_sessions(canvas, content)
    canvas.save()
    return buffer.getvalue(), lowest


def front_page(canvas: Canvas, content: Mapping[str, Any], url: str, style: Style) -> float:
    canvas.setLineWidth(2)
    canvas.rect(12 * mm, 12 * mm, WIDTH - 24 * mm, HEIGHT - 24 * mm)
    y = heading(canvas, content, HEIGHT - 32 * mm, style)
    y = holder(canvas, content, y - 10 * mm * style.gap, style)
    lowest = training(canvas, content, y - 4 * mm * style.gap, style)
    issue_block(canvas, content)
    qr_block(canvas, url)
    return lowest


def heading(canvas: Canvas, content: Mapping[str, Any], top: float, style: Style) -> float:
    """The organiser exactly as the schedule states it, the title and the number."""
    organizer = title_text(str(content["organizer"]), style, BOLD)
    y = draw_lines(canvas, organizer, WIDTH / 2, top, centred=True) - 8 * mm * style.gap
    canvas.setFont(BOLD, 20)
    canvas.drawCentredString(WIDTH / 2, y, "SURAT TANDA TAMAT PELATIHAN")
    canvas.setFont(ITALIC, 10)
    canvas.drawCentredString(WIDTH / 2, y - 6 * mm, "Certificate of Training Completion")
    canvas.setFont(REGULAR, 11)
    canvas.drawCentredString(WIDTH / 2, y - 13 * mm, f"Nomor: {content['number']}")
    return y - 13 * mm


def holder(canvas: Canvas, content: Mapping[str, Any], top: float, style: Style) -> float:
    centred(canvas, "diberikan kepada", "awarded to", top)
    name = title_text(str(content["name"]), style, BOLD, larger=5)
    y = draw_lines(canvas, name, WIDTH / 2, top - 11 * mm, centred=True) - 2 * mm * style.gap
    rows = [
        ("NIP", content["nip"]),
        ("Pangkat/Golongan", rank_with_name(content.get("rank")) or "-"),
        ("Jabatan", content["position"]),
        ("Instansi", content["agency"]),
    ]
    return table(canvas, rows, y, style)


def training(canvas: Canvas, content: Mapping[str, Any], top: float, style: Style) -> float:
    centred(canvas, "telah mengikuti", "has completed", top)
    programme = title_text(str(content["programme_name"]), style, BOLD)
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
    return table(canvas, rows, y - 9 * mm * style.gap, style)


def centred(canvas: Canvas, indonesian: str, english: str, y: float) -> None:
    canvas.setFont(REGULAR, 11)
    canvas.drawCentredString(WIDTH / 2, y, indonesian)
    canvas.setFont(ITALIC, 8)
    canvas.drawCentredString(WIDTH / 2, y - 4 * mm, english)


def table(canvas: Canvas, rows: list[tuple[str, Any]], top: float, style: Style) -> float:
    """Label and value rows; a long value wraps (and shrinks) within the value column.
    Returns the next row's baseline."""
    y = top
    for label, value in rows:
        canvas.setFont(REGULAR, style.text)
        canvas.drawString(_LABEL_X, y, label)
        canvas.drawString(_VALUE_X - 3 * mm, y, ":")
        lines = value_text(str(value), style)
        y = draw_lines(canvas, lines, _VALUE_X, y, centred=False) - 1.5 * mm * style.gap
    return y


def issue_block(canvas: Canvas, content: Mapping[str, Any]) -> None:
    """Place and date of issue, then (when one is known) the signatory: title, the seal's
    empty box, name and NIP. No signatory known: no block rather than an invented one."""
    _, seal_y, _, seal_height = SEAL_BOX
    signatory = content.get("signatory")
    title = (
        fitted(str(signatory["title"]), REGULAR, 10, _BLOCK_WIDTH, min_size=7, max_lines=4)
        if signatory
        else Fitted([], REGULAR, 10)
    )
    # Bottom-anchored above the seal box, so the box stays where the sealer expects it.
    title_top = seal_y + seal_height + 3 * mm + title.height - title.leading
    dated = fitted(place_and_date(content), REGULAR, 10, _BLOCK_WIDTH, min_size=7, max_lines=2)
    draw_lines(
        canvas, dated, _BLOCK_X, title_top + 7 * mm + dated.height - dated.leading, centred=False
    )
    if not signatory:
        return
    draw_lines(canvas, title, _BLOCK_X, title_top, centred=False)
    name = fitted(str(signatory["name"]), BOLD, 10, _BLOCK_WIDTH, min_size=7, max_lines=3)
    y = draw_lines(canvas, name, _BLOCK_X, seal_y - 5 * mm, centred=False)
    canvas.setFont(REGULAR, 10)
    canvas.drawString(_BLOCK_X, y, f"NIP. {signatory['nip']}")


def qr_block(canvas: Canvas, url: str) -> None:
    canvas.drawImage(ImageReader(io.BytesIO(qr_png(url))), 22 * mm, 30 * mm, 40 * mm, 40 * mm)
    canvas.setFont(REGULAR, 8)
    canvas.drawString(22 * mm, 25 * mm, "Verifikasi keaslian / Verify authenticity:")
    link = fitted(url, REGULAR, 8, 90 * mm, min_size=5, max_lines=2)
    draw_lines(canvas, link, 22 * mm, 21 * mm, centred=False)
