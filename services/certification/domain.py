"""Certification rules: which scores count, who completed, with what predicate, what a
certificate says and how it is numbered.

Pure: standard library, `shared.regions` and `shared.reasons` only. Explanations come in
Indonesian (comma decimals) and English (point decimals) and never show a failing rate as a
passing one.

Public API
- EvaluationFacts, CloseBarrier; judge_evaluation(facts, publisher, position) -> SAVE,
  Reject(reason, ...) or Wait(waiting, reason); close_standing(barriers, position) -> Standing
- score_replaces(sent_at, held_at) -> bool
- CompletionPolicy(*, version, min_attendance_pct=90, evaluation_required=False,
  pass_score=60.01)
- Explanation(message_id, message_en)
- CompletionDecision(completed, reasons, predicate, summary)
- decide_completion(policy, rate_pct, score, withdrawn) -> CompletionDecision
- exact_rate(jp_present, jp_total, rate_pct) -> Fraction
- predicate_for(score) -> str | None; SANGAT_MEMUASKAN ... KURANG_MEMUASKAN, TELAH_MENGIKUTI
- format_id_decimal(value) -> str
- certificate_number(organizer_code, year, seq, classification="800") -> str
- organizer_code_for(publisher_id) -> str; versioned_number(base_number, version) -> str
- sttp_content(info, participant, predicate, number, base_number, issue_date) -> dict
- Correction; corrected_content(content, correction, number, issue_date) -> dict
- issue_date(closed_at, now, timezone) -> date
- new_verification_code() -> str; normalise_verification_code(text) -> str | None
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any, Final, NamedTuple

from shared.reasons import ReasonCode
from shared.regions import NASIONAL, is_province, is_valid_publisher_id, local_date_of

# --- judging a score ----------------------------------------------------------------------


class CloseBarrier(NamedTuple):
    """Where the owner's close record sits on the ingest log, not refused by enrolment;
    `accepted` once enrolment has applied that very close."""

    topic: str
    partition: int
    offset: int
    accepted: bool


class Standing(Enum):
    """Where a record stands against its cohort's close barriers."""

    OPEN = "open"
    CLOSED = "closed"  # after a close enrolment accepted: sent after the close
    UNCONFIRMED = "unconfirmed"  # only after closes enrolment has not ruled on yet


def close_standing(barriers: Iterable[CloseBarrier], position: tuple[str, int, int]) -> Standing:
    """A record was sent after a close when it sits later on the same partition."""
    topic, partition, offset = position
    unconfirmed = False
    for barrier in barriers:
        if barrier.topic == topic and barrier.partition == partition and barrier.offset < offset:
            if barrier.accepted:
                return Standing.CLOSED
            unconfirmed = True
    return Standing.UNCONFIRMED if unconfirmed else Standing.OPEN


@dataclass(frozen=True, slots=True)
class EvaluationFacts:
    """What a participant's score is judged against."""

    publisher: str
    cancelled: bool
    roster_final: bool  # enrolment has closed the cohort: nobody is still coming
    enrolled: bool
    barriers: tuple[CloseBarrier, ...]


class Waiting(Enum):
    """What a score that cannot be judged yet waits for."""

    COHORT = "cohort"  # its schedule
    ENROLMENT = "enrolment"  # the participant's enrolment
    CLOSE_VERDICT = "close verdict"  # enrolment's word on a close sent before it


class Save:
    """The score counts: keep it (a later `time` replaces an earlier one)."""

    __slots__ = ()


SAVE: Final = Save()


@dataclass(frozen=True, slots=True)
class Reject:
    """The score is refused for good; messages default to the reason code's own."""

    reason: ReasonCode
    message_id: str | None = None
    message_en: str | None = None


@dataclass(frozen=True, slots=True)
class Wait:
    """The score waits for `waiting`; if that never comes it is rejected with `reason`."""

    waiting: Waiting
    reason: ReasonCode


