"""The 20 JP determination rules, one status at a time (services/consolidation/compliance.py)."""

from __future__ import annotations

import statistics
from datetime import date
from decimal import Decimal

import pytest

from services.consolidation.compliance import (
    Counted,
    Placement,
    Policy,
    Reason,
    RosterEntry,
    Standing,
    Training,
    contribution,
    count_changes,
    determine,
    median_of_histogram,
    service_start_year,
)
from shared.events.ingest import EmploymentStatus

PNS = RosterEntry("PNS", EmploymentStatus.AKTIF, date(2015, 5, 1))
PPPK = RosterEntry("PPPK", EmploymentStatus.AKTIF, date(2022, 1, 1))


def completed(code: str, jp: str, end: date = date(2024, 6, 1)) -> Training:
    return Training(code, end, Decimal(jp), completed=True, certificate_number=f"{code}/CERT")


def test_met_at_exactly_the_minimum_with_certificates_in_provenance() -> None:
    d = determine(2024, PNS, [completed("15/A", "12"), completed("15/B", "8")])
    assert (d.standing, d.reason, d.jp, d.minimum) == (
        Standing.MET,
        Reason.MINIMUM_MET,
        Decimal(20),
        Decimal(20),
    )
    assert [p.certificate_number for p in d.provenance] == ["15/A/CERT", "15/B/CERT"]
    assert d.shortfall == 0


def test_below_carries_the_shortfall() -> None:
    d = determine(2024, PNS, [completed("15/A", "12.5")])
    assert (d.standing, d.reason, d.shortfall) == (Standing.BELOW, Reason.SHORTFALL, Decimal("7.5"))


def test_zero_when_the_roster_knows_the_asn_and_nothing_was_credited() -> None:
    d = determine(2024, PNS, [])
    assert (d.standing, d.reason, d.jp, d.shortfall) == (
        Standing.ZERO,
        Reason.NO_TRAINING,
        Decimal(0),
        Decimal(20),
    )


def test_trainings_that_did_not_count_say_why_and_leave_zero() -> None:
    end = date(2024, 3, 1)
    trainings = [
        Training(
            "15/A",
            end,
            Decimal(30),
            completed=False,
            attendance_pct=Decimal("72"),
            min_attendance_pct=Decimal("90.00"),
        ),
        Training("15/B", end, Decimal(10), withdrawn=True, completed=True),
        Training("15/C", end, Decimal(10), cancelled=True),
        Training("15/D", end, Decimal(10)),
    ]
    d = determine(2024, PNS, trainings)
    assert d.standing is Standing.ZERO
    assert [p.counted for p in d.provenance] == [
        Counted.NOT_COMPLETED,
        Counted.WITHDRAWN,
        Counted.CANCELLED,
        Counted.PENDING,
    ]
    assert d.provenance[0].why_id == "Tidak lulus: kehadiran 72% < 90%."
    assert d.provenance[0].why_en == "Not completed: attendance 72% < 90%."


def test_only_cohorts_that_ended_in_the_year_count() -> None:
    d = determine(2024, PNS, [completed("15/A", "20", end=date(2023, 12, 31))])
    assert (d.standing, d.provenance) == (Standing.ZERO, ())


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (EmploymentStatus.TUGAS_BELAJAR, Reason.TUGAS_BELAJAR),
        (EmploymentStatus.CLTN, Reason.CLTN),
        (EmploymentStatus.PENSIUN, Reason.LEFT_SERVICE),
        (EmploymentStatus.BERHENTI, Reason.LEFT_SERVICE),
        (EmploymentStatus.MENINGGAL, Reason.LEFT_SERVICE),
    ],
)
def test_exempt_when_the_status_began_by_the_years_end(
    status: EmploymentStatus, reason: Reason
) -> None:
    roster = RosterEntry("PNS", status, date(2024, 12, 31))
    assert (determine(2024, roster, []).standing, determine(2024, roster, []).reason) == (
        Standing.EXEMPT,
        reason,
    )
    assert determine(2023, roster, []).standing is Standing.ZERO  # it began after 2023


def test_pppk_is_not_assessed_by_default_but_the_policy_can_assess_them() -> None:
    d = determine(2024, PPPK, [])
    assert (d.standing, d.reason, d.minimum, d.shortfall) == (
        Standing.EXEMPT,
        Reason.TYPE_NOT_ASSESSED,
        None,
        0,
    )
    strict = Policy(minimum_by_type={"PNS": Decimal(20), "PPPK": Decimal(24)})
    assert determine(2024, PPPK, [completed("15/A", "20")], strict).shortfall == Decimal(4)


def test_a_policy_may_stop_exempting_a_status() -> None:
    roster = RosterEntry("PNS", EmploymentStatus.TUGAS_BELAJAR, date(2020, 1, 1))
    policy = Policy(exempt_statuses=frozenset({EmploymentStatus.CLTN}))
    assert determine(2024, roster, [], policy).standing is Standing.ZERO


def test_not_in_roster_keeps_what_the_asn_trained() -> None:
    d = determine(2024, None, [completed("15/A", "24")])
    assert (d.standing, d.reason, d.jp, d.minimum) == (
        Standing.NOT_IN_ROSTER,
        Reason.UNKNOWN_TO_ROSTER,
        Decimal(24),
        None,
    )


def test_count_changes_move_an_asn_year_between_rows_and_standings() -> None:
    tuban, jambi = Placement("35.23", "Pemkab Tuban"), Placement("15", "Pemprov Jambi")
    zero = determine(2024, PNS, [])
    met = determine(2024, PNS, [completed("A", "20")])
    counts, histogram = count_changes(
        [
            (None, contribution(tuban, zero)),  # a new roster entry
            (contribution(tuban, zero), contribution(jambi, met)),  # a transfer and a training
        ]
    )
    # Tuban's row nets to nothing (in and out again), so it is not touched at all.
    assert counts == {
        (2024, "15", "Pemprov Jambi"): {**dict.fromkeys(Standing, 0), Standing.MET: 1}
    }
    assert histogram == {(2024, "15", "Pemprov Jambi", Decimal(20)): 1}


def test_median_of_histogram_is_the_median_of_the_values() -> None:
    values = [Decimal(v) for v in ("0", "0", "4", "20", "20", "24")]
    buckets = [(v, values.count(v)) for v in set(values)]
    assert median_of_histogram(buckets) == statistics.median(values) == Decimal(12)
    assert median_of_histogram([(Decimal(7), 3)]) == Decimal(7)
    assert median_of_histogram([]) is None


def test_service_start_year_is_read_from_the_nip() -> None:
    assert service_start_year("198609262015051001") == 2015
