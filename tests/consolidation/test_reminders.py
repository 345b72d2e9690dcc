"""When publishers are reminded of their ASN below 20 JP, and what they read
(services/consolidation/reminders.py)."""

from __future__ import annotations

from datetime import date

from services.consolidation.reminders import (
    Period,
    Schedule,
    Standing,
    period_of,
    reminder,
    reminder_id,
)


def test_no_reminder_before_the_start_day() -> None:
    assert period_of(date(2026, 9, 30)) is None


def test_periods_run_weekly_from_the_first_of_october() -> None:
    assert period_of(date(2026, 10, 1)) == Period(2026, 1, date(2026, 10, 1))
    assert period_of(date(2026, 10, 7)) == Period(2026, 1, date(2026, 10, 1))
    assert period_of(date(2026, 10, 8)) == Period(2026, 2, date(2026, 10, 8))
    assert period_of(date(2026, 12, 31)).key == "2026-P14"  # type: ignore[union-attr]


def test_the_schedule_is_configurable() -> None:
    monthly = Schedule(start_month=7, start_day=1, cadence_days=30)
    assert period_of(date(2026, 8, 1), monthly) == Period(2026, 2, date(2026, 7, 31))


def test_one_id_per_publisher_and_period() -> None:
    first, second = period_of(date(2026, 10, 1)), period_of(date(2026, 10, 8))
    assert first is not None and second is not None
    assert reminder_id("15", first) == reminder_id("15", period_of(date(2026, 10, 6)))  # type: ignore[arg-type]
    assert len({reminder_id("15", first), reminder_id("15", second), reminder_id("16", first)}) == 3


def test_the_reminder_names_counts_deadline_and_list_indonesian_first() -> None:
    period = Period(2026, 3, date(2026, 10, 15))
    notice = reminder("15", period, Standing(roster=1200, below=40, zero=25))
    assert notice is not None
    assert notice.message_id == (
        "Pengingat 20 JP 2026 (Provinsi Jambi): 65 dari 1200 ASN belum memenuhi 20 JP "
        "(25 belum berlatih sama sekali, 40 kurang dari 20 JP). Batas waktu 31 Desember 2026. "
        "Daftar lengkap: /api/v1/compliance/at-risk?year=2026&region=15"
    )
    assert notice.message_en.startswith("20 JP reminder 2026 (Provinsi Jambi): 65 of 1200 ASN")


def test_no_reminder_when_every_asn_has_met_the_minimum() -> None:
    assert reminder("35.23", Period(2026, 1, date(2026, 10, 1)), Standing(10, 0, 0)) is None
