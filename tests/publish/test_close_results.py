"""What `diklat publish` waits for after a close: one result per person the run registered and
the service took, less those withdrawn; a row pasted twice or refused is not waited for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from diklat.publish import print_results
from shared.events import ingest
from shared.events.feedback import CohortResults, Notice, ResultIssued, ResultNotCompleted
from shared.publishing.results import closing_cohorts, expected_results
from shared.publishing.templates import plan_files

ROOT = Path(__file__).resolve().parents[2]
TUBAN = sorted((ROOT / "demo" / "35.23-tuban").glob("diklat-*.xlsx"))
CODE = "35.23/KASI-PEM/2017/I"


def _planned() -> list:
    plan = plan_files(TUBAN, "35.23")
    return [(e, f"e{n}") for n, e in enumerate(plan.sendable(force=True))]


def test_a_row_pasted_twice_is_one_result_to_wait_for() -> None:
    sent = _planned()
    closing = closing_cohorts([planned for planned, _ in sent])
    registrations = [i for p, i in sent if isinstance(p.data, ingest.ParticipantRegistered)]
    assert (closing, len(registrations)) == ({CODE}, 31)
    assert expected_results(sent, lambda _: {"applied"}, closing) == {CODE: 30}


def test_refused_registrations_and_withdrawals_are_not_waited_for() -> None:
    sent = _planned()
    closing = closing_cohorts([planned for planned, _ in sent])
    registrations = [i for p, i in sent if isinstance(p.data, ingest.ParticipantRegistered)]
    refused = set(registrations[:3])

    def answered(event_id: str) -> set[str]:
        return {"rejected"} if event_id in refused else {"duplicate"}

    assert expected_results(sent, answered, closing) == {CODE: 27}
    assert expected_results(sent, lambda _: {"rejected"}, closing) == {}


def test_the_results_are_printed_issued_and_failed_with_the_reason() -> None:
    at = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)

    def notice(kind: str, number: str | None, message: str) -> Notice:
        return Notice(
            kind=kind,
            cohort_code=CODE,
            nip_masked="1986**********1001",
            message_id=message,
            message_en=message.upper(),
            certificate_number=number,
            at=at,
        )

    results = {
        CODE: [
            notice("completion_failed", None, "kehadiran 75% < 90%"),
            notice("certificate_issued", "800/0001/BKD-35.23/2017", "terbit"),
        ]
    }
    lines: list[str] = []
    print_results(results, {CODE: 3}, lines.append)
    assert lines == [
        f"hasil angkatan {CODE} (results): 1 sertifikat terbit (issued), 1 tidak lulus "
        "(did not complete)",
        "      1986**********1001: 800/0001/BKD-35.23/2017",
        "      1986**********1001: kehadiran 75% < 90% / KEHADIRAN 75% < 90%",
        f"      1 hasil belum datang; lihat nanti dengan `diklat outcomes --cohort {CODE}` "
        "(1 results not in yet)",
    ]


def test_a_cohorts_results_are_printed_by_the_full_nip_the_publisher_sent() -> None:
    # Both would read 1986**********1001 masked: same birth date, gender and sequence.
    passed, failed = "198609262015051001", "198609262016051001"
    results = CohortResults(
        cohort_code=CODE,
        part=1,
        parts=1,
        issued=[ResultIssued(nip=passed, certificate_number="800/0001/BKD-35.23/2017")],
        not_completed=[
            ResultNotCompleted(nip=failed, message_id="kehadiran 75%", message_en="attendance 75%")
        ],
        at=dt.datetime(2026, 12, 3, tzinfo=dt.UTC),
    )
    lines: list[str] = []
    print_results({CODE: results.each()}, {CODE: 2}, lines.append)
    assert lines == [
        f"hasil angkatan {CODE} (results): 1 sertifikat terbit (issued), 1 tidak lulus "
        "(did not complete)",
        f"      {passed}: 800/0001/BKD-35.23/2017",
        f"      {failed}: kehadiran 75% / attendance 75%",
    ]