def judge_evaluation(
    facts: EvaluationFacts | None, publisher: str | None, position: tuple[str, int, int]
) -> Save | Reject | Wait:
    """Whether a score counts, is refused, or must wait; `publisher` sent it from `position`."""
    if facts is None:
        return Wait(Waiting.COHORT, ReasonCode.UNKNOWN_COHORT)
    if facts.publisher != publisher:
        return Reject(ReasonCode.NOT_OWNER)
    if facts.cancelled:
        return Reject(ReasonCode.COHORT_CANCELLED)
    standing = close_standing(facts.barriers, position)
    if standing is Standing.CLOSED:
        return Reject(
            ReasonCode.COHORT_CLOSED,
            "Nilai dikirim setelah angkatan ditutup.",
            "The score was sent after the cohort was closed.",
        )
    if standing is Standing.UNCONFIRMED:
        # Sent after a close enrolment has not ruled on yet: closed or not, we cannot tell.
        return Wait(Waiting.CLOSE_VERDICT, ReasonCode.COHORT_CLOSED)
    if not facts.enrolled:
        if facts.roster_final:
            # Enrolment publishes the whole roster before CohortClosed: nobody is still coming.
            return Reject(ReasonCode.NOT_ENROLLED)
        return Wait(Waiting.ENROLMENT, ReasonCode.NOT_ENROLLED)
    return SAVE


def score_replaces(sent_at: dt.datetime, held_at: dt.datetime | None) -> bool:
    """A correction is a later `time`; an older score arriving late changes nothing, and of
    two at the same time the later arrival stays."""
    return held_at is None or held_at <= sent_at


# --- completion ----------------------------------------------------------------------------

SANGAT_MEMUASKAN: Final = "Sangat Memuaskan"
MEMUASKAN: Final = "Memuaskan"
CUKUP_MEMUASKAN: Final = "Cukup Memuaskan"
KURANG_MEMUASKAN: Final = "Kurang Memuaskan"
# Cohorts without an evaluation grade nobody; their STTP says the ASN took part.
TELAH_MENGIKUTI: Final = "Telah Mengikuti"

# Lower bounds are exclusive: 90 exactly is Memuaskan, 60 exactly is not passed.
_PREDICATE_BANDS: Final = (
    (Decimal(90), SANGAT_MEMUASKAN),
    (Decimal(80), MEMUASKAN),
    (Decimal(70), CUKUP_MEMUASKAN),
    (Decimal(60), KURANG_MEMUASKAN),
)
_HUNDRED: Final = Decimal(100)


@dataclass(frozen=True, kw_only=True)
class CompletionPolicy:
    """A cohort's completion rule; `version` says which rule a decision used."""

    version: int
    min_attendance_pct: Decimal = Decimal(90)
    evaluation_required: bool = False
    pass_score: Decimal = Decimal("60.01")

    def __post_init__(self) -> None:
        for name, value in (
            ("min_attendance_pct", self.min_attendance_pct),
            ("pass_score", self.pass_score),
        ):
            if not 0 <= value <= _HUNDRED:
                raise ValueError(f"{name} {value} is outside 0–100")


@dataclass(frozen=True)
class Explanation:
    message_id: str
    message_en: str


@dataclass(frozen=True)
class CompletionDecision:
    """`reasons` lists every unmet condition (empty when completed); `predicate` is None
    exactly when not completed."""

    completed: bool
    reasons: tuple[Explanation, ...]
    predicate: str | None
    summary: Explanation


@dataclass(frozen=True)
class _Check:
    met: bool
    explanation: Explanation


_WITHDRAWN: Final = Explanation("mengundurkan diri", "withdrawn")


def predicate_for(score: Decimal) -> str | None:
    """The band of an evaluated cohort's score; None at 60 or below (not passed)."""
    for floor, predicate in _PREDICATE_BANDS:
        if score > floor:
            return predicate
    return None


def decide_completion(
    policy: CompletionPolicy,
    rate_pct: Fraction | Decimal,
    score: Decimal | None,
    withdrawn: bool,
) -> CompletionDecision:
    """Completed ⇔ not withdrawn ∧ rate ≥ min ∧ (no evaluation required ∨ score ≥ pass).

    Call it only for a closed cohort. `rate_pct` should be exact: compute it from
    jp_present/jp_total, not from a rounded figure.
    """
    rate = Fraction(rate_pct)
    if not 0 <= rate <= 100:
        raise ValueError(f"attendance rate {rate_pct} is outside 0–100")
    if score is not None and not 0 <= score <= _HUNDRED:
        raise ValueError(f"score {score} is outside 0–100")
    checks = [
        check
        for check in (
            _Check(False, _WITHDRAWN) if withdrawn else None,
            _attendance_check(policy, rate),
            _evaluation_check(policy, score),
        )
        if check is not None
    ]
    reasons = tuple(check.explanation for check in checks if not check.met)
    if reasons:
        return CompletionDecision(
            False, reasons, None, _join("tidak lulus", "not completed", reasons)
        )
    met = tuple(check.explanation for check in checks)
    return CompletionDecision(True, (), _predicate(policy, score), _join("lulus", "completed", met))


