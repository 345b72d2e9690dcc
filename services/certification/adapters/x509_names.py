"""Names in X.509 certificates as a person reads them (asn1crypto only: the seal check reads
them without the signing stack)."""

from __future__ import annotations

from asn1crypto import x509 as asn1_x509


def common_name(certificate: asn1_x509.Certificate) -> str:
    """The certificate subject's CN, else its whole subject as text."""
    subject = certificate.subject.native
    return str(subject.get("common_name") or certificate.subject.human_friendly)
