"""The STTP PDF alone (no broker, no database): fields, A4 portrait, QR of the verification URL."""

from __future__ import annotations

import io

import pypdf
import zxingcpp

from services.certification.adapters.pdf import render_certificate, tanggal, verification_url

CONTENT = {
    "organizer": "BPSDM Provinsi Jambi",
    "programme_name": "Pelatihan Kepemimpinan Pengawas",
    "category": "kepemimpinan_pkp",
    "angkatan": "IV",
    "year": 2022,
    "start_date": "2022-02-15",
    "end_date": "2022-05-24",
    "location": "Jambi",
    "total_jp": "20",
    "name": "Siti Aminah",
    "nip": "198609262015052001",
    "rank": None,
    "position": "Camat",
    "agency": "Pemerintah Kabupaten Batanghari",
    "predicate": "Sangat Memuaskan",
    "issue_date": "2022-05-25",
    "number": "800/0007/BPSDM-15/2022",
    "base_number": "800/0007/BPSDM-15/2022",
}


def test_the_pdf_shows_the_sttp_fields_and_a_qr_of_the_verification_url():
    url = verification_url("https://sttp.example.go.id/", "7KQ2-M9XD-RT4H-WP3N-ZB6C")
    page = pypdf.PdfReader(io.BytesIO(render_certificate(CONTENT, url))).pages[0]
    text = page.extract_text()
    for shown in (
        "Siti Aminah",
        "198609262015052001",
        "800/0007/BPSDM-15/2022",
        "Pelatihan Kepemimpinan Pengawas",
        "Angkatan IV Tahun 2022",
        "20 JP",
        "Sangat Memuaskan",
        "15 Februari 2022 s.d. 24 Mei 2022",
        url,
    ):
        assert shown in text
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    decoded = [r.text for image in page.images for r in zxingcpp.read_barcodes(image.image)]
    assert decoded == ["https://sttp.example.go.id/verify/7KQ2-M9XD-RT4H-WP3N-ZB6C"]


def test_dates_are_written_the_indonesian_way():
    assert tanggal("2022-08-17") == "17 Agustus 2022"
