"""Checking a certificate PDF's seal with pyHanko's validator: who sealed it, whether the seal
verifies (intact, chaining to a trusted root, covering the whole document) and when it was
made. `adapters/postgres/seal_check.py` is the `SealCheck` port over the PDFs stored in Postgres."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from services.certification.adapters.x509_names import common_name
from services.certification.ports import SealStatus

NOT_SEALED = SealStatus(signer="", verified=False, signed_at=None)
# After the seal, only the long-term validation data and document timestamps of B-LTA.
_MAINTENANCE_ONLY = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)


def seal_status(pdf: bytes, trust_roots: Sequence[bytes]) -> SealStatus:
    """The first seal of `pdf` validated against `trust_roots` (DER); NOT_SEALED when it has
    none or is no readable PDF. Blocking: pyHanko runs its own event loop."""
    try:
        seal = _first_seal(pdf)
        if seal is None:
            return NOT_SEALED
        context = ValidationContext(
            trust_roots=[asn1_x509.Certificate.load(der) for der in trust_roots]
        )
        status = validate_pdf_signature(seal, context)
    except (PdfError, ValueError):  # pyHanko's validation errors are ValueErrors
        return NOT_SEALED
    return SealStatus(
        signer=common_name(status.signing_cert),
        verified=verifies(status),
        signed_at=signing_time(seal, status),
    )


def verifies(status: PdfSignatureStatus) -> bool:
    """Intact, cryptographically valid, trusted, and nothing but seal upkeep after it."""
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level in _MAINTENANCE_ONLY
    )
    return bool(status.bottom_line and status.trusted and whole)


def signing_time(seal: EmbeddedPdfSignature, status: PdfSignatureStatus) -> dt.datetime | None:
    """The timestamp authority's time when there is a valid timestamp, else the signer's."""
    stamped = status.timestamp_validity
    if stamped is not None and stamped.intact and stamped.valid:
        return stamped.timestamp
    return seal.self_reported_timestamp


def _first_seal(pdf: bytes) -> EmbeddedPdfSignature | None:
    seals = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_regular_signatures
    return seals[0] if seals else None
