"""Checking a certificate's verifiable credential as a verifier would (issue 20): the VC-JWT's
signature with PyJWT (not the library that signed it) against the key the issuer's profile
publishes under the header's `kid`, then its bit in the issuer's Bitstring Status List.

A list that cannot be fetched or does not verify makes the answer "status could not be
checked", never "valid". Fetching is passed in (`Fetch`): the CLI fetches over HTTP, tests
through the app."""

from __future__ import annotations

import asyncio
import base64
import binascii
import enum
import gzip
import json
import re
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

ALGORITHMS = ["ES256"]
TYP = "vc+jwt"
MIN_LIST_BITS = 131_072  # the Recommendation's minimum; a shorter list is refused
MAX_DOCUMENT = 1_000_000  # bytes: a credential, a profile or a list is far smaller
FETCH_TIMEOUT_S = 10.0
_VERIFY_PAGE = re.compile(r"/verify/[^/?#]+/?$")


class FetchError(Exception):
    """A document could not be fetched (the message says why, for people)."""


Fetch = Callable[[str], Awaitable[bytes]]


class Verdict(enum.Enum):
    VALID = "valid"
    REVOKED = "revoked"
    SIGNATURE_INVALID = "signature-invalid"
    SIGNATURE_UNCHECKED = "signature-unchecked"
    UNTRUSTED_ISSUER = "untrusted-issuer"
    STATUS_UNCHECKED = "status-unchecked"
    UNREADABLE = "unreadable"


HEADLINES = {
    Verdict.VALID: "BERLAKU: tanda tangan sah dan tidak dicabut. "
    "/ VALID: the signature verifies and it is not revoked.",
    Verdict.REVOKED: "DICABUT: tanda tangan sah, tetapi penerbit telah mencabutnya. "
    "/ REVOKED: the signature verifies, but the issuer has revoked it.",
    Verdict.SIGNATURE_INVALID: "TANDA TANGAN TIDAK SAH: isi kredensial telah diubah atau "
    "tidak ditandatangani penerbitnya. / SIGNATURE INVALID: the credential was altered or "
    "not signed by its issuer.",
    Verdict.SIGNATURE_UNCHECKED: "TANDA TANGAN TIDAK DAPAT DIPERIKSA: kunci penerbit tidak "
    "dapat diambil; jangan anggap berlaku. / SIGNATURE COULD NOT BE CHECKED: the issuer's key "
    "could not be fetched; do not take it as valid.",
    Verdict.UNTRUSTED_ISSUER: "PENERBIT TIDAK DIPERCAYA: kredensial ini diterbitkan oleh "
    "alamat di luar yang Anda percayai. / ISSUER NOT TRUSTED: this credential comes from an "
    "address outside those you trust.",
    Verdict.STATUS_UNCHECKED: "STATUS TIDAK DAPAT DIPERIKSA: tanda tangan sah, tetapi daftar "
    "status penerbit tidak dapat diambil atau diverifikasi; jangan anggap berlaku. / STATUS "
    "COULD NOT BE CHECKED: the signature verifies, but the issuer's status list could not be "
    "fetched or verified; do not take it as valid.",
    Verdict.UNREADABLE: "TIDAK DAPAT DIPERIKSA: kredensial tidak dapat dibaca. "
    "/ CANNOT BE CHECKED: the credential could not be read.",
}


@dataclass(frozen=True)
class Result:
    verdict: Verdict
    reason: str = ""  # why, Indonesian then English, when not valid
    facts: dict[str, str] = field(default_factory=dict)  # what the credential says

    def lines(self) -> list[str]:
        shown = [HEADLINES[self.verdict]]
        if self.reason:
            shown.append(self.reason)
        # What an unverified credential claims is not shown: a forger writes what he likes.
        if self.verdict in SIGNED:
            shown.extend(f"  {label}: {value}" for label, value in self.facts.items())
        return shown


SIGNED = {Verdict.VALID, Verdict.REVOKED, Verdict.STATUS_UNCHECKED}
ISSUER_NOTE = (
    "Pastikan alamat penerbit di atas memang milik penyelenggara pelatihan (atau berikan "
    "--trusted <alamat>). / Make sure the issuer's address above is the training organiser's "
    "(or pass --trusted <address>)."
)


class _Refused(Exception):
    def __init__(self, verdict: Verdict, reason: str) -> None:
        super().__init__(reason)
        self.verdict, self.reason = verdict, reason


async def verify(token: str, fetch: Fetch, trusted: Sequence[str] = ()) -> Result:
    """The verdict on a VC-JWT, fetching the issuer's profile and status list with `fetch`;
    with `trusted` base URLs, an issuer under none of them is refused."""
    facts: dict[str, str] = {}
    try:
        header, claimed = _parsed(token.strip())
        if "OpenBadgeCredential" not in claimed.get("type", []):
            raise _Refused(
                Verdict.UNREADABLE,
                "Kredensial ini bukan OpenBadgeCredential. / This is not an OpenBadgeCredential.",
            )
        facts = _facts(claimed)
        issuer = _issuer_id(claimed)
        _require_trusted(issuer, trusted)
        key = await _issuer_key(issuer, str(header.get("kid", "")), fetch)
        credential = _verified(token.strip(), key)
        await _check_status(credential, issuer, fetch)
    except _Refused as refused:
        return Result(refused.verdict, refused.reason, facts)
    return Result(Verdict.VALID, "", facts)


