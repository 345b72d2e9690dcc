"""The route tables come from the contract: a type it does not name is refused when the table is
built, every service routes contract types only (each with its model), and no service types an
event-type string by hand."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import ModuleType

import pytest

from diklat.services import SERVICES, definition
from shared.consumer import Handled, NotInContract, Route, UnitOfWork, route_table
from shared.envelope import CloudEvent
from shared.events import domain, feedback, ingest
from shared.service import subscriptions_of
from shared.topics import FEEDBACK_PATTERN, INGEST_PATTERN

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = {**ingest.INGEST_TYPES, **domain.DOMAIN_TYPES, **feedback.FEEDBACK_TYPES}
# What each subscription may route: the contract of the topics it reads.
TOPIC_CONTRACTS = {
    INGEST_PATTERN: ingest.INGEST_TYPES,
    FEEDBACK_PATTERN: feedback.FEEDBACK_TYPES,
    **domain.DOMAIN_STREAMS,
}


async def _applied(uow: UnitOfWork, event: CloudEvent) -> Handled:
    return Handled.applied()


def test_a_type_the_contract_does_not_name_is_refused_by_name():
    routes = {ingest.COHORT_CLOSED: Route(_applied), "diklat.cohort.closd.v1": Route(_applied)}
    with pytest.raises(NotInContract, match=r"diklat\.cohort\.closd\.v1"):
        route_table(ingest.INGEST_TYPES, routes)


def test_a_domain_type_is_refused_on_an_ingest_table():
    with pytest.raises(NotInContract, match=re.escape(domain.ENROLMENT_COHORT_CLOSED)):
        route_table(ingest.INGEST_TYPES, {domain.ENROLMENT_COHORT_CLOSED: Route(_applied)})


def test_each_route_carries_its_contract_model():
    table = route_table(ingest.INGEST_TYPES, {ingest.COHORT_CLOSED: Route(_applied)})
    assert table[ingest.COHORT_CLOSED].model is ingest.CohortClosed


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_of_every_service_is_a_contract_type_with_its_model(service: str):
    subscriptions = subscriptions_of(definition(service))
    assert subscriptions, service
    for subscription in subscriptions:
        addresses = [*subscription.topics, *filter(None, [subscription.pattern])]
        allowed = {t for address in addresses for t in TOPIC_CONTRACTS[address]}
        assert set(subscription.routes) <= allowed, (service, subscription.name)
        for event_type, route in subscription.routes.items():
            assert route.model is CONTRACT[event_type], (service, event_type)


@pytest.mark.parametrize(
    ("module", "types"),
    [
        (ingest, ingest.INGEST_TYPES),
        (domain, domain.DOMAIN_TYPES),
        (feedback, feedback.FEEDBACK_TYPES),
    ],
)
def test_the_contract_names_each_type_once_as_a_constant(
    module: ModuleType, types: dict[str, object]
):
    constants = [v for k, v in vars(module).items() if k.isupper() and isinstance(v, str)]
    for event_type in types:
        assert constants.count(event_type) == 1, event_type


def test_no_service_types_an_event_type_by_hand():
    typed = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted((ROOT / "services").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and node.value in CONTRACT
    ]
    assert typed == [], "use the contract's constants (shared/events): " + ", ".join(typed)
