"""Certification rules for a certificate: how it is numbered, its verification code, the day
it is dated, what it says and how a re-issue corrects it.

Pure: standard library and `shared.regions` only.

Public API
- certificate_number(organizer_code, year, seq, classification="800") -> str
- organizer_code_for(publisher_id) -> str; versioned_number(base_number, version) -> str
- new_verification_code() -> str; normalise_verification_code(text) -> str | None
- VERIFICATION_ALPHABET, VERIFICATION_BITS
- issue_date(closed_on, closed_at, last_session_date, timezone) -> date
- Issuer; issuer_of(info, profile) -> Issuer
- sessions_shown(info) -> list of {no, date, title, jp}
- sttp_content(info, participant, predicate, number, base_number, issue_date, issuer) -> dict
- Correction; corrected_content(content, correction, number, issue_date) -> dict
- SEALED_STATUS; gets_a_sealed_pdf(status) -> bool
- verification_url(public_base_url, code) -> str
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from shared.regions import NASIONAL, is_province, is_valid_publisher_id, local_date_of

# --- certificate numbers and verification codes ------------------------------------------

_ORGANIZER_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]*")
_CLASSIFICATION = re.compile(r"[0-9]+(\.[0-9]+)*")


def certificate_number(
    organizer_code: str, year: int, seq: int, classification: str = "800"
) -> str:
    """Letter-style number `800/0001/BPSDM-15/2022`: unique per organiser and year as long
    as `seq` is. 800 is the Kemendagri archive classification for staffing (kepegawaian)."""
    # A "/" inside a part would let two different (organiser, seq) pairs print alike.
    if _ORGANIZER_CODE.fullmatch(organizer_code) is None:
        raise ValueError(f"organizer code {organizer_code!r}: use letters, digits, '.', '-'")
    if _CLASSIFICATION.fullmatch(classification) is None:
        raise ValueError(f"classification {classification!r}: use digits and dots, e.g. 800")
    if not 1000 <= year <= 9999:
        raise ValueError(f"year {year} is not a four-digit year")
    if seq < 1:
        raise ValueError(f"sequence {seq} must be 1 or more")
    return f"{classification}/{seq:04d}/{organizer_code}/{year}"


def versioned_number(base_number: str, version: int) -> str:
    """Re-issues keep the organiser's sequence and add the version: `…/2022-v2`."""
    return base_number if version == 1 else f"{base_number}-v{version}"


def organizer_code_for(publisher_id: str) -> str:
    """A default organiser code that embeds the publisher id, so numbers never collide
    across publishers: nasional -> BPSDM-KEMENDAGRI, 15 -> BPSDM-15, 35.23 -> BKPSDM-35.23."""
    if not is_valid_publisher_id(publisher_id):
        raise ValueError(f"{publisher_id!r} is not a publisher id")
    if publisher_id == NASIONAL:
        return "BPSDM-KEMENDAGRI"
    if is_province(publisher_id):
        return f"BPSDM-{publisher_id}"
    return f"BKPSDM-{publisher_id}"


# No 0/O, 1/I/L or U/V pairs: a code read off paper is typed back without guessing.
VERIFICATION_ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTWXYZ"
_GROUP_LENGTH: Final = 4
_GROUPS: Final = 5  # 20 symbols of 29 ≈ 97 bits
VERIFICATION_BITS: Final = _GROUPS * _GROUP_LENGTH * math.log2(len(VERIFICATION_ALPHABET))


def new_verification_code() -> str:
    """A random, URL-safe code such as `7KQ2-M9XD-RT4H-WP3N-ZB6C` for the QR and the
    public verification page."""
    # One draw below 29**20, read as 20 base-29 digits: as uniform as 20 separate choices,
    # with one system call instead of twenty (one code per certificate issued).
    base = len(VERIFICATION_ALPHABET)
    value = secrets.randbelow(base ** (_GROUPS * _GROUP_LENGTH))
    symbols = []
    for _ in range(_GROUPS * _GROUP_LENGTH):
        value, digit = divmod(value, base)
        symbols.append(VERIFICATION_ALPHABET[digit])
    return _grouped("".join(symbols))


def normalise_verification_code(text: str) -> str | None:
    """A code as a person typed it (any case, spaces or dashes) in canonical form, or None
    if it cannot be one of ours."""
    symbols = re.sub(r"[\s\-]", "", text).upper()
    if len(symbols) != _GROUPS * _GROUP_LENGTH or any(
        s not in VERIFICATION_ALPHABET for s in symbols
    ):
        return None
    return _grouped(symbols)


