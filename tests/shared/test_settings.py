"""Service settings: a variable beats the service's own default, which beats the class's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.certification.bootstrap import DEFINITION as CERTIFICATION
from services.consolidation.bootstrap import DEFINITION as CONSOLIDATION
from services.enrolment.bootstrap import DEFINITION as ENROLMENT
from shared.runtime import ServiceRuntime
from shared.settings import MissingSetting, ServiceSettings


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


# -- settings a deployment must give (issue 20: the QR's base URL) ------------------------------

ROOT = Path(__file__).resolve().parents[2]
DEPLOYED = "postgresql://diklat_certification:secret@db.internal:5432/diklat"


def test_outside_the_local_stack_a_required_setting_must_be_given(monkeypatch):
    monkeypatch.delenv("DIKLAT_CERTIFICATION_PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("DIKLAT_CERTIFICATION_DATABASE_URL", DEPLOYED)
    with pytest.raises(MissingSetting) as refused:
        ServiceSettings.for_service(
            "certification", required_outside_local_stack=["public_base_url"]
        )
    message = str(refused.value)
    assert refused.value.variable == "DIKLAT_CERTIFICATION_PUBLIC_BASE_URL"
    assert message.startswith("Layanan certification tidak dijalankan: ")
    assert "DIKLAT_CERTIFICATION_PUBLIC_BASE_URL wajib diisi" in message
    assert "kode QR" in message and " / The certification service did not start" in message

    monkeypatch.setenv("DIKLAT_CERTIFICATION_PUBLIC_BASE_URL", "https://sertifikat.example.go.id")
    given = ServiceSettings.for_service(
        "certification", required_outside_local_stack=["public_base_url"]
    )
    assert given.public_base_url == "https://sertifikat.example.go.id"


def test_the_local_stack_keeps_its_loopback_default(monkeypatch):
    monkeypatch.delenv("DIKLAT_CERTIFICATION_PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("DIKLAT_CERTIFICATION_DATABASE_URL", raising=False)
    settings = ServiceSettings.for_service(
        "certification", required_outside_local_stack=["public_base_url"]
    )
    assert settings.local_stack
    assert settings.public_base_url == "http://127.0.0.1:8083"


def test_only_the_service_that_prints_it_requires_it(monkeypatch):
    for service in ("ENROLMENT", "CERTIFICATION"):
        monkeypatch.delenv(f"DIKLAT_{service}_PUBLIC_BASE_URL", raising=False)
        monkeypatch.setenv(f"DIKLAT_{service}_DATABASE_URL", DEPLOYED)
    assert not ServiceRuntime(ENROLMENT).settings.local_stack  # built, nothing started
    with pytest.raises(MissingSetting):
        ServiceRuntime(CERTIFICATION)


@pytest.mark.parametrize("url", ["sertifikat.example.go.id", "ftp://x", "https://x/?a=1", ""])
def test_a_public_base_url_must_be_a_whole_http_address(monkeypatch, url):
    monkeypatch.setenv("DIKLAT_CERTIFICATION_PUBLIC_BASE_URL", url)
    with pytest.raises(ValueError, match="public_base_url"):
        ServiceSettings.for_service("certification")


def test_diklat_run_refuses_to_start_naming_the_variable():
    """What an operator sees: the message on stderr and a failed exit, no traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIKLAT_CERTIFICATION_")} | {
        "DIKLAT_CERTIFICATION_DATABASE_URL": DEPLOYED
    }
    run = subprocess.run(
        [sys.executable, "-m", "diklat", "run", "certification"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1
    assert run.stderr.startswith("Layanan certification tidak dijalankan")
    assert "DIKLAT_CERTIFICATION_PUBLIC_BASE_URL" in run.stderr
    assert "Traceback" not in run.stderr


# -- the pages' session key (issue 21) ----------------------------------------------------------


def test_outside_the_local_stack_the_dashboard_needs_its_own_session_key(monkeypatch):
    monkeypatch.delenv("DIKLAT_CONSOLIDATION_SESSION_SECRET", raising=False)
    monkeypatch.setenv("DIKLAT_CONSOLIDATION_DATABASE_URL", DEPLOYED)
    with pytest.raises(MissingSetting) as refused:
        ServiceRuntime(CONSOLIDATION)
    assert refused.value.variable == "DIKLAT_CONSOLIDATION_SESSION_SECRET"
    assert "sesi masuk" in str(refused.value)

    key = "k3y-" * 10
    monkeypatch.setenv("DIKLAT_CONSOLIDATION_SESSION_SECRET", key)
    assert ServiceRuntime(CONSOLIDATION).settings.session_key() == key


def test_a_session_key_is_long_and_an_error_never_repeats_it(monkeypatch):
    monkeypatch.setenv("DIKLAT_CONSOLIDATION_SESSION_SECRET", "too-short-secret")
    with pytest.raises(ValueError, match="session_secret") as refused:
        ServiceSettings.for_service("consolidation")
    assert "too-short-secret" not in str(refused.value)


def test_the_local_stack_signs_sessions_with_its_own_key_and_a_deployment_without_pages_none(
    monkeypatch,
):
    monkeypatch.delenv("DIKLAT_ENROLMENT_SESSION_SECRET", raising=False)
    monkeypatch.delenv("DIKLAT_ENROLMENT_DATABASE_URL", raising=False)
    assert ServiceSettings.for_service("enrolment").session_key() is not None
    monkeypatch.setenv("DIKLAT_ENROLMENT_DATABASE_URL", DEPLOYED)
    assert ServiceSettings.for_service("enrolment").session_key() is None
