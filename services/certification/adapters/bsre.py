"""A documented stub for BSrE's remote hash-signing (BSSN's e-sign service), as a `SealSigner`
(ports.py): the seal's key stays with BSrE, and only a document digest is sent to it.

What is assumed of the protocol is only this: the service is sent a digest (SHA-256 of the
CMS signed attributes, as pyHanko computes it) and answers a signature ready to be embedded in
CMS, with the seal certificate and its chain obtainable for the same credentials. Endpoints,
authentication flow and payloads are BSrE's to specify; nothing here invents them. Until an
adapter implements them, every use raises `RemoteSealNotConfigured`.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.certification.ports import SealIdentity


class RemoteSealNotConfigured(RuntimeError):
    """The remote signer has no implementation or configuration here."""


NOT_CONFIGURED = (
    "Penandatangan jarak jauh BSrE belum dikonfigurasi: butuh endpoint layanan, kredensial "
    "klien dan identitas segel (mis. NIK/ID segel dan passphrase) dari BSrE. / BSrE's remote "
    "signer is not configured: it needs the service endpoint, the client credentials and the "
    "seal's identity (e.g. seal id and passphrase) issued by BSrE."
)


@dataclass(frozen=True)
class BsreRemoteSeals:
    """SealSigner through BSrE's e-sign: what it will need, and a clear error until then."""

    endpoint: str | None = None  # base URL of BSrE's signing service
    client_id: str | None = None  # the institution's API credentials
    client_secret: str | None = None
    seal_id: str | None = None  # which e-seal of the institution signs, per publisher if several

    def identity(self, publisher: str) -> SealIdentity:
        raise RemoteSealNotConfigured(NOT_CONFIGURED)

    async def sign_digest(self, publisher: str, digest: bytes, digest_algorithm: str) -> bytes:
        raise RemoteSealNotConfigured(NOT_CONFIGURED)
