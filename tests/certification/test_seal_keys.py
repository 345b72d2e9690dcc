"""The publishers' seals from files (services/certification/adapters/seals.py): the local
stand-in CA issues each publisher one seal, reused by every process; pkcs12 mode issues none."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from pydantic import ValidationError

from services.certification.adapters.seals import FileSeals, NoSeal
from services.certification.settings import SealSettings


def local(directory: Path) -> FileSeals:
    return FileSeals(directory, issue_missing=True)


def test_a_publisher_seal_is_issued_once_and_chains_to_the_stand_in_ca(tmp_path: Path) -> None:
    first = local(tmp_path).identity("15")
    again = local(tmp_path).identity("15")  # another process: the same files
    assert first == again
    seal = x509.load_der_x509_certificate(first.certificate)
    (root_der,) = local(tmp_path).trust_roots()
    root = x509.load_der_x509_certificate(root_der)
    assert first.chain == (root_der,)
    seal.verify_directly_issued_by(root)
    assert "15" in seal.subject.rfc4514_string()
    assert (tmp_path / "ca.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")


def test_each_publisher_has_its_own_seal(tmp_path: Path) -> None:
    seals = local(tmp_path)
    assert seals.identity("15").certificate != seals.identity("15.71").certificate


async def test_a_digest_signature_verifies_with_the_seal_certificate(tmp_path: Path) -> None:
    seals = local(tmp_path)
    digest = hashlib.sha256(b"the document").digest()
    signature = await seals.sign_digest("nasional", digest, "sha256")
    public = x509.load_der_x509_certificate(seals.identity("nasional").certificate).public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    with pytest.raises(InvalidSignature):
        other = hashlib.sha256(b"another document").digest()
        public.verify(signature, other, ec.ECDSA(Prehashed(hashes.SHA256())))


def test_the_credential_jwk_is_the_seal_key(tmp_path: Path) -> None:
    seals = local(tmp_path)
    public, private = seals.public_jwk("15"), seals.private_jwk("15")
    assert {k: private[k] for k in public} == public
    assert public["kty"] == "EC" and public["crv"] == "P-256" and "d" not in public
    assert public["kid"] != seals.public_jwk("35.23")["kid"]


def test_pkcs12_mode_issues_nothing(tmp_path: Path) -> None:
    with pytest.raises(NoSeal, match="no seal for publisher 15"):
        FileSeals(tmp_path, issue_missing=False).identity("15")
    assert not any(tmp_path.iterdir())


def test_only_a_publisher_id_has_a_seal(tmp_path: Path) -> None:
    with pytest.raises(NoSeal, match="not a publisher id"):
        local(tmp_path).identity("../ca")


def test_pkcs12_mode_names_the_variables_it_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIKLAT_CERTIFICATION_SEAL_MODE", "pkcs12")
    with pytest.raises(ValidationError, match="DIKLAT_CERTIFICATION_SEAL_TRUST_ROOTS"):
        SealSettings()


def test_local_ca_seals_live_in_the_stack_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIKLAT_STACK_DIR", str(tmp_path))
    monkeypatch.delenv("DIKLAT_CERTIFICATION_SEAL_DIR", raising=False)
    assert SealSettings().seal_dir() == tmp_path / "seals"
