"""The publishers' seals and credential keys from files: a PKCS#12 per publisher (`pkcs12`
mode, e.g. a BSrE e-seal exported for unattended signing) or, on the local stack, a stand-in
CA that issues each publisher an EC P-256 seal on first use (`local-ca` mode, not a real
authority: its certificates are trusted only where its root is).

Files are created through a temporary name and a hard link, so two processes issuing the same
publisher's seal at once both end up using the one that won.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from services.certification.ports import SealIdentity
from services.certification.settings import SealSettings
from shared.regions import is_valid_publisher_id

CA_FILE = "ca.p12"
CA_CERT = "ca.pem"
CA_NAME = "diklat local stand-in CA (not a real authority)"
SEAL_YEARS = 5
_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}

SealKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class NoSeal(KeyError):
    """The publisher has no seal here."""


@dataclass(frozen=True)
class _Seal:
    key: SealKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]


class FileSeals:
    """SealSigner and CredentialKeys over a directory of PKCS#12 files (ports.py)."""

    def __init__(
        self,
        directory: Path,
        *,
        issue_missing: bool,
        password: bytes | None = None,
        trust_roots: Path | None = None,
    ) -> None:
        self.directory = directory
        self.issue_missing = issue_missing
        self.password = password
        self.trust_roots_file = trust_roots
        self._seals: dict[str, _Seal] = {}

    @classmethod
    def from_settings(cls, settings: SealSettings) -> FileSeals:
        password = settings.pkcs12_password
        return cls(
            settings.seal_dir(),
            issue_missing=settings.mode == "local-ca",
            password=password.get_secret_value().encode() if password else None,
            trust_roots=settings.trust_roots,
        )

    # --- SealSigner ---

    def identity(self, publisher: str) -> SealIdentity:
        seal = self._seal(publisher)
        return SealIdentity(
            publisher=publisher,
            certificate=_der(seal.certificate),
            chain=tuple(_der(c) for c in seal.chain),
        )

    async def sign_digest(self, publisher: str, digest: bytes, digest_algorithm: str) -> bytes:
        key = self._seal(publisher).key
        algorithm = Prehashed(_HASHES[digest_algorithm.lower()])
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(digest, ec.ECDSA(algorithm))
        return key.sign(digest, PKCS1v15(), algorithm)

    # --- CredentialKeys ---

    def private_jwk(self, publisher: str) -> dict[str, Any]:
        key = self._seal(publisher).key
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise NoSeal(f"the seal of {publisher} is not an EC key: no credential key")
        numbers = key.private_numbers()
        return {**self.public_jwk(publisher), "d": _b64(numbers.private_value, key.curve)}

    def public_jwk(self, publisher: str) -> dict[str, Any]:
        key = self._seal(publisher).key
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise NoSeal(f"the seal of {publisher} is not an EC key: no credential key")
        public = key.public_key().public_numbers()
        thumb = self._seal(publisher).certificate.fingerprint(hashes.SHA256())
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64(public.x, key.curve),
            "y": _b64(public.y, key.curve),
            "kid": base64.urlsafe_b64encode(thumb[:16]).rstrip(b"=").decode(),
            "use": "sig",
            "alg": "ES256",
        }

    # --- trust ---

    def trust_roots(self) -> list[bytes]:
        """The roots a seal must chain to (DER): the configured PEM, else the stand-in CA."""
        if self.trust_roots_file is not None:
            pem = self.trust_roots_file.read_bytes()
            return [_der(c) for c in x509.load_pem_x509_certificates(pem)]
        return [_der(self._authority()[1])]

    # --- loading and issuing ---

    def _seal(self, publisher: str) -> _Seal:
        seal = self._seals.get(publisher)
        if seal is None:
            seal = self._seals[publisher] = self._load_or_issue(publisher)
        return seal

    def _load_or_issue(self, publisher: str) -> _Seal:
        if not is_valid_publisher_id(publisher):
            raise NoSeal(f"{publisher!r} is not a publisher id")
        path = self.directory / f"{publisher}.p12"
        if not path.exists():
            if not self.issue_missing:
                raise NoSeal(f"no seal for publisher {publisher}: {path} is missing")
            _create_once(path, self._issue(publisher))
        key, certificate, chain = pkcs12.load_key_and_certificates(path.read_bytes(), self.password)
        if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
            raise NoSeal(f"{path}: the seal's key must be EC or RSA")
        if certificate is None:
            raise NoSeal(f"{path}: no certificate in the file")
        return _Seal(key, certificate, tuple(chain))

    def _issue(self, publisher: str) -> bytes:
        ca_key, ca_cert = self._authority()
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"Penerbit diklat {publisher}"),
                x509.NameAttribute(NameOID.COMMON_NAME, f"Segel elektronik penerbit {publisher}"),
            ]
        )
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365 * SEAL_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_seal_usage(), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        return pkcs12.serialize_key_and_certificates(
            publisher.encode(), key, certificate, [ca_cert], _encryption(self.password)
        )

    def _authority(self) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        """The stand-in CA: key and certificate in one file, so it is created whole or not."""
        path = self.directory / CA_FILE
        if not path.exists():
            if not self.issue_missing:
                raise NoSeal(f"no stand-in CA in {self.directory} (pkcs12 mode issues none)")
            key, certificate = _new_authority()
            _create_once(
                path,
                pkcs12.serialize_key_and_certificates(
                    b"ca", key, certificate, None, serialization.NoEncryption()
                ),
            )
        loaded, stored, _ = pkcs12.load_key_and_certificates(path.read_bytes(), None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey) or stored is None:
            raise NoSeal(f"{path}: not the stand-in CA's key and certificate")
        key, certificate = loaded, stored
        # Beside it, the root alone as PEM: what a verifier is given to trust.
        if not (self.directory / CA_CERT).exists():
            _create_once(
                self.directory / CA_CERT, certificate.public_bytes(serialization.Encoding.PEM)
            )
        return key, certificate


def _new_authority() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "diklat (local stack)"),
            x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * (SEAL_YEARS + 5)))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def _seal_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _encryption(password: bytes | None) -> serialization.KeySerializationEncryption:
    if password:
        return serialization.BestAvailableEncryption(password)
    return serialization.NoEncryption()


def _create_once(path: Path, content: bytes) -> None:
    """Write `path` unless another process did first (theirs is kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
        os.chmod(temporary, 0o600)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def _b64(value: int, curve: ec.EllipticCurve) -> str:
    size = (curve.key_size + 7) // 8
    return base64.urlsafe_b64encode(value.to_bytes(size, "big")).rstrip(b"=").decode()
