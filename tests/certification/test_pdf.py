"""The STTP PDF alone (no broker, no database): page 1 with the holder, the training, the place
and date of issue, the signatory block and a QR of the verification URL; page 2 (the back side)
the sessions with their JP; long texts and many sessions stay on the page."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import zxingcpp
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from builders.sttp import CONTENT, OLD_CONTENT, SIGNATORY
from services.certification.adapters.pdf import (
    SEAL_BOX,
    render_certificate,
    tanggal,
)
from services.certification.certificates import verification_url

URL = verification_url("https://sttp.example.go.id/", "7KQ2-M9XD-RT4H-WP3N-ZB6C")


def pages(content: dict[str, object]) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(render_certificate(content, URL))).pages)


def test_page_one_shows_the_sttp_fields_and_a_qr_of_the_verification_url():
    front, _ = pages(CONTENT)
    text = front.extract_text()
    for shown in (
        "Badan Pengembangan Sumber Daya Manusia Provinsi Jambi",  # exactly as scheduled
        "Siti Aminah",
        "198609262015052001",
        "Pembina, IV/a",
        "800/0007/BPSDM-15/2022",
        "Pelatihan Kepemimpinan Pengawas",
        "Angkatan IV Tahun 2022",
        "20 JP",
        "Sangat Memuaskan",
        "15 Februari 2022 s.d. 24 Mei 2022",
        "Jambi, 24 Mei 2022",
        URL,
    ):
        assert shown in text
    assert (round(float(front.mediabox.width)), round(float(front.mediabox.height))) == (595, 842)
    decoded = [r.text for image in front.images for r in zxingcpp.read_barcodes(image.image)]
    assert decoded == ["https://sttp.example.go.id/verify/7KQ2-M9XD-RT4H-WP3N-ZB6C"]


def test_the_signatory_block_has_title_then_the_seals_empty_box_then_name_and_nip():
    front, _ = pages(CONTENT)
    found = baselines(front)
    _, y, width, height = SEAL_BOX
    assert (round(width / mm), round(height / mm)) == (60, 25)
    assert found["Kepala BPSDM Provinsi Jambi"] > y + height
    assert found[SIGNATORY["name"]] < y and found["NIP. 196805121994031004"] < y
    inside = [t for t, at in found.items() if y <= at <= y + height and t != "Verifikasi"]
    assert not [t for t in inside if "Jambi" in t or "NIP" in t or "Dr." in t]


def test_page_two_lists_the_sessions_and_the_total_jp():
    _, back = pages(CONTENT)
    text = back.extract_text()
    for shown in ("DAFTAR MATA PELATIHAN", "15-02-2022", "Wawasan Kebangsaan", "24-05-2022"):
        assert shown in text
    assert "Aktualisasi Kepemimpinan" in text and "Jumlah / Total (2 sesi / sessions)" in text


def test_a_certificate_stored_without_the_new_keys_renders_one_page_without_a_signatory():
    (front,) = pages(OLD_CONTENT)
    text = front.extract_text()
    assert "Diterbitkan: 25 Mei 2022" in text
    assert "NIP." not in text and "Pangkat/Golongan" in text


def test_a_profile_less_publisher_gets_no_invented_signatory():
    front, _ = pages(CONTENT | {"signatory": None})
    text = front.extract_text()
    assert "Jambi, 24 Mei 2022" in text and "NIP." not in text


def test_long_names_wrap_within_the_page_and_45_sessions_continue_on_a_third_page():
    long_title = "Tata Kelola Pemerintahan Daerah yang Baik dan Bersih serta Pelayanan Publik " * 2
    content = CONTENT | {
        "name": "Prof. Dr. Ir. Raden Mas Muhammad Abdurrahman Wahid Kusumanegara, S.H., M.Hum.",
        "agency": "Dinas Pemberdayaan Masyarakat dan Desa, Kependudukan dan Pencatatan Sipil "
        "Kabupaten Tanjung Jabung Barat Provinsi Jambi",
        "sessions": [
            {
                "no": n,
                "date": (dt.date(2022, 1, 3) + dt.timedelta(days=n)).isoformat(),
                "title": long_title if n % 5 == 0 else f"Materi {n}",
                "jp": "2",
            }
            for n in range(1, 46)
        ],
    }
    rendered = pages(content)
    assert len(rendered) == 3
    assert "(lanjutan)" in rendered[2].extract_text()
    listed = " ".join(p.extract_text() for p in rendered[1:])
    assert all(f"Materi {n}" in listed for n in range(1, 46) if n % 5)
    for page in rendered:
        spans = text_spans(page)
        assert min(start for start, _ in spans) >= 12 * mm
        assert max(end for _, end in spans) <= 198 * mm  # inside the border
    assert "Kusumanegara, S.H., M.Hum." in rendered[0].extract_text()


def test_every_field_at_the_contracts_longest_still_fits_page_one_whole():
    words = "Pemerintahan Daerah Pengembangan Sumber Daya Manusia Aparatur Sipil Negara "
    longest = {
        k: (k.upper() + " " + words * 4)[:200].strip()
        for k in ("organizer", "programme_name", "name", "position", "agency", "location")
    }
    front, _ = pages(CONTENT | longest | {"place_of_issue": "Kota Jambi"})
    text = front.extract_text()
    assert "…" not in text  # nothing cut
    found = baselines(front)
    assert found["Predikat"] > found["Kota Jambi, 24 Mei 2022"] + 3 * mm  # above the block
    spans = text_spans(front)
    assert max(end for _, end in spans) <= 198 * mm


def baselines(page: pypdf.PageObject) -> dict[str, float]:
    """The baseline of each piece of text on the page."""
    found: dict[str, float] = {}

    def note(text: str, _cm: object, tm: list[float], *_: object) -> None:
        if text.strip():
            found[text.strip()] = tm[5]

    page.extract_text(visitor_text=note)
    return found


def text_spans(page: pypdf.PageObject) -> list[tuple[float, float]]:
    """Where each piece of text on the page starts and ends across (measured in the bold
    face, the wider one)."""
    spans: list[tuple[float, float]] = []

    def note(text: str, _cm: object, tm: list[float], _font: object, size: float) -> None:
        if text.strip():
            width = stringWidth(text.strip(), "Helvetica-Bold", size * tm[0])
            spans.append((tm[4], tm[4] + width))

    page.extract_text(visitor_text=note)
    return spans


def test_dates_are_written_the_indonesian_way():
    assert tanggal("2022-08-17") == "17 Agustus 2022"
