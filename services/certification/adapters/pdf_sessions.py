"""The STTP's back side: the sessions (no, date, subject, JP) and the total JP, continued on a
further page when they do not fit (a long subject wraps within its column)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm as _mm
from reportlab.pdfgen.canvas import Canvas

from services.certification.adapters.pdf_text import Fitted, draw_lines, fitted
from services.certification.domain import format_id_decimal

mm: Final[float] = _mm  # typed: reportlab's units are untyped
WIDTH, HEIGHT = A4
BOLD, REGULAR, ITALIC = "Helvetica-Bold", "Helvetica", "Helvetica-Oblique"
_LEFT, _RIGHT, _BOTTOM = 20 * mm, WIDTH - 20 * mm, 22 * mm
# Column left edges: no, date, subject, JP (right-aligned at _RIGHT).
_NO_X, _DATE_X, _TITLE_X = _LEFT + 2 * mm, _LEFT + 14 * mm, _LEFT + 46 * mm
_TITLE_WIDTH = _RIGHT - 22 * mm - _TITLE_X
_SIZE = 10


def draw_sessions(canvas: Canvas, content: Mapping[str, Any]) -> None:
    """The back side(s), each page ended; the total after the last session."""
    rows = [_row(session) for session in content["sessions"]]
    y = _page_top(canvas, content, continued=False)
    for no, day, title, jp in rows:
        if y - title.height < _BOTTOM + 12 * mm:
            canvas.showPage()
            y = _page_top(canvas, content, continued=True)
        canvas.setFont(REGULAR, _SIZE)
        canvas.drawString(_NO_X, y, no)
        canvas.drawString(_DATE_X, y, day)
        canvas.drawRightString(_RIGHT - 2 * mm, y, jp)
        y = draw_lines(canvas, title, _TITLE_X, y, centred=False) - 1.5 * mm
    _total(canvas, content, rows, y)
    canvas.showPage()


def _row(session: Mapping[str, Any]) -> tuple[str, str, Fitted, str]:
    subject = session.get("title") or "-"
    title = fitted(str(subject), REGULAR, _SIZE, _TITLE_WIDTH, min_size=8, max_lines=4)
    day = dt.date.fromisoformat(str(session["date"]))
    jp = format_id_decimal(Decimal(str(session["jp"])))
    return str(session["no"]), f"{day:%d-%m-%Y}", title, jp


def _page_top(canvas: Canvas, content: Mapping[str, Any], *, continued: bool) -> float:
    """Who and what this list belongs to, then the column headings; returns the first row's
    baseline."""
    canvas.setLineWidth(1)
    canvas.rect(12 * mm, 12 * mm, WIDTH - 24 * mm, HEIGHT - 24 * mm)
    y = HEIGHT - 28 * mm
    canvas.setFont(BOLD, 13)
    heading = "DAFTAR MATA PELATIHAN" + (" (lanjutan)" if continued else "")
    canvas.drawCentredString(WIDTH / 2, y, heading)
    canvas.setFont(ITALIC, 9)
    english = "Subjects and hours" + (" (continued)" if continued else "")
    canvas.drawCentredString(WIDTH / 2, y - 5 * mm, english)
    cohort = f"{content['programme_name']}, Angkatan {content['angkatan']} Tahun {content['year']}"
    y = _centred_lines(canvas, cohort, y - 12 * mm)
    y = _centred_lines(canvas, f"{content['name']} - Nomor {content['number']}", y)
    return _headings(canvas, y - 6 * mm)


def _centred_lines(canvas: Canvas, text: str, top: float) -> float:
    lines = fitted(text, REGULAR, 10, _RIGHT - _LEFT, min_size=8, max_lines=2)
    return draw_lines(canvas, lines, WIDTH / 2, top, centred=True)


def _headings(canvas: Canvas, y: float) -> float:
    canvas.setFont(BOLD, _SIZE)
    canvas.drawString(_NO_X, y, "No")
    canvas.drawString(_DATE_X, y, "Tanggal")
    canvas.drawString(_TITLE_X, y, "Mata Pelatihan")
    canvas.drawRightString(_RIGHT - 2 * mm, y, "JP")
    canvas.setFont(ITALIC, 7)
    canvas.drawString(_DATE_X, y - 3.5 * mm, "Date")
    canvas.drawString(_TITLE_X, y - 3.5 * mm, "Subject")
    canvas.drawRightString(_RIGHT - 2 * mm, y - 3.5 * mm, "hours")
    canvas.setLineWidth(0.5)
    canvas.line(_LEFT, y - 5.5 * mm, _RIGHT, y - 5.5 * mm)
    return y - 11 * mm


def _total(
    canvas: Canvas,
    content: Mapping[str, Any],
    rows: Sequence[tuple[str, str, Fitted, str]],
    y: float,
) -> None:
    canvas.setLineWidth(0.5)
    canvas.line(_LEFT, y + 2 * mm, _RIGHT, y + 2 * mm)
    canvas.setFont(BOLD, _SIZE)
    canvas.drawString(_TITLE_X, y - 3 * mm, f"Jumlah / Total ({len(rows)} sesi / sessions)")
    total = format_id_decimal(Decimal(str(content["total_jp"])))
    canvas.drawRightString(_RIGHT - 2 * mm, y - 3 * mm, total)
