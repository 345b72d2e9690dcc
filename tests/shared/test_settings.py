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


def test_a_services_own_default_is_validated_like_a_variable(monkeypatch):
    monkeypatch.delenv("DIKLAT_ENROLMENT_BATCH_MAX_RECORDS", raising=False)
    with pytest.raises(ValueError, match="batch_max_records"):
        ServiceSettings.for_service("enrolment", {"batch_max_records": 0})


def test_a_misspelt_service_default_is_refused_by_name():
    with pytest.raises(ValueError, match="batch_max_record"):
        ServiceSettings.for_service("enrolment", {"batch_max_record": 1000})


def test_each_service_reads_its_own_prefix_and_has_its_own_port_and_group(monkeypatch):
    monkeypatch.setenv("DIKLAT_ATTENDANCE_LANES", "3")
    monkeypatch.delenv("DIKLAT_ENROLMENT_LANES", raising=False)
    monkeypatch.delenv("DIKLAT_ENROLMENT_HTTP_PORT", raising=False)
    monkeypatch.delenv("DIKLAT_ENROLMENT_CONSUMER_GROUP", raising=False)
    enrolment = ServiceSettings.for_service("enrolment")
    assert (enrolment.lanes, enrolment.http_port, enrolment.consumer_group) == (
        2,
        8081,
        "enrolment",
    )
    assert ServiceSettings.for_service("attendance").lanes == 3


def test_an_override_beats_a_variable(monkeypatch):
    monkeypatch.setenv("DIKLAT_ENROLMENT_HTTP_PORT", "9999")
    assert ServiceSettings.for_service("enrolment", http_port=0).http_port == 0
