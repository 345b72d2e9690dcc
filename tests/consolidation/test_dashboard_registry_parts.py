"""The cohorts, registry and data-quality pages' pure parts (issue 21): a decision's reason in
words, an attendance never shown as a pass it is not, what the search box is taken as, the
pager, the worst publishers first, each reason explained with who fixes it, the periods, and
where a certificate's verification page is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from services.consolidation.entrypoints.dashboard import words
from services.consolidation.entrypoints.dashboard.listing import Pager, downloads, page_number
from services.consolidation.entrypoints.dashboard.quality import periods, reasons, worst_first
from services.consolidation.entrypoints.dashboard.registry import search_of
from services.consolidation.entrypoints.schemas import (
    ParticipantRow,
    QualityPeriodRow,
    QualityRow,
)
from services.consolidation.settings import DashboardSettings
from shared.reasons import FIXED_BY, ReasonCode


def participant(**given: object) -> ParticipantRow:
    row: dict[str, object] = {
        "nip": "198609262015052001",
        "name": "Siti Aminah",
        "gender": "P",
        "agency": "Pemda",
        "region": "15.71",
        "withdrawn": False,
        "completed": False,
        "predicate": None,
        "rate_pct": 70.0,
        "certificate_number": None,
        "explanation_id": "tidak lulus: kehadiran 70% < 80%, nilai 55 < 60,01",
        "explanation_en": "not completed: attendance 70% < 80%, score 55 < 60.01",
    }
    return ParticipantRow.model_validate({**row, **given})


def test_a_failed_participant_s_reason_is_said_in_words_in_both_languages():
    assert words.reason(participant()) == (
        "kehadiran 70% di bawah 80%, nilai 55 di bawah 60,01",
        "attendance 70% below 80%, score 55 below 60.01",
    )
    passed = participant(
        completed=True,
        explanation_id="lulus: kehadiran 95% ≥ 80%",
        explanation_en="completed: attendance 95% ≥ 80%",
    )
    assert words.reason(passed) == ("kehadiran 95%, minimal 80%", "attendance 95%, minimum 80%")
    assert words.result(passed) == ("Lulus", "Completed")


def test_withdrawn_undecided_and_unexplained_participants_say_so():
    assert words.result(participant(withdrawn=True)) == ("Mengundurkan diri", "Withdrew")
    assert words.reason(participant(withdrawn=True)) is None
    assert words.result(participant(completed=None)) == ("Belum diputuskan", "Not decided yet")
    unexplained = participant(explanation_id=None, explanation_en=None)
    assert words.reason(unexplained) == ("alasan tidak tercatat", "reason not recorded")


def test_an_attendance_below_the_minimum_is_never_rounded_up_to_it():
    assert words.attendance(89.96) == Decimal("89.9")
    assert words.attendance(100.0) == Decimal(100)
    assert words.attendance(None) is None


def test_states_categories_statuses_and_places_are_words():
    assert words.phase("closed") == ("Ditutup", "Closed")
    assert words.phase("scheduled") == ("Dijadwalkan", "Scheduled")
    assert words.category("kepemimpinan_pka") == ("Kepemimpinan PKA", "Leadership PKA")
    assert words.certificate_status("revoked") == ("Dicabut", "Revoked")
    assert words.place("15") == "Jambi"
    assert words.place("35.23") == "Kabupaten Tuban"
    assert words.place("nasional") == "Nasional"


@pytest.mark.parametrize(
    ("box", "field", "value"),
    [
        ("198609262015052001", "nip", "198609262015052001"),
        (" 19860926 2015052001 ", "nip", "198609262015052001"),
        ("800/1/BPSDM/2024", "number", "800/1/BPSDM/2024"),
        ("  siti   aminah ", "name", "siti aminah"),
    ],
)
def test_the_search_box_is_taken_as_a_nip_a_number_or_a_name(box, field, value):
    search = search_of(box, "15", 2024)
    assert getattr(search, field) == value
    others = {"nip", "number", "name"} - {field}
    assert all(getattr(search, other) is None for other in others)
    assert (search.publisher, search.year) == ("15", 2024)


def test_an_empty_search_lists_everything_in_scope():
    search = search_of("   ", None, None)
    assert (search.nip, search.number, search.name) == (None, None, None)


def test_the_pager_keeps_the_filters_and_knows_its_ends():
    pager = Pager("/dasbor/kelas", {"year": "2024"}, 2, 60, size=25)
    assert (pager.offset, pager.pages, pager.first_shown, pager.last_shown) == (25, 3, 26, 50)
    assert pager.previous == "/dasbor/kelas?year=2024"
    assert pager.next == "/dasbor/kelas?year=2024&halaman=3"
    last = Pager("/dasbor/kelas", {}, 3, 60, size=25)
    assert (last.next, last.last_shown) == (None, 60)
    assert page_number("0") == page_number("x") == page_number(None) == 1
    assert page_number("4") == 4


def test_downloads_are_the_api_s_csv_and_xlsx_with_the_page_s_filters():
    assert downloads("/api/v1/cohorts", {"year": "2024"}) == [
        ("CSV", "/api/v1/cohorts?year=2024&format=csv"),
        ("XLSX", "/api/v1/cohorts?year=2024&format=xlsx"),
    ]


def quality(publisher: str, rejected: dict[str, int], applied: int = 10) -> QualityRow:
    return QualityRow(
        publisher=publisher,
        applied=applied,
        duplicate=0,
        parked=0,
        rejected=sum(rejected.values()),
        rejected_by_reason=rejected,
    )


def test_the_worst_publishers_come_first_and_each_reason_says_who_fixes_it():
    rows = [
        quality("15", {"QUOTA_FULL": 1}),
        quality("35.23", {"INVALID_NIP": 4, "PROCESSING_ERROR": 2}),
        quality("nasional", {}),
        quality("31", {"QUOTA_FULL": 1}, applied=1),
    ]
    assert [r.publisher for r in worst_first(rows)] == ["35.23", "31", "15", "nasional"]
    explained = {r.code: r for r in reasons(rows)}
    assert [r.code for r in reasons(rows)] == ["INVALID_NIP", "PROCESSING_ERROR", "QUOTA_FULL"]
    assert explained["INVALID_NIP"].meaning == ("NIP tidak valid.", "Invalid NIP.")
    assert explained["INVALID_NIP"].fixer == ("Penyelenggara", "The publisher")
    assert explained["PROCESSING_ERROR"].fixer == ("BPSDM", "BPSDM")
    assert explained["QUOTA_FULL"].publishers == ["15", "31"]


def test_every_reason_code_says_who_fixes_it():
    assert set(FIXED_BY) == set(ReasonCode)


def test_periods_add_the_publishers_up_oldest_first():
    def row(publisher: str, day: str, applied: int, rejected: int) -> QualityPeriodRow:
        return QualityPeriodRow(
            publisher=publisher,
            period=dt.date.fromisoformat(day),
            applied=applied,
            duplicate=0,
            parked=0,
            rejected=rejected,
            rejected_by_reason={},
        )

    shown = periods([row("15", "2024-07-08", 1, 1), row("35.23", "2024-07-01", 2, 0),
                     row("35.23", "2024-07-08", 3, 2)])  # fmt: skip
    assert [(s.start.isoformat(), s.counts["applied"], s.counts["rejected"]) for s in shown] == [
        ("2024-07-01", 2, 0),
        ("2024-07-08", 4, 3),
    ]


def test_a_certificate_s_verification_page_is_under_certification_s_public_address(
    monkeypatch,
):
    monkeypatch.setenv("DIKLAT_CONSOLIDATION_CERTIFICATION_URL", "https://sertifikat.go.id/")
    assert DashboardSettings().verification_url("AB12-CD34") == (
        "https://sertifikat.go.id/verify/AB12-CD34"
    )
    monkeypatch.delenv("DIKLAT_CONSOLIDATION_CERTIFICATION_URL")
    monkeypatch.setenv("DIKLAT_CERTIFICATION_HTTP_PORT", "18083")
    assert DashboardSettings().certification_url == "http://127.0.0.1:18083"
    monkeypatch.setenv("DIKLAT_CONSOLIDATION_CERTIFICATION_URL", "sertifikat.go.id?x")
    with pytest.raises(ValidationError, match="certification_url"):
        DashboardSettings()
