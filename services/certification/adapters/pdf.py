"""STTP certificate as an A4 portrait PDF (reportlab) with a QR code of its verification URL."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import qrcode
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from services.certification.domain import format_id_decimal

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


def render_certificate(content: dict[str, Any], url: str) -> bytes:
    width, height = A4
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"STTP {content['number']}")
    canvas.setAuthor(str(content["organizer"]))
    canvas.setLineWidth(2)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)

    y = height - 35 * mm
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawCentredString(width / 2, y, str(content["organizer"]).upper())
    y -= 16 * mm
    canvas.setFont("Helvetica-Bold", 20)
    canvas.drawCentredString(width / 2, y, "SURAT TANDA TAMAT PELATIHAN")
    y -= 8 * mm
    canvas.setFont("Helvetica", 11)
    canvas.drawCentredString(width / 2, y, f"Nomor: {content['number']}")

    y -= 16 * mm
    canvas.drawCentredString(width / 2, y, "diberikan kepada")
    y -= 10 * mm
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawCentredString(width / 2, y, str(content["name"]))

    rows = [
        ("NIP", content["nip"]),
        ("Pangkat/Golongan", content.get("rank") or "-"),
        ("Jabatan", content["position"]),
        ("Instansi", content["agency"]),
    ]
    y = _table(canvas, rows, y - 14 * mm)

    y -= 8 * mm
    canvas.setFont("Helvetica", 11)
    canvas.drawCentredString(width / 2, y, "telah mengikuti")
    y -= 9 * mm
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawCentredString(width / 2, y, str(content["programme_name"]))
    y -= 7 * mm
    canvas.setFont("Helvetica", 11)
    cohort = f"Angkatan {content['angkatan']} Tahun {content['year']}"
    canvas.drawCentredString(width / 2, y, cohort)

    rows = [
        ("Tanggal", f"{tanggal(content['start_date'])} s.d. {tanggal(content['end_date'])}"),
        ("Tempat", content["location"]),
        ("Jumlah", f"{format_id_decimal(Decimal(str(content['total_jp'])))} JP"),
        ("Predikat", content.get("predicate") or "-"),
    ]
    y = _table(canvas, rows, y - 12 * mm)

    canvas.drawString(120 * mm, 75 * mm, f"Diterbitkan: {tanggal(content['issue_date'])}")
    canvas.drawString(120 * mm, 69 * mm, str(content["organizer"]))

    canvas.drawImage(ImageReader(io.BytesIO(qr_png(url))), 22 * mm, 30 * mm, 40 * mm, 40 * mm)
    canvas.setFont("Helvetica", 8)
    canvas.drawString(22 * mm, 25 * mm, "Verifikasi keaslian:")
    canvas.drawString(22 * mm, 21 * mm, url)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _table(canvas: Canvas, rows: list[tuple[str, Any]], y: float) -> float:
    canvas.setFont("Helvetica", 11)
    for label, value in rows:
        canvas.drawString(45 * mm, y, label)
        canvas.drawString(85 * mm, y, f": {value}")
        y -= 7 * mm
    return y
