"""Where the publishers' seals come from, from DIKLAT_CERTIFICATION_SEAL_* variables (issue 20).
A wrong value stops the service at start naming its variable."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Literal

from cryptography import x509
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


def local_stack_dir() -> Path:
    """The local stack's directory (diklat/stack: DIKLAT_STACK_DIR, else .stack in the repo)."""
    configured = os.environ.get("DIKLAT_STACK_DIR", "").strip()
    return Path(configured).expanduser() if configured else REPO_ROOT / ".stack"


class SealSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DIKLAT_CERTIFICATION_SEAL_", extra="ignore")

    mode: Literal["local-ca", "pkcs12"] = Field(
        default="local-ca",
        description="local-ca: a stand-in CA of the local stack issues one seal per publisher "
        "on first use; pkcs12: each publisher's seal is <dir>/<publisher>.p12 (e.g. exported "
        "from a BSrE e-seal certificate)",
    )
    dir: Path | None = Field(
        default=None, description="where the seals are; default for local-ca: <stack>/seals"
    )
    pkcs12_password: SecretStr | None = Field(
        default=None, description="password of the PKCS#12 files (pkcs12 mode)"
    )
    trust_roots: Path | None = Field(
        default=None,
        description="PEM file of the roots a seal must chain to (pkcs12 mode: e.g. BSrE's); "
        "local-ca: the stand-in CA's own certificate",
    )

    tsa_url: str | None = Field(
        default=None,
        pattern=r"^https?://\S+$",
        description="RFC 3161 timestamp authority: when set, seals are PAdES B-LTA (timestamp, "
        "embedded validation data, document timestamp) instead of B-B",
    )

    @field_validator("trust_roots")
    @classmethod
    def _trust_roots_are_certificates(cls, value: Path | None) -> Path | None:
        if value is not None:
            try:
                x509.load_pem_x509_certificates(value.read_bytes())
            except (OSError, ValueError) as unreadable:
                raise ValueError(
                    f"DIKLAT_CERTIFICATION_SEAL_TRUST_ROOTS={value}: bukan berkas PEM berisi "
                    "sertifikat yang dapat dibaca. / not a readable PEM file of certificates."
                ) from unreadable
        return value

    @model_validator(mode="after")
    def _pkcs12_needs_its_files(self) -> SealSettings:
        if self.mode == "pkcs12" and (self.dir is None or self.trust_roots is None):
            raise ValueError(
                "DIKLAT_CERTIFICATION_SEAL_MODE=pkcs12 membutuhkan "
                "DIKLAT_CERTIFICATION_SEAL_DIR (berkas <penerbit>.p12) dan "
                "DIKLAT_CERTIFICATION_SEAL_TRUST_ROOTS (PEM akar tepercaya). / pkcs12 mode needs "
                "DIKLAT_CERTIFICATION_SEAL_DIR (the <publisher>.p12 files) and "
                "DIKLAT_CERTIFICATION_SEAL_TRUST_ROOTS (a PEM of the trusted roots)."
            )
        return self

    def seal_dir(self) -> Path:
        return self.dir if self.dir is not None else local_stack_dir() / "seals"


@functools.cache
def seal_settings() -> SealSettings:
    """Read once per process."""
    return SealSettings()
