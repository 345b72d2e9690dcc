"""The committed AsyncAPI document's operations are the services' subscriptions: every type a
service routes is a message one of its receive operations takes, and nothing more."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from diklat.services import SERVICES, definition
from shared.service import subscriptions_of

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_receives_exactly_the_types_it_routes(service: str):
    document = json.loads((ROOT / "docs" / "asyncapi.json").read_text())
    received = {
        ref["$ref"].rsplit("/", 1)[-1]
        for name, operation in document["operations"].items()
        if name.startswith(f"{service}.") and operation["action"] == "receive"
        for ref in operation["messages"]
    }
    routed = {t for s in subscriptions_of(definition(service)) for t in s.routes}
    assert received == routed
