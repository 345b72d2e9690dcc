"""A certificate as a verifiable credential (issue 20): an Open Badges 3.0
`OpenBadgeCredential` in the W3C VC Data Model 2.0, its `BitstringStatusListEntry`, the
publisher's status list (W3C Bitstring Status List) and the issuer's profile with its keys.

Pure: standard library only; randomness is passed in.

Public API
- VC_CONTEXT, OB_CONTEXT, STATUS_LIST_SIZE, STATUS_LIST_TTL_S, MEDIA_TYPE
- StatusPosition, CompletionRule
- issuer_id(base_url, publisher), key_url(base_url, publisher, kid),
  status_list_url(base_url, publisher, list_no)
- open_badge(certificate, rule, position, base_url) -> dict
- identity_hash(nip, salt) -> str; new_salt(rng) -> str
- draw_positions(count, list_no, taken, rng, size) -> list[(list_no, index)]
- encoded_list(indexes, size) -> str; status_list_credential(...) -> dict
- issuer_profile(base_url, publisher, name, public_jwks) -> dict
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import random
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from services.certification.domain import format_id_decimal

if TYPE_CHECKING:
    from services.certification.ports import Certificate

VC_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT: Final = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA: Final = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
MEDIA_TYPE: Final = "application/vc+jwt"
# The Recommendation's minimum: one set bit hides among 131,072 (herd privacy).
STATUS_LIST_SIZE: Final = 131_072
STATUS_LIST_TTL_S: Final = 300
# A fixed namespace so a cohort's achievement keeps one id across every credential of it.
_ACHIEVEMENTS = uuid.UUID("6f1d1c9e-4d5a-4f0e-9a51-1c2a7d0b8e43")


@dataclass(frozen=True)
class StatusPosition:
    """Where a certificate's bit sits in its publisher's status lists, and its NIP hash salt."""

    list_no: int
    index: int
    salt: str


@dataclass(frozen=True)
class CompletionRule:
    """What completing the cohort took (its completion policy)."""

    min_attendance_pct: Decimal
    evaluation_required: bool
    pass_score: Decimal


# --- addresses -----------------------------------------------------------------------------


def issuer_id(base_url: str, publisher: str) -> str:
    return f"{base_url.rstrip('/')}/issuers/{publisher}"


def key_url(base_url: str, publisher: str, kid: str) -> str:
    """The key's id as the JWS header names it: dereferences to the issuer's profile."""
    return f"{issuer_id(base_url, publisher)}#{kid}"


def status_list_url(base_url: str, publisher: str, list_no: int) -> str:
    return f"{base_url.rstrip('/')}/status-lists/{publisher}/{list_no}"


# --- the credential ------------------------------------------------------------------------


def identity_hash(nip: str, salt: str) -> str:
    """Open Badges' IdentityHash: `sha256$` and the hex digest of the value then the salt."""
    return "sha256$" + hashlib.sha256((nip + salt).encode()).hexdigest()


def new_salt(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def open_badge(
    certificate: Certificate, rule: CompletionRule, position: StatusPosition, base_url: str
) -> dict[str, Any]:
    """The certificate's OpenBadgeCredential, unsigned: what the VC-JWT carries."""
    c = certificate.content
    issuer = issuer_id(base_url, certificate.publisher)
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"urn:uuid:{certificate.id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": c["organizer"]},
        "validFrom": f"{c['issue_date']}T00:00:00Z",
        "name": f"STTP {c['programme_name']} — {c['name']}",
        "description": (
            f"Surat Tanda Tamat Pelatihan nomor {c['number']}. "
            f"/ Certificate of completion number {c['number']}."
        ),
        "credentialSubject": _subject(c, rule, position.salt, certificate.cohort_code),
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialStatus": _status_entry(base_url, certificate.publisher, position),
    }


def _subject(
    c: Mapping[str, Any], rule: CompletionRule, salt: str, cohort_code: str
) -> dict[str, Any]:
    jp = float(Decimal(c["total_jp"]))
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "ext:NIP",
                "identityHash": identity_hash(c["nip"], salt),
                "hashed": True,
                "salt": salt,
            },
            {
                "type": "IdentityObject",
                "identityType": "name",
                "identityHash": c["name"],
                "hashed": False,
            },
        ],
        "achievement": _achievement(c, rule, cohort_code, jp),
        "creditsEarned": jp,
    }
    if c.get("predicate"):
        subject["result"] = [{"type": ["Result"], "value": c["predicate"]}]
    return subject