def _parsed(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a VC-JWT, not verified yet."""
    try:
        header = jwt.get_unverified_header(token)
        payload = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise _Refused(
            Verdict.UNREADABLE,
            "Isinya bukan JWT (tiga bagian base64url dipisah titik). "
            "/ Its content is not a JWT (three base64url parts separated by dots).",
        ) from None
    if header.get("typ") != TYP or header.get("alg") not in ALGORITHMS:
        raise _Refused(
            Verdict.UNREADABLE,
            f"JWT ini bukan kredensial VC-JWT (typ {TYP}, alg ES256). "
            f"/ This JWT is not a VC-JWT credential (typ {TYP}, alg ES256).",
        )
    return header, payload


def _require_trusted(issuer: str, trusted: Sequence[str]) -> None:
    if trusted and not any(issuer.startswith(base.rstrip("/") + "/") for base in trusted):
        raise _Refused(
            Verdict.UNTRUSTED_ISSUER,
            f"Penerbit {issuer} bukan penerbit yang dipercaya. "
            f"/ The issuer {issuer} is not a trusted one.",
        )


def _issuer_id(credential: Mapping[str, Any]) -> str:
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(issuer_id, str) or not issuer_id.startswith(("https://", "http://")):
        raise _Refused(
            Verdict.UNREADABLE,
            "Penerbit kredensial tidak bernama alamat web. / The issuer is not named by a URL.",
        )
    return issuer_id


async def _issuer_key(issuer: str, kid: str, fetch: Fetch) -> Any:
    """The public key the issuer's profile lists under `kid`; the key must be the issuer's."""
    unchecked = (
        "Kunci penerbit tidak dapat diambil dari {url}: {why} "
        "/ The issuer's key could not be fetched from {url}: {why}"
    )
    if not kid.startswith(issuer + "#"):
        raise _Refused(
            Verdict.SIGNATURE_INVALID,
            "Kunci penanda tangan bukan milik penerbit yang disebut. "
            "/ The signing key is not the named issuer's.",
        )
    try:
        profile = json.loads(await fetch(issuer))
    except FetchError as failed:
        why = str(failed)
        raise _Refused(Verdict.SIGNATURE_UNCHECKED, unchecked.format(url=issuer, why=why)) from None
    except ValueError:
        why = "bukan JSON / not JSON"
        raise _Refused(Verdict.SIGNATURE_UNCHECKED, unchecked.format(url=issuer, why=why)) from None
    for method in profile.get("verificationMethod", []) if isinstance(profile, dict) else []:
        if method.get("id") == kid and method.get("controller") == issuer:
            try:
                return jwt.PyJWK(method["publicKeyJwk"]).key
            except (jwt.PyJWTError, KeyError, TypeError):
                break
    raise _Refused(
        Verdict.SIGNATURE_INVALID,
        "Penerbit tidak mencantumkan kunci yang dipakai untuk menandatangani. "
        "/ The issuer does not list the key the credential was signed with.",
    )


def _verified(token: str, key: Any) -> dict[str, Any]:
    try:
        payload: dict[str, Any] = jwt.decode(
            token, key, algorithms=ALGORITHMS, options={"verify_aud": False}
        )
    except jwt.InvalidSignatureError:
        raise _Refused(
            Verdict.SIGNATURE_INVALID,
            "Tanda tangan tidak cocok dengan isi. / The signature does not match the content.",
        ) from None
    except jwt.PyJWTError as refused:
        raise _Refused(
            Verdict.SIGNATURE_INVALID,
            f"JWT ditolak: {type(refused).__name__}. / The JWT was refused.",
        ) from None
    return payload


async def _check_status(credential: Mapping[str, Any], issuer: str, fetch: Fetch) -> None:
    entry = credential.get("credentialStatus")
    if not isinstance(entry, Mapping) or entry.get("type") != "BitstringStatusListEntry":
        raise _unchecked("kredensial tidak memuat entri status", "it has no status entry")
    url, purpose = entry.get("statusListCredential"), entry.get("statusPurpose")
    try:
        index = int(entry.get("statusListIndex", ""))
    except ValueError:
        raise _unchecked("indeks status tidak sah", "the status index is invalid") from None
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise _unchecked("alamat daftar status tidak sah", "the status list URL is invalid")
    try:
        listed = await fetch(url)
    except FetchError as failed:
        raise _Refused(Verdict.STATUS_UNCHECKED, f"{url}: {failed}") from None
    bits = await _status_bits(listed.decode(errors="replace"), url, issuer, purpose, fetch)
    if index < 0 or index >= len(bits) * 8:
        raise _unchecked("indeks di luar daftar", "the index is outside the list")
    if bits[index // 8] & (0x80 >> (index % 8)):
        raise _Refused(Verdict.REVOKED, "")


async def _status_bits(token: str, url: str, issuer: str, purpose: Any, fetch: Fetch) -> bytes:
    """The list's bitstring, once its own signature (the same issuer's key) verifies."""
    try:
        header, _ = _parsed(token)
        key = await _issuer_key(issuer, str(header.get("kid", "")), fetch)
        listed = _verified(token, key)
    except _Refused:
        raise _unchecked(
            "tanda tangan daftar status tidak sah", "the status list's signature did not verify"
        ) from None
    subject = listed.get("credentialSubject", {})
    if (
        listed.get("id") != url
        or "BitstringStatusListCredential" not in listed.get("type", [])
        or subject.get("statusPurpose") != purpose
    ):
        raise _unchecked("daftar status bukan yang dirujuk", "the status list is not the one named")
    bits = _decoded(str(subject.get("encodedList", "")))
    if len(bits) * 8 < MIN_LIST_BITS:
        raise _unchecked("daftar status terlalu pendek", "the status list is too short")
    return bits


def _decoded(encoded: str) -> bytes:
    """A multibase base64url (`u`) GZIP bitstring, as the Recommendation encodes it."""
    if not encoded.startswith("u"):
        raise _unchecked("daftar status tak terbaca", "the status list is unreadable")
    text = encoded[1:]
    try:
        return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, OSError, EOFError, ValueError):
        raise _unchecked("daftar status tak terbaca", "the status list is unreadable") from None


def _unchecked(why_id: str, why_en: str) -> _Refused:
    return _Refused(Verdict.STATUS_UNCHECKED, f"Sebab: {why_id}. / Why: {why_en}.")


def _facts(credential: Mapping[str, Any]) -> dict[str, str]:
    """What the credential claims, shown beside the verdict (not trusted before it)."""
    subject = credential.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, Mapping) else {}
    issuer = credential.get("issuer")
    names = [
        i.get("identityHash", "")
        for i in subject.get("identifier") or []
        if isinstance(i, Mapping) and i.get("identityType") == "name" and not i.get("hashed")
    ]
    facts = {
        "Pemegang / Holder": names[0] if names else "",
        "Program / Programme": str(achievement.get("name", "")),
        "Nomor / Number": str(achievement.get("humanCode", "")),
        "Berlaku sejak / Valid from": str(credential.get("validFrom", "")),
        "Penerbit / Issuer": (
            f"{issuer.get('name', '')} ({issuer.get('id', '')})"
            if isinstance(issuer, Mapping)
            else str(issuer or "")
        ),
    }
    return {label: value for label, value in facts.items() if value}


# --- for people: where the credential comes from, and fetching over HTTP ---------------------


def fetch_over_http(url: str) -> bytes:
    """GET `url` (http or https only), at most MAX_DOCUMENT bytes; FetchError says why."""
    if not url.startswith(("https://", "http://")):
        raise FetchError("bukan alamat http(s) / not an http(s) address")
    request = urllib.request.Request(url, headers={"Accept": "application/vc+jwt, */*"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:
            body: bytes = response.read(MAX_DOCUMENT + 1)
    except urllib.error.HTTPError as refused:
        raise FetchError(f"jawaban HTTP {refused.code} / HTTP status {refused.code}") from None
    except (urllib.error.URLError, OSError) as failed:
        raise FetchError(_connection_problem(getattr(failed, "reason", failed))) from None
    if len(body) > MAX_DOCUMENT:
        raise FetchError("dokumen terlalu besar / the document is too large")
    return body


async def credential_from(source: str, fetch: Fetch) -> str:
    """The VC-JWT text of a file or a URL; FetchError says why it could not be read."""
    if source.startswith(("https://", "http://")):
        # The QR's page address is what people have at hand: its credential is beside it.
        if _VERIFY_PAGE.search(source):
            source = source.rstrip("/") + "/credential"
        return (await fetch(source)).decode(errors="replace")
    try:
        return await asyncio.to_thread(Path(source).read_text, errors="replace")
    except FileNotFoundError:
        raise FetchError("berkas tidak ada / no such file") from None
    except PermissionError:
        raise FetchError("tidak ada izin membaca berkas / no permission to read it") from None
    except OSError:
        raise FetchError("berkas tidak dapat dibaca / the file cannot be read") from None


def _connection_problem(reason: object) -> str:
    """Why a connection failed, in words (not the library's)."""
    if isinstance(reason, ConnectionRefusedError):
        return "sambungan ditolak server / the server refused the connection"
    if isinstance(reason, TimeoutError):
        return "server tidak menjawab tepat waktu / the server did not answer in time"
    if isinstance(reason, socket.gaierror):
        return "nama server tidak dikenal / unknown server name"
    if isinstance(reason, ssl.SSLError):
        return "sambungan aman (TLS) gagal / the secure (TLS) connection failed"
    return "tidak dapat tersambung ke server / could not connect to the server"
