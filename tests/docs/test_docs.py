"""The documents say what the code does: the AsyncAPI file is the generated one, and every
`diklat` command the README lists exists."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

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


def test_the_committed_asyncapi_document_describes_each_type_as_its_model_does():
    """Read from the committed file and held to the pydantic models themselves (not to the
    generator): each type has its message, whose envelope names the type and whose data has
    exactly the model's fields, the same ones required."""
    document = json.loads((ROOT / "docs" / "asyncapi.json").read_text())
    schemas = document["components"]["schemas"]

    def resolved(node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref")
        return schemas[ref.rsplit("/", 1)[-1]] if ref else node

    for event_type, model in [*INGEST_TYPES.items(), *DOMAIN_TYPES.items()]:
        message = document["components"]["messages"].get(f"{event_type}:Message")
        assert message is not None, f"{event_type} has no message in docs/asyncapi.json"
        envelope = resolved(message["payload"])
        assert envelope["properties"]["type"]["const"] == event_type
        data = resolved(envelope["properties"]["data"])
        fields = {f.alias or name: f for name, f in model.model_fields.items()}
        assert set(data["properties"]) == set(fields), event_type
        required = {name for name, f in fields.items() if f.is_required()}
        assert set(data.get("required", [])) == required, event_type


def test_every_diklat_command_in_the_readme_exists():
    readme = (ROOT / "README.md").read_text()
    commands = {c.strip() for c in re.findall(r"`diklat ((?:[a-z]+ ?){1,2})", readme)}
    assert {"stack up", "run", "publishers add", "db provision", "asyncapi"} <= commands
    runner = CliRunner()
    for command in sorted(commands):
        words = command.split()
        result = runner.invoke(app, [*words, "--help"])
        assert result.exit_code == 0, f"`diklat {' '.join(words)}` is documented but fails"
