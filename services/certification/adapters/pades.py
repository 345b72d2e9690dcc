"""Sealing a certificate PDF with its publisher's seal, as PAdES with pyHanko.

The signature is made through the `SealSigner` port: pyHanko hands `PortSigner` the bytes to
sign, it hashes them and sends only the digest to `sign_digest`, so a remote hash-signing
service (BSrE's e-sign) needs only its own `SealSigner` adapter. Baseline B-B (ETSI.CAdES.detached,
SHA-256) without a timestamp authority; with one (DIKLAT_CERTIFICATION_SEAL_TSA_URL) the
signature is timestamped, its validation data embedded and a document timestamp added (B-LTA).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from typing import Final

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, Signer
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from services.certification.adapters.pdf import SEAL_FIELD_BOX
from services.certification.adapters.seals import FileSeals
from services.certification.adapters.x509_names import common_name
from services.certification.ports import SealSigner
from services.certification.settings import SealSettings

SEAL_FIELD: Final = "SegelElektronik"
DIGEST: Final = "sha256"
SEAL_REASON: Final = "Segel elektronik penerbit STTP / Electronic seal of the STTP's publisher"


def seal_mark_text(seal_name: str) -> str:
    """What the visible mark says: who sealed, Indonesian first; the time is pyHanko's %(ts)s."""
    return f"Disegel secara elektronik oleh\n{seal_name}\nElectronically sealed\n%(ts)s"


def seal_mark_box() -> tuple[int, int, int, int]:
    """Where the seal mark sits on page 1, in PDF points: the box the STTP layout leaves
    empty above the signatory (adapters/pdf.py)."""
    left, bottom, right, top = SEAL_FIELD_BOX
    return (round(left), round(bottom), round(right), round(top))


class PortSigner(Signer):
    """A pyHanko signer whose raw signatures come from a `SealSigner` (digest in, DER out)."""

    def __init__(self, port: SealSigner, publisher: str) -> None:
        identity = port.identity(publisher)
        chain = SimpleCertificateStore()  # type: ignore[no-untyped-call]  # untyped __init__
        for der in identity.chain:
            chain.register(asn1_x509.Certificate.load(der))
        super().__init__(
            signing_cert=asn1_x509.Certificate.load(identity.certificate),
            cert_registry=chain,
            embed_roots=True,
        )
        self.port = port
        self.publisher = publisher

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            # Only the size counts here: no round trip to a remote signer.
            return bytes(self.signature_size())
        digest = hashlib.new(digest_algorithm, data).digest()
        return await self.port.sign_digest(self.publisher, digest, digest_algorithm)

    def signature_size(self) -> int:
        """The largest raw signature this seal's key makes, in bytes."""
        certificate = self.signing_cert
        assert certificate is not None
        public: asn1_keys.PublicKeyInfo = certificate.public_key
        size = (int(public.bit_size) + 7) // 8
        # ECDSA: a DER SEQUENCE of two INTEGERs, each up to one byte longer than the order.
        return 2 * (size + 3) + 3 if public.algorithm == "ec" else size


class Sealing:
    """Seals PDFs with the publishers' seals (B-B, or B-LTA through a timestamp authority)."""

    def __init__(
        self, signer: SealSigner, trust_roots: Sequence[bytes], tsa_url: str | None = None
    ) -> None:
        self.signer = signer
        self.trust_roots = tuple(trust_roots)
        self.tsa_url = tsa_url
        # One client for every seal: it keeps the authority's sample reply for size estimates.
        self.timestamper = HTTPTimeStamper(tsa_url) if tsa_url else None
        self.reserved: dict[bytes, int] = {}

    @classmethod
    def from_settings(cls, settings: SealSettings) -> Sealing:
        seals = FileSeals.from_settings(settings)
        return cls(seals, seals.trust_roots(), settings.tsa_url)

    async def seal(self, pdf: bytes, publisher: str) -> bytes:
        """`pdf` with the publisher's seal added as an incremental update, and its mark."""
        signer = PortSigner(self.signer, publisher)
        assert signer.signing_cert is not None
        pdf_signer = PdfSigner(
            self.metadata(),
            signer,
            timestamper=self.timestamper,
            stamp_style=TextStampStyle(
                stamp_text=seal_mark_text(common_name(signer.signing_cert)), border_width=1
            ),
            new_field_spec=SigFieldSpec(SEAL_FIELD, on_page=0, box=seal_mark_box()),
        )
        output = io.BytesIO()
        await pdf_signer.async_sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf)),
            output=output,
            bytes_reserved=await self.bytes_reserved(signer),
        )
        return output.getvalue()

    async def bytes_reserved(self, signer: PortSigner) -> int | None:
        """The room for a B-B signature, estimated once per seal certificate the way pyHanko
        does before every signature (a dry run costs as much as the signature itself); None
        with a timestamp authority, whose replies vary: pyHanko estimates each time."""
        certificate = signer.signing_cert
        if self.timestamper is not None or certificate is None:
            return None
        key: bytes = certificate.sha256
        if key not in self.reserved:
            sample = await signer.async_sign(
                bytes(hashlib.new(DIGEST).digest_size),
                DIGEST,
                use_pades=True,
                dry_run=True,
                signed_attr_settings=PdfCMSSignedAttributes(signing_time=dt.datetime.now(dt.UTC)),
            )
            hex_length = 2 * len(sample.dump())
            self.reserved[key] = hex_length + 2 * (hex_length // 4)  # pyHanko's own margin
        return self.reserved[key]

    def metadata(self) -> PdfSignatureMetadata:
        long_term = self.tsa_url is not None
        return PdfSignatureMetadata(
            field_name=SEAL_FIELD,
            md_algorithm=DIGEST,
            subfilter=SigSeedSubFilter.PADES,
            reason=SEAL_REASON,
            embed_validation_info=long_term,
            use_pades_lta=long_term,
            validation_context=self.validation_context() if long_term else None,
        )

    def validation_context(self) -> ValidationContext:
        """What signing checks before embedding validation data: the configured roots (the
        seal's and the timestamp authority's), revocation data fetched where certificates
        point to it."""
        roots = [asn1_x509.Certificate.load(der) for der in self.trust_roots]
        return ValidationContext(trust_roots=roots, allow_fetching=True)
