"""The documents say what the code does: the AsyncAPI file is the generated one, and every
`diklat` command the README lists exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from diklat.cli import app
from shared.asyncapi import build_document
from shared.events.domain import DOMAIN_TYPES
from shared.events.ingest import INGEST_TYPES

ROOT = Path(__file__).resolve().parents[2]


def test_committed_asyncapi_document_is_the_generated_one():
    committed = json.loads((ROOT / "docs" / "asyncapi.json").read_text())
    assert committed == json.loads(json.dumps(build_document())), (
        "docs/asyncapi.json is stale: run `make asyncapi`"
    )


def test_asyncapi_documents_every_ingest_and_domain_event_type():
    messages = json.dumps(build_document()["components"]["messages"])
    for event_type in [*INGEST_TYPES, *DOMAIN_TYPES]:
        assert event_type in messages


def test_every_diklat_command_in_the_readme_exists():
    readme = (ROOT / "README.md").read_text()
    commands = {c.strip() for c in re.findall(r"`diklat ((?:[a-z]+ ?){1,2})", readme)}
    assert {"stack up", "run", "publishers add", "db provision", "asyncapi"} <= commands
    runner = CliRunner()
    for command in sorted(commands):
        words = command.split()
        result = runner.invoke(app, [*words, "--help"])
        assert result.exit_code == 0, f"`diklat {' '.join(words)}` is documented but fails"
