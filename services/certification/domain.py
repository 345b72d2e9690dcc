"""Certification rules: which scores count, who completed, with what predicate. What a
certificate says and how it is numbered: `certificates.py`.

Pure: standard library, `shared.reasons` and `shared.judgement` only. Explanations come in
Indonesian (comma decimals) and English (point decimals) and never show a failing rate as a
passing one.

Public API
- EvaluationFacts; judge_evaluation(facts, publisher, position) -> shared.judgement's SAVE,
  Reject(reason, ...) or Wait(waiting, reason)
- score_replaces(sent_at, held_at) -> bool
- CompletionPolicy(*, version, min_attendance_pct=90, evaluation_required=False,
  pass_score=60.01)
- Explanation(message_id, message_en)
- CompletionDecision(completed, reasons, predicate, summary)
- decide_completion(policy, rate_pct, score, withdrawn) -> CompletionDecision
- exact_rate(jp_present, jp_total, rate_pct) -> Fraction
- predicate_for(score) -> str | None; SANGAT_MEMUASKAN ... KURANG_MEMUASKAN, TELAH_MENGIKUTI
- format_id_decimal(value) -> str
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final

from shared import judgement
from shared.reasons import ReasonCode

__all__ = [
    "CUKUP_MEMUASKAN",
    "KURANG_MEMUASKAN",
    "MEMUASKAN",
    "SANGAT_MEMUASKAN",
    "TELAH_MENGIKUTI",
    "CompletionDecision",
    "CompletionPolicy",
    "EvaluationFacts",
    "Explanation",
    "decide_completion",
    "exact_rate",
    "format_id_decimal",
    "judge_evaluation",
    "predicate_for",
    "score_replaces",
]

# --- judging a score ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvaluationFacts:
    """What a participant's score is judged against."""

    publisher: str
    cancelled: bool
    roster_final: bool  # enrolment has closed the cohort: nobody is still coming
    enrolled: bool
    barriers: tuple[judgement.CloseBarrier, ...]


def judge_evaluation(
    facts: EvaluationFacts | None, publisher: str | None, position: tuple[str, int, int]
) -> judgement.Save | judgement.Reject | judgement.Wait:
    """Whether a score counts, is refused, or must wait; `publisher` sent it from `position`."""
    if facts is None:
        return judgement.Wait(judgement.Waiting.COHORT, ReasonCode.UNKNOWN_COHORT)
    if facts.publisher != publisher:
        return judgement.Reject(ReasonCode.NOT_OWNER)
    if facts.cancelled:
        return judgement.Reject(ReasonCode.COHORT_CANCELLED)
    standing = judgement.close_standing(facts.barriers, position)
    if standing is judgement.Standing.CLOSED:
        return judgement.Reject(
            ReasonCode.COHORT_CLOSED,
            "Nilai dikirim setelah angkatan ditutup.",
            "The score was sent after the cohort was closed.",
        )
    if standing is judgement.Standing.UNCONFIRMED:
        # Sent after a close enrolment has not ruled on yet: closed or not, we cannot tell.
        return judgement.Wait(judgement.Waiting.CLOSE_VERDICT, ReasonCode.COHORT_CLOSED)
    if not facts.enrolled:
        if facts.roster_final:
            # Enrolment publishes the whole roster before CohortClosed: nobody is still coming.
            return judgement.Reject(ReasonCode.NOT_ENROLLED)
        return judgement.Wait(judgement.Waiting.ENROLMENT, ReasonCode.NOT_ENROLLED)
    return judgement.SAVE


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
