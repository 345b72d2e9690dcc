"""Sealed certificate PDFs (services/certification/adapters/pades.py, seal_check.py): PAdES
through the SealSigner port, checked by pyHanko's validator against given trust roots."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pypdf
import pytest
from asn1crypto import x509 as asn1_x509
from pydantic import ValidationError
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from builders.sttp import CONTENT
from services.certification.adapters.bsre import BsreRemoteSeals, RemoteSealNotConfigured
from services.certification.adapters.pades import (
    SEAL_FIELD,
    Sealing,
    seal_mark_box,
)
from services.certification.adapters.pdf import render_certificate
from services.certification.adapters.seal_check import NOT_SEALED, seal_status
from services.certification.adapters.seals import FileSeals
from services.certification.ports import SealIdentity, SealStatus
from services.certification.settings import SealSettings
from tests.certification.tsa import running_tsa

URL = "https://sttp.example.go.id/verify/7KQ2-M9XD-RT4H-WP3N-ZB6C"
SEAL_CN = "Segel elektronik penerbit 15"


class RecordingSeals:
    """A SealSigner passing through to local seals, keeping what it was asked to sign."""

    def __init__(self, seals: FileSeals) -> None:
        self.seals = seals
        self.asked: list[tuple[int, str]] = []

    def identity(self, publisher: str) -> SealIdentity:
        return self.seals.identity(publisher)

    async def sign_digest(self, publisher: str, digest: bytes, digest_algorithm: str) -> bytes:
        self.asked.append((len(digest), digest_algorithm))
        return await self.seals.sign_digest(publisher, digest, digest_algorithm)


def local(directory: Path) -> FileSeals:
    return FileSeals(directory, issue_missing=True)


async def sealed_pdf(seals: FileSeals) -> bytes:
    sealing = Sealing(seals, seals.trust_roots())
    return await sealing.seal(render_certificate(CONTENT, URL), "15")


async def check(pdf: bytes, roots: list[bytes]) -> SealStatus:
    """seal_status blocks on its own event loop: off this one."""
    return await asyncio.to_thread(seal_status, pdf, roots)


async def validated(pdf: bytes, roots: list[bytes]):
    """pyHanko's own verdict on the one seal of `pdf`."""
    reader = PdfFileReader(io.BytesIO(pdf))
    (seal,) = reader.embedded_regular_signatures
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(r) for r in roots])
    return reader, seal, await async_validate_pdf_signature(seal, context)


async def test_a_sealed_pdf_is_pades_b_b_signed_through_the_port_only(tmp_path: Path) -> None:
    seals = local(tmp_path)
    recording = RecordingSeals(seals)
    pdf = await Sealing(recording, seals.trust_roots()).seal(render_certificate(CONTENT, URL), "15")
    assert recording.asked == [(32, "sha256")]  # one SHA-256 digest, never the document

    reader, seal, status = await validated(pdf, seals.trust_roots())
    assert status.bottom_line and status.trusted and status.intact and status.valid
    assert seal.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert seal.md_algorithm == "sha256"
    # B-B: no signature timestamp, no document timestamp.
    assert status.timestamp_validity is None
    assert reader.embedded_timestamp_signatures == []

    checked = await check(pdf, seals.trust_roots())
    assert (checked.signer, checked.verified) == (SEAL_CN, True)
    assert checked.signed_at is not None and checked.signed_at.tzinfo is not None


async def test_the_seal_mark_is_on_page_one_in_its_box_naming_the_seal(tmp_path: Path) -> None:
    pdf = await sealed_pdf(local(tmp_path))
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    (widget,) = [a.get_object() for a in page["/Annots"]]
    assert widget["/T"] == SEAL_FIELD
    assert tuple(round(float(v)) for v in widget["/Rect"]) == seal_mark_box()
    drawn = widget["/AP"]["/N"].get_object().get_data()
    for shown in (b"Disegel secara elektronik oleh", SEAL_CN.encode(), b"Electronically sealed"):
        assert shown in drawn


async def test_changed_bytes_after_sealing_do_not_verify(tmp_path: Path) -> None:
    seals = local(tmp_path)
    pdf = await sealed_pdf(seals)
    forged = pdf.replace(b"/Title (STTP 800/0007", b"/Title (STTP 800/0008", 1)
    assert forged != pdf
    assert (await check(forged, seals.trust_roots())).verified is False


async def test_an_incremental_update_changing_the_content_does_not_verify(tmp_path: Path) -> None:
    seals = local(tmp_path)
    pdf = await sealed_pdf(seals)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    overprint = generic.StreamObject(stream_data=b"q 1 1 1 rg 100 500 300 40 re f Q")
    writer.add_stream_to_page(0, writer.add_object(overprint))
    changed = io.BytesIO()
    writer.write(changed)

    checked = await check(changed.getvalue(), seals.trust_roots())
    assert (checked.signer, checked.verified) == (SEAL_CN, False)
    assert (await check(pdf, seals.trust_roots())).verified is True


async def test_a_seal_from_another_authority_is_not_trusted(tmp_path: Path) -> None:
    ours, theirs = local(tmp_path / "ours"), local(tmp_path / "theirs")
    pdf = await sealed_pdf(theirs)
    checked = await check(pdf, ours.trust_roots())
    assert (checked.signer, checked.verified) == (SEAL_CN, False)
    assert (await check(pdf, theirs.trust_roots())).verified is True


def test_an_unsealed_or_unreadable_pdf_is_reported_as_not_sealed(tmp_path: Path) -> None:
    roots = local(tmp_path).trust_roots()
    assert seal_status(render_certificate(CONTENT, URL), roots) == NOT_SEALED
    assert seal_status(b"not a pdf", roots) == NOT_SEALED


async def test_with_a_timestamp_authority_the_seal_is_b_lta(tmp_path: Path) -> None:
    seals = local(tmp_path)
    async with running_tsa() as tsa:
        roots = [*seals.trust_roots(), _der(tsa.root_pem)]
        sealing = Sealing(seals, roots, tsa.url)
        pdf = await sealing.seal(render_certificate(CONTENT, URL), "15")
    reader, _, status = await validated(pdf, roots)
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert len(reader.embedded_timestamp_signatures) == 1  # the document timestamp (LTA)
    assert "/DSS" in reader.root  # the validation data (LT)
    checked = await check(pdf, roots)
    assert checked.verified is True
    assert checked.signed_at == status.timestamp_validity.timestamp


def test_the_timestamp_authority_must_be_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIKLAT_CERTIFICATION_SEAL_TSA_URL", "tsa.example.go.id")
    with pytest.raises(ValidationError, match="tsa_url"):
        SealSettings()


def test_the_trust_roots_must_be_a_pem_of_certificates(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "roots.pem").write_text("not a certificate")
    monkeypatch.setenv("DIKLAT_CERTIFICATION_SEAL_TRUST_ROOTS", str(tmp_path / "roots.pem"))
    with pytest.raises(ValidationError, match="DIKLAT_CERTIFICATION_SEAL_TRUST_ROOTS="):
        SealSettings()


async def test_the_bsre_remote_signer_says_it_is_not_configured() -> None:
    remote = BsreRemoteSeals()
    with pytest.raises(RemoteSealNotConfigured, match="endpoint"):
        remote.identity("15")
    with pytest.raises(RemoteSealNotConfigured, match="not configured"):
        await remote.sign_digest("15", bytes(32), "sha256")


def _der(pem: bytes) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    return x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
