"""The 20 JP determination (issue 19): for one ASN and one year, the JP credited, the minimum
that applies, a status with its reason, and the provenance behind it. Pure.

PP 11/2017 (as amended by PP 17/2020) art. 203(4) gives every PNS at least 20 JP a year; PPPK
are bounded by 24 JP as a maximum (PP 49/2018), so they are not assessed by default. Both, and
which employment statuses exempt an ASN, are policy: `Policy` carries them.

A training counts for the year its cohort ended, when the participant completed it and was
not withdrawn and the cohort was not cancelled. The roster entry given is the one in force at
the year's end; a status counts for a year when it began on or before the year's last day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from shared.events.ingest import EmploymentStatus


class Standing(StrEnum):
    MET = "MET"
    BELOW = "BELOW"
    ZERO = "ZERO"
    EXEMPT = "EXEMPT"
    NOT_IN_ROSTER = "NOT_IN_ROSTER"


class Reason(StrEnum):
    MINIMUM_MET = "MINIMUM_MET"
    SHORTFALL = "SHORTFALL"
    NO_TRAINING = "NO_TRAINING"
    TYPE_NOT_ASSESSED = "TYPE_NOT_ASSESSED"  # e.g. PPPK under the default policy
    TUGAS_BELAJAR = "TUGAS_BELAJAR"
    CLTN = "CLTN"
    LEFT_SERVICE = "LEFT_SERVICE"  # pensiun, berhenti, meninggal
    UNKNOWN_TO_ROSTER = "UNKNOWN_TO_ROSTER"


class Counted(StrEnum):
    """What one training did for the year's JP."""

    CREDITED = "CREDITED"
    NOT_COMPLETED = "NOT_COMPLETED"
    WITHDRAWN = "WITHDRAWN"
    CANCELLED = "CANCELLED"
    PENDING = "PENDING"  # the cohort has not closed or its decision has not arrived


_EXEMPTING: Mapping[EmploymentStatus, Reason] = MappingProxyType(
    {
        EmploymentStatus.TUGAS_BELAJAR: Reason.TUGAS_BELAJAR,
        EmploymentStatus.CLTN: Reason.CLTN,
        EmploymentStatus.PENSIUN: Reason.LEFT_SERVICE,
        EmploymentStatus.BERHENTI: Reason.LEFT_SERVICE,
        EmploymentStatus.MENINGGAL: Reason.LEFT_SERVICE,
    }
)


@dataclass(frozen=True)
class Policy:
    """Which ASN are assessed against which minimum, and which statuses exempt them."""

    minimum_by_type: Mapping[str, Decimal | None] = field(
        default_factory=lambda: MappingProxyType({"PNS": Decimal(20), "PPPK": None})
    )
    exempt_statuses: frozenset[EmploymentStatus] = frozenset(_EXEMPTING)

    def minimum_for(self, asn_type: str) -> Decimal | None:
        return self.minimum_by_type.get(asn_type)


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class RosterEntry:
    asn_type: str
    status: EmploymentStatus
    status_since: date


@dataclass(frozen=True)
class Training:
    """One enrolment of the ASN, as the read model knows it."""

    cohort_code: str
    end_date: date
    jp: Decimal
    withdrawn: bool = False
    cancelled: bool = False
    completed: bool | None = None  # None: not decided yet
    attendance_pct: Decimal | None = None
    min_attendance_pct: Decimal | None = None
    certificate_number: str | None = None


@dataclass(frozen=True)
class Provenance:
    """Why one training did or did not count, in a sentence per language."""

    cohort_code: str
    jp: Decimal
    counted: Counted
    certificate_number: str | None
    why_id: str
    why_en: str


@dataclass(frozen=True)
class Determination:
    year: int
    jp: Decimal
    minimum: Decimal | None
    standing: Standing
    reason: Reason
    provenance: tuple[Provenance, ...]

    @property
    def shortfall(self) -> Decimal:
        if self.minimum is None or self.standing not in (Standing.BELOW, Standing.ZERO):
            return Decimal(0)
        return max(Decimal(0), self.minimum - self.jp)


def counted(training: Training) -> Counted:
    return verdict(training.cancelled, training.withdrawn, training.completed)


def verdict(cancelled: bool, withdrawn: bool, completed: bool | None) -> Counted:
    """What a training did for its year, from these three facts alone (the rebuild asks it for
    each combination and lets Postgres apply the answers)."""
    if cancelled:
        return Counted.CANCELLED
    if withdrawn:
        return Counted.WITHDRAWN
    if completed is None:
        return Counted.PENDING
    return Counted.CREDITED if completed else Counted.NOT_COMPLETED


def provenance_of(training: Training) -> Provenance:
    verdict = counted(training)
    why_id, why_en = _why(verdict, training)
    return Provenance(
        training.cohort_code, training.jp, verdict, training.certificate_number, why_id, why_en
    )


def _why(verdict: Counted, training: Training) -> tuple[str, str]:
    if verdict is Counted.CREDITED:
        number = training.certificate_number or "-"
        return f"Lulus; sertifikat {number}.", f"Completed; certificate {number}."
    if verdict is Counted.NOT_COMPLETED:
        return _not_completed_why(training)
    if verdict is Counted.WITHDRAWN:
        return "Mengundurkan diri.", "Withdrawn."
    if verdict is Counted.CANCELLED:
        return "Angkatan dibatalkan.", "The cohort was cancelled."
    return "Belum diputuskan (angkatan belum ditutup).", "Not decided yet (cohort not closed)."