def exact_rate(
    jp_present: Decimal | None, jp_total: Decimal | None, rate_pct: Decimal | None
) -> Fraction:
    """The rate to decide on: the published `rate_pct` is truncated, the JP give the exact one."""
    if jp_present is not None and jp_total:
        return Fraction(jp_present) / Fraction(jp_total) * 100
    return Fraction(rate_pct or 0)


def _attendance_check(policy: CompletionPolicy, rate: Fraction) -> _Check:
    minimum = policy.min_attendance_pct
    # Truncate to at least the minimum's own precision: the shown rate then sits on the
    # same side of the minimum as the exact one, so 89.96 never prints as "90% < 90%".
    places = max(1, _decimal_places(minimum))
    shown = _truncate(rate, places)
    met = rate >= Fraction(minimum)
    sign = "≥" if met else "<"
    return _Check(
        met,
        Explanation(
            f"kehadiran {format_id_decimal(shown)}% {sign} {format_id_decimal(minimum)}%",
            f"attendance {_format_en(shown)}% {sign} {_format_en(minimum)}%",
        ),
    )


def _evaluation_check(policy: CompletionPolicy, score: Decimal | None) -> _Check | None:
    if not policy.evaluation_required:
        return None
    if score is None:
        return _Check(
            False,
            Explanation(
                "evaluasi wajib tetapi nilai belum ada",
                "evaluation required but no score recorded",
            ),
        )
    met = score >= policy.pass_score
    sign = "≥" if met else "<"
    return _Check(
        met,
        Explanation(
            f"nilai {format_id_decimal(score)} {sign} {format_id_decimal(policy.pass_score)}",
            f"score {_format_en(score)} {sign} {_format_en(policy.pass_score)}",
        ),
    )


def _predicate(policy: CompletionPolicy, score: Decimal | None) -> str:
    if not policy.evaluation_required or score is None:
        return TELAH_MENGIKUTI
    # A cohort whose pass score is below the bands still certifies its graduates.
    return predicate_for(score) or TELAH_MENGIKUTI


def _join(verdict_id: str, verdict_en: str, parts: tuple[Explanation, ...]) -> Explanation:
    return Explanation(
        f"{verdict_id}: " + ", ".join(p.message_id for p in parts),
        f"{verdict_en}: " + ", ".join(p.message_en for p in parts),
    )


def _decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _truncate(value: Fraction, places: int) -> Decimal:
    return Decimal(math.floor(value * 10**places)).scaleb(-places)


# --- number formatting -------------------------------------------------------------------


def format_id_decimal(value: Decimal | int) -> str:
    """Indonesian style, exact, no trailing zeros: 88.90 -> "88,9", 1234.5 -> "1.234,5"."""
    return _format_en(value).translate(str.maketrans(",.", ".,"))


def _format_en(value: Decimal | int) -> str:
    number = Decimal(value)
    # normalize() alone would print 60 as 6E+1.
    plain = (
        number.quantize(Decimal(1))
        if number == number.to_integral_value()
        else (number.normalize())
    )
    return f"{plain:,f}"


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


def issue_date(closed_at: dt.datetime | None, now: dt.datetime, timezone: str) -> dt.date:
    """The STTP is dated the day the cohort closed, in the cohort's own zone (a cohort of 2017
    processed today is dated 2017); the processing day only if the close time is unknown."""
    return local_date_of(closed_at or now, timezone)


# --- what a certificate says ---------------------------------------------------------------


def sttp_content(
    info: Mapping[str, Any],
    participant: Mapping[str, Any],
    predicate: str | None,
    number: str,
    base_number: str,
    issue_date: dt.date,
) -> dict[str, Any]:
    """What the STTP shows (design §5), from the cohort's info and the roster entry; the
    verification URL is added when rendering."""
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
        "position": participant["position"],
        "agency": participant["agency"],
        "predicate": predicate,
        "issue_date": issue_date.isoformat(),
        "number": number,
        "base_number": base_number,
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
