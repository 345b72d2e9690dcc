"""Local services get the README's demo tokens however they are started; deployments never."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from diklat import services as svc
from diklat.cli import app
from shared.auth import parse_tokens


def test_the_demo_tokens_include_national_admin_and_a_publisher() -> None:
    principals = parse_tokens(svc.LOCAL_TOKENS)
    assert principals["national-demo-token"].scope == "national"
    assert principals["admin-demo-token"].scope == "admin"
    publisher = principals["publisher-15-demo-token"]
    assert (publisher.scope, publisher.publisher) == ("publisher", "15")


def test_a_local_service_gets_the_demo_tokens_unless_tokens_or_its_own_role_are_set() -> None:
    assert svc.local_tokens("consolidation", {}) == {
        "DIKLAT_CONSOLIDATION_API_TOKENS": svc.LOCAL_TOKENS
    }
    assert svc.local_tokens("enrolment", {"DIKLAT_API_TOKENS": "t=national"}) == {
        "DIKLAT_ENROLMENT_API_TOKENS": "t=national"
    }
    assert svc.local_tokens("enrolment", {"DIKLAT_ENROLMENT_API_TOKENS": "own=admin"}) == {}
    deployed = {"DIKLAT_ENROLMENT_DATABASE_URL": "postgresql://diklat_enrolment@db/diklat"}
    assert svc.local_tokens("enrolment", deployed) == {}


def test_diklat_run_in_the_foreground_serves_with_the_demo_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Set then removed, so the value the command sets is undone after the test.
    monkeypatch.setenv("DIKLAT_CONSOLIDATION_API_TOKENS", "")
    monkeypatch.delenv("DIKLAT_CONSOLIDATION_API_TOKENS")
    monkeypatch.delenv("DIKLAT_CONSOLIDATION_DATABASE_URL", raising=False)
    monkeypatch.delenv("DIKLAT_API_TOKENS", raising=False)
    seen: list[str | None] = []

    class Runtime:
        def __init__(self, definition: object) -> None:
            seen.append(os.environ.get("DIKLAT_CONSOLIDATION_API_TOKENS"))

        async def serve(self) -> None:
            return None

    monkeypatch.setattr("shared.runtime.ServiceRuntime", Runtime)
    result = CliRunner().invoke(app, ["run", "consolidation"])
    assert result.exit_code == 0, result.output
    assert seen == [svc.LOCAL_TOKENS]