def _not_completed_why(training: Training) -> tuple[str, str]:
    shown, needed = training.attendance_pct, training.min_attendance_pct
    if shown is not None and needed is not None and shown < needed:
        figure = f"{_pct(shown)} < {_pct(needed)}"
        return f"Tidak lulus: kehadiran {figure}.", f"Not completed: attendance {figure}."
    return "Tidak lulus.", "Not completed."


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def determine(
    year: int,
    roster: RosterEntry | None,
    trainings: Iterable[Training],
    policy: Policy = DEFAULT_POLICY,
) -> Determination:
    """The ASN's standing for `year` from the trainings of cohorts that ended that year."""
    of_year = sorted((t for t in trainings if t.end_date.year == year), key=_training_order)
    provenance = tuple(provenance_of(t) for t in of_year)
    jp = sum((p.jp for p in provenance if p.counted is Counted.CREDITED), Decimal(0))
    return judge(year, roster, jp, policy, provenance)


def judge(
    year: int,
    roster: RosterEntry | None,
    jp: Decimal,
    policy: Policy = DEFAULT_POLICY,
    provenance: tuple[Provenance, ...] = (),
) -> Determination:
    """The standing for `jp` credited in `year` (what `determine` decides once it has summed the
    credited trainings): the rebuild judges each distinct case once rather than each ASN-year."""
    if roster is None:
        return Determination(
            year, jp, None, Standing.NOT_IN_ROSTER, Reason.UNKNOWN_TO_ROSTER, provenance
        )
    minimum = policy.minimum_for(roster.asn_type)
    standing, reason = _standing(year, roster, jp, minimum, policy)
    return Determination(year, jp, minimum, standing, reason, provenance)


def _training_order(training: Training) -> tuple[date, str]:
    return training.end_date, training.cohort_code


def _standing(
    year: int, roster: RosterEntry, jp: Decimal, minimum: Decimal | None, policy: Policy
) -> tuple[Standing, Reason]:
    exemption = exemption_of(year, roster, policy)
    if exemption is not None:
        return Standing.EXEMPT, exemption
    if minimum is None:
        return Standing.EXEMPT, Reason.TYPE_NOT_ASSESSED
    if jp >= minimum:
        return Standing.MET, Reason.MINIMUM_MET
    if jp == 0:
        return Standing.ZERO, Reason.NO_TRAINING
    return Standing.BELOW, Reason.SHORTFALL


def exemption_of(year: int, roster: RosterEntry, policy: Policy = DEFAULT_POLICY) -> Reason | None:
    """The exempting status in force in `year`, if any: one that began by the year's end."""
    if roster.status not in policy.exempt_statuses or roster.status_since > date(year, 12, 31):
        return None
    return _EXEMPTING[roster.status]


# --- maintained counts ---------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where an ASN-year is counted: the home region and agency the roster gives."""

    region: str
    agency: str


@dataclass(frozen=True)
class Contribution:
    """What one ASN-year adds to its (year, region, agency) counts row and JP histogram."""

    key: tuple[int, str, str]
    standing: Standing
    jp: Decimal

    @property
    def assessed(self) -> bool:
        return self.standing in (Standing.MET, Standing.BELOW, Standing.ZERO)


def contribution(placement: Placement, determination: Determination) -> Contribution:
    key = (determination.year, placement.region, placement.agency)
    return Contribution(key, determination.standing, determination.jp)


CountKey = tuple[int, str, str]


def count_changes(
    changes: Iterable[tuple[Contribution | None, Contribution | None]],
) -> tuple[dict[CountKey, dict[Standing, int]], dict[tuple[int, str, str, Decimal], int]]:
    """The net change to the counts rows and to the assessed-JP histogram from each ASN-year's
    (before, after): what the projection adds in the same transaction as the facts."""
    counts: dict[CountKey, dict[Standing, int]] = {}
    histogram: dict[tuple[int, str, str, Decimal], int] = {}
    for before, after in changes:
        for side, sign in ((before, -1), (after, 1)):
            if side is None:
                continue
            row = counts.setdefault(side.key, dict.fromkeys(Standing, 0))
            row[side.standing] += sign
            if side.assessed:
                bucket = (*side.key, side.jp)
                histogram[bucket] = histogram.get(bucket, 0) + sign
    return _without_zeros(counts), {k: n for k, n in histogram.items() if n}


def _without_zeros(
    counts: dict[CountKey, dict[Standing, int]],
) -> dict[CountKey, dict[Standing, int]]:
    return {key: row for key, row in counts.items() if any(row.values())}


def median_of_histogram(buckets: Iterable[tuple[Decimal, int]]) -> Decimal | None:
    """The median JP from (jp, how many) buckets, as statistics.median would give on the list."""
    ordered = sorted((jp, n) for jp, n in buckets if n > 0)
    size = sum(n for _, n in ordered)
    if size == 0:
        return None
    low, high = _nth(ordered, (size - 1) // 2), _nth(ordered, size // 2)
    return (low + high) / 2


def _nth(ordered: Sequence[tuple[Decimal, int]], index: int) -> Decimal:
    seen = 0
    for jp, n in ordered:
        seen += n
        if index < seen:
            return jp
    raise IndexError(index)


def service_start_year(nip: str) -> int:
    """The year an ASN entered the service, from the NIP's middle digits (TMT CPNS for a PNS,
    the appointment year for a PPPK): no determination is owed for a year before it."""
    return int(nip[8:12])