def _grouped(symbols: str) -> str:
    return "-".join(symbols[i : i + _GROUP_LENGTH] for i in range(0, len(symbols), _GROUP_LENGTH))


def issue_date(
    closed_on: dt.date | None,
    closed_at: dt.datetime | None,
    last_session_date: dt.date,
    timezone: str,
) -> dt.date:
    """The STTP is dated the day the cohort closed: the close date the organiser gave; else the
    last session's date (a close sent from a spreadsheet years later is sent today), or the day
    the close was sent in the cohort's zone when that is earlier (a cohort cut short). Never
    the processing day: a cohort of 2017 processed today is dated 2017."""
    if closed_on is not None:
        return closed_on
    if closed_at is None:
        return last_session_date
    return min(last_session_date, local_date_of(closed_at, timezone))


# --- who issues it -------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    """Who signs the STTP and where it is issued; None where nobody said (then the STTP shows
    no signatory block rather than an invented one)."""

    signatory: Mapping[str, str] | None  # name, nip, title
    place_of_issue: str | None


def issuer_of(info: Mapping[str, Any], profile: Issuer | None) -> Issuer:
    """The schedule's signatory and place when it states them, else the publisher's profile's,
    each on its own (a schedule may name its place and leave the signatory to the profile)."""
    default = profile or Issuer(None, None)
    signatory = info.get("signatory") or default.signatory
    return Issuer(
        signatory=None if signatory is None else dict(signatory),
        place_of_issue=info.get("place_of_issue") or default.place_of_issue,
    )


def sessions_shown(info: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The back side's list: number, date, subject and JP of each session in date order."""
    ordered = sorted(info.get("sessions", []), key=lambda s: (str(s["date"]), str(s["start"])))
    return [
        {"no": s["no"], "date": str(s["date"]), "title": s.get("title"), "jp": str(s["jp"])}
        for s in ordered
    ]


# --- what a certificate says ---------------------------------------------------------------


def sttp_content(
    info: Mapping[str, Any],
    participant: Mapping[str, Any],
    predicate: str | None,
    number: str,
    base_number: str,
    issue_date: dt.date,
    issuer: Issuer | None = None,
) -> dict[str, Any]:
    """What the STTP shows (design §5), from the cohort's info and the roster entry; the
    verification URL is added when rendering. Everything printed is kept here, so a later
    schedule or profile change never alters a certificate already issued."""
    issuer = issuer or Issuer(None, None)
    return {
        "organizer": info["organizer"],
        "programme_name": info["programme_name"],
        "category": info["category"],
        "angkatan": info["angkatan"],
        "year": info["year"],
        "start_date": info["start_date"],
        "end_date": info["end_date"],
        "location": info["location"],
        "total_jp": str(info["total_jp"]),
        "name": participant["name"],
        "nip": participant["nip"],
        "rank": participant.get("rank"),
        "asn_type": participant.get("asn_type"),
        "position": participant["position"],
        "agency": participant["agency"],
        "predicate": predicate,
        "issue_date": issue_date.isoformat(),
        "number": number,
        "base_number": base_number,
        "place_of_issue": issuer.place_of_issue,
        "signatory": None if issuer.signatory is None else dict(issuer.signatory),
        "sessions": sessions_shown(info),
    }


@dataclass(frozen=True)
class Correction:
    """Fields an admin may correct on a re-issued certificate; None keeps the old value."""

    reason: str
    name: str | None = None
    rank: str | None = None
    position: str | None = None
    agency: str | None = None


def corrected_content(
    content: Mapping[str, Any], correction: Correction, number: str, issue_date: dt.date
) -> dict[str, Any]:
    """A re-issue's STTP: the old one with the corrections, its own number and date."""
    changes = {
        k: v
        for k, v in (
            ("name", correction.name),
            ("rank", correction.rank),
            ("position", correction.position),
            ("agency", correction.agency),
        )
        if v is not None
    }
    return {**content, **changes, "number": number, "issue_date": issue_date.isoformat()}


# --- the sealed PDF ----------------------------------------------------------------------

# A certificate's PDF is rendered and sealed only while it has this status: one revoked or
# superseded before its PDF exists never gets one (a re-issue is a new certificate, sealed anew).
SEALED_STATUS: Final = "valid"


def gets_a_sealed_pdf(status: str) -> bool:
    return status == SEALED_STATUS


def verification_url(public_base_url: str, code: str) -> str:
    """Where anyone checks the certificate: printed as its QR code, shown by the API."""
    return f"{public_base_url.rstrip('/')}/verify/{code}"
