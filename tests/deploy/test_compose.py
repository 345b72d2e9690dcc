"""docker-compose.yml against the Compose Specification's JSON schema (no Docker engine here)."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("enrolment", "attendance", "certification", "consolidation")


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_file_satisfies_the_compose_specification_schema():
    import json

    schema = json.loads((ROOT / "deploy" / "compose-spec.schema.json").read_text())
    jsonschema.Draft201909Validator(schema).validate(_compose())


def test_every_service_runs_from_the_deploy_dockerfile_with_its_own_database_role():
    compose = _compose()
    for name in SERVICES:
        service = compose["services"][name]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert service["command"] == ["run", name]
        own_url = service["environment"][f"DIKLAT_{name.upper()}_DATABASE_URL"]
        assert own_url.startswith(f"postgresql://diklat_{name}:")
        assert service["depends_on"]["db-init"]["condition"] == "service_completed_successfully"
    assert (ROOT / "deploy" / "Dockerfile").is_file()


def test_kafka_is_the_official_image_in_kraft_mode_with_a_persistent_volume():
    kafka = _compose()["services"]["kafka"]
    assert re.match(r"apache/kafka:4\.", kafka["image"])
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert any(v.startswith("kafka-data:") for v in kafka["volumes"])
    assert _compose()["services"]["postgres"]["image"] == "postgres:17"


def test_the_admin_gets_a_scram_password_and_the_onboarding_script_is_in_the_broker():
    """`diklat publishers add` from a host signs in as `admin` over EXTERNAL (SCRAM), and
    publisher-acls.sh is run inside the broker's container: both need the compose file."""
    compose = _compose()
    kafka, admin = compose["services"]["kafka"], compose["services"]["kafka-admin"]
    assert "User:admin" in kafka["environment"]["KAFKA_SUPER_USERS"].split(";")
    assert admin["image"] == kafka["image"]
    assert admin["depends_on"]["kafka"]["condition"] == "service_healthy"
    command = admin["command"]
    assert command[command.index("--entity-name") + 1] == "admin"
    assert "SCRAM-SHA-256=[password=${KAFKA_ADMIN_PASSWORD" in command[-1]
    mounts = {v.split(":")[0]: v.split(":")[1] for v in kafka["volumes"]}
    assert mounts["./deploy/kafka"] == "/deploy"
    assert (ROOT / "deploy" / "kafka" / "publisher-acls.sh").is_file()


def test_schema_check_would_catch_a_broken_compose_file():
    import json

    schema = json.loads((ROOT / "deploy" / "compose-spec.schema.json").read_text())
    broken = _compose()
    broken["services"]["kafka"]["restart"] = ["not", "a", "string"]
    validator = jsonschema.Draft201909Validator(schema)
    assert not validator.is_valid(broken)