def _achievement(
    c: Mapping[str, Any], rule: CompletionRule, cohort_code: str, jp: float
) -> dict[str, Any]:
    return {
        "id": f"urn:uuid:{uuid.uuid5(_ACHIEVEMENTS, cohort_code)}",
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": c["programme_name"],
        "description": (
            f"{c['programme_name']} angkatan {c['angkatan']} tahun {c['year']}, "
            f"{c['start_date']} s.d. {c['end_date']}, {c['location']}; "
            f"penyelenggara {c['organizer']}."
        ),
        "criteria": {"narrative": criteria_narrative(rule, c["total_jp"])},
        "creditsAvailable": jp,
        "humanCode": c["number"],
    }


def criteria_narrative(rule: CompletionRule, total_jp: str) -> str:
    """What completing took, Indonesian then English."""
    jp = format_id_decimal(Decimal(total_jp))
    pct = format_id_decimal(rule.min_attendance_pct)
    text = f"Hadir sekurang-kurangnya {pct}% dari {jp} JP (jam pelajaran)"
    english = f"Attended at least {rule.min_attendance_pct.normalize():f}% of {total_jp} JP"
    if rule.evaluation_required:
        score = format_id_decimal(rule.pass_score)
        text += f" dan nilai evaluasi sekurang-kurangnya {score}"
        english += f" and an evaluation score of at least {rule.pass_score.normalize():f}"
    return f"{text}. / {english} (lesson hours of 45 minutes)."


def _status_entry(base_url: str, publisher: str, position: StatusPosition) -> dict[str, Any]:
    url = status_list_url(base_url, publisher, position.list_no)
    return {
        "id": f"{url}#{position.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(position.index),
        "statusListCredential": url,
    }


# --- status lists --------------------------------------------------------------------------


def draw_positions(
    count: int, list_no: int, taken: set[int], rng: random.Random, size: int = STATUS_LIST_SIZE
) -> list[tuple[int, int]]:
    """`count` free (list, index) positions drawn at random (never in issuing order: a bit's
    place says nothing of when or to whom); a full list is followed by the next number."""
    drawn: list[tuple[int, int]] = []
    used = set(taken)
    while len(drawn) < count:
        room = size - len(used)
        if room <= 0:
            list_no, used = list_no + 1, set()
            continue
        take = min(count - len(drawn), room)
        picked = _free_indexes(take, used, rng, size)
        used.update(picked)
        drawn.extend((list_no, index) for index in picked)
    return drawn


def _free_indexes(count: int, used: set[int], rng: random.Random, size: int) -> list[int]:
    if len(used) + count <= size // 2:
        # Mostly empty: draw and redraw on a hit, without listing the free places.
        picked: list[int] = []
        chosen: set[int] = set()
        while len(picked) < count:
            index = rng.randrange(size)
            if index not in used and index not in chosen:
                chosen.add(index)
                picked.append(index)
        return picked
    return rng.sample([i for i in range(size) if i not in used], count)


def encoded_list(indexes: Iterable[int], size: int = STATUS_LIST_SIZE) -> str:
    """The bitstring with these indexes set (index 0 the left-most bit), GZIP-compressed and
    base64url-encoded without padding, with the multibase prefix `u`."""
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same list always encodes to the same text.
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def status_list_credential(
    base_url: str, publisher: str, list_no: int, revoked: Iterable[int], now: dt.datetime
) -> dict[str, Any]:
    """The publisher's list `list_no` as a BitstringStatusListCredential, unsigned."""
    url = status_list_url(base_url, publisher, list_no)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(base_url, publisher),
        "validFrom": now.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(revoked),
            "ttl": STATUS_LIST_TTL_S * 1000,
        },
    }


# --- the issuer ----------------------------------------------------------------------------


def issuer_profile(
    base_url: str, publisher: str, name: str, public_jwks: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The issuer's Open Badges Profile with its keys as a controller document lists them:
    a verifier finds the key a credential's `kid` names among `verificationMethod`."""
    issuer = issuer_id(base_url, publisher)
    methods = [
        {
            "id": key_url(base_url, publisher, str(jwk["kid"])),
            "type": "JsonWebKey",
            "controller": issuer,
            "publicKeyJwk": dict(jwk),
        }
        for jwk in public_jwks
    ]
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer,
        "type": ["Profile"],
        "name": name,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }
