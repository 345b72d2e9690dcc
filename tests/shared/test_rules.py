"""The contract's rules beyond its schemas (shared.events.rules): the same code for the tools
that check before sending and for enrolment, which enforces them on receipt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.enrolment import domain
from shared.events import rules

pytestmark = pytest.mark.unit

START = datetime(2023, 6, 19, 1, 0, tzinfo=UTC)  # 08:00 WIB


def test_a_close_at_the_first_sessions_start_may_be_a_minute_before_may_not():
    assert rules.close_time_problem("15/PKA/2023/I", START, "Asia/Jakarta", START) is None
    early = START - timedelta(minutes=1)
    problem = rules.close_time_problem("15/PKA/2023/I", START, "Asia/Makassar", early)
    assert problem is not None
    message_id, message_en = problem
    assert "2023-06-19 09:00 WITA" in message_id
    assert "15/PKA/2023/I" in message_en


def test_a_naive_close_time_is_refused_by_name():
    with pytest.raises(ValueError, match="closed_at must be timezone-aware"):
        rules.close_time_problem("15/PKA/2023/I", START, "Asia/Jakarta", datetime(2023, 7, 1))


def test_enrolment_refuses_exactly_what_the_rule_finds_as_schema_invalid():
    early = START - timedelta(days=1)
    problem = rules.close_time_problem("15/PKA/2023/I", START, "Asia/Jakarta", early)
    rejection = domain.close_time_problem("15/PKA/2023/I", START, "Asia/Jakarta", early)
    assert problem is not None and rejection is not None
    assert (rejection.code, rejection.message_id, rejection.message_en) == (
        "SCHEMA_INVALID",
        *problem,
    )


def test_enrolment_decides_nips_with_the_contracts_rule():
    assert domain.validate_nip is rules.validate_nip
    assert domain.AsnType is rules.AsnType and domain.Gender is rules.Gender
