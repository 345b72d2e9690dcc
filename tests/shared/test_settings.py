"""Service settings: a variable beats the service's own default, which beats the class's."""

from __future__ import annotations

import pytest

from shared.settings import ServiceSettings


def test_a_services_own_default_stands_where_no_variable_is_set(monkeypatch):
    monkeypatch.delenv("DIKLAT_ENROLMENT_BATCH_MAX_RECORDS", raising=False)
    settings = ServiceSettings.for_service("enrolment", {"batch_max_records": 1000})
    assert settings.batch_max_records == 1000
    assert ServiceSettings.for_service("attendance").batch_max_records == 2000


def test_a_variable_beats_the_services_own_default(monkeypatch):
    monkeypatch.setenv("DIKLAT_ENROLMENT_BATCH_MAX_RECORDS", "700")
    settings = ServiceSettings.for_service("enrolment", {"batch_max_records": 1000})
    assert settings.batch_max_records == 700


def test_an_invalid_variable_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("DIKLAT_ENROLMENT_BATCH_MAX_RECORDS", "0")
    with pytest.raises(ValueError, match="batch_max_records"):
        ServiceSettings.for_service("enrolment", {"batch_max_records": 1000})
