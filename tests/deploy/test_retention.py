"""The topics the read model is rebuilt from keep every record (issue 17, item 11): created so by
the services at start, by onboarding and by docker-compose.yml; an existing topic that does not
is named in a warning; on Tansu (no DescribeConfigs) the check degrades to one warning."""

from __future__ import annotations

import asyncio
import re
import stat
import uuid
from pathlib import Path

import pytest
import structlog
import yaml
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from typer.testing import CliRunner

from diklat.cli import app
from diklat.stack.apache_kafka import java_binary, kafka_classpath
from diklat.stack.processes import free_port
from diklat.stack.tansu import TansuBroker
from services.consolidation.entrypoints.rebuild import rebuild
from services.enrolment.entrypoints.app import DEFINITION as ENROLMENT
from shared.kafka import ensure_topics
from shared.settings import InfraSettings
from shared.topics import DOMAIN_TOPICS, ENROLMENT_EVENTS, feedback_topic, ingest_topic, physical
from tests.support import Publisher, eventually, running
from tests.support import test_settings as service_settings

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
FOREVER = ("-1", "-1")
WEEK = "604800000"  # Apache Kafka's default log.retention.hours=168


async def _retention(bootstrap: str, topics: list[str]) -> dict[str, tuple[str, str]]:
    """retention.ms and retention.bytes of each (physical) topic, once the broker's metadata
    knows them all (right after a creation it may still answer UNKNOWN_TOPIC_OR_PARTITION)."""

    async def described() -> dict[str, tuple[str, str]] | None:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            wanted = {"retention.ms": None, "retention.bytes": None}
            responses = await admin.describe_configs(
                [ConfigResource(ConfigResourceType.TOPIC, t, wanted) for t in topics]
            )
        finally:
            await admin.close()
        found = {}
        for response in responses:
            for resource in response.to_object()["resources"]:
                if resource["error_code"]:
                    return None
                entries = resource["config_entries"]
                values = {e["config_names"]: e["config_value"] for e in entries}
                found[resource["resource_name"]] = (
                    values["retention.ms"],
                    values["retention.bytes"],
                )
        return found

    result: dict[str, tuple[str, str]] = await eventually(described, 30, f"configs of {topics}")
    return result


async def test_a_service_creates_the_domain_topics_keeping_every_record(infra):
    async with running(ENROLMENT, infra):
        pass
    names = [physical(infra.kafka_topic_namespace, t) for t in DOMAIN_TOPICS]
    assert await _retention(infra.kafka_bootstrap_servers, names) == dict.fromkeys(names, FOREVER)


async def test_an_existing_domain_topic_with_limited_retention_is_named_in_a_warning(infra):
    name = physical(infra.kafka_topic_namespace, ENROLMENT_EVENTS)
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 6, 1)])  # as before: the broker's default
    finally:
        await admin.close()

    with structlog.testing.capture_logs() as logs:
        created = await ensure_topics(infra, DOMAIN_TOPICS)

    assert name not in created
    warned = [e for e in logs if e["log_level"] == "warning" and e.get("topic") == name]
    assert len(warned) == 1, logs
    assert (warned[0]["retention_ms"], warned[0]["retention_bytes"]) == (WEEK, "-1")
    assert "retention.ms=-1" in warned[0]["event"]
    assert warned[0]["event"].index("topik") < warned[0]["event"].index("topic")
    assert (
        f"--entity-name {name} --add-config retention.ms=-1,retention.bytes=-1"
        in (warned[0]["fix"])
    )
    # The topics it created itself keep everything, and are not warned about.
    others = [physical(infra.kafka_topic_namespace, t) for t in DOMAIN_TOPICS[1:]]
    assert await _retention(infra.kafka_bootstrap_servers, others) == dict.fromkeys(others, FOREVER)
    assert not [e for e in logs if e.get("topic") in others]


async def test_onboarding_creates_feedback_and_domain_topics_keeping_every_record(
    kafka_bootstrap,
):
    namespace = f"t{uuid.uuid4().hex[:8]}."
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "KAFKA_TOPIC_NAMESPACE": namespace,
        "DATABASE_URL": "postgresql://unused@127.0.0.1:1/unused",
    }
    # The command runs its own event loop: in a thread, as from a shell.
    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["publishers", "add", "35.23", "--partitions", "1"], env=env
    )
    assert result.exit_code == 0, result.output
    kept = [physical(namespace, t) for t in (*DOMAIN_TOPICS, feedback_topic("35.23"))]
    ingest = physical(namespace, ingest_topic("35.23"))
    found = await _retention(kafka_bootstrap, [*kept, ingest])
    assert {t: found[t] for t in kept} == dict.fromkeys(kept, FOREVER)
    assert found[ingest] == (WEEK, "-1")  # ingest is not what the read model is rebuilt from


def test_compose_creates_the_domain_topics_and_the_services_wait_for_it():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    topics = compose["services"]["kafka-topics"]
    assert topics["image"] == compose["services"]["kafka"]["image"]
    assert topics["depends_on"]["kafka"]["condition"] == "service_healthy"
    script = topics["command"][0]
    assert re.search(r"for topic in ([^;]+);", script)[1].split() == list(DOMAIN_TOPICS)  # type: ignore[index]
    for name in ("enrolment", "attendance", "certification", "consolidation"):
        condition = compose["services"][name]["depends_on"]["kafka-topics"]["condition"]
        assert condition == "service_completed_successfully"


async def test_the_compose_topic_step_run_on_a_real_broker_keeps_every_record(
    kafka_bootstrap, tmp_path
):
    """The compose script itself, against this session's Apache Kafka: kafka-topics.sh is the
    same tool (TopicCommand) from the test broker's jars; names carry a test namespace."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    namespace = f"t{uuid.uuid4().hex[:8]}."
    tool = tmp_path / "kafka-topics.sh"
    tool.write_text(
        f'#!/bin/sh\nexec "{java_binary()}" -cp "{kafka_classpath()}" '
        'org.apache.kafka.tools.TopicCommand "$@"\n'
    )
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    script = (
        compose["services"]["kafka-topics"]["command"][0]
        .replace("$$", "$")  # Compose's escape of a shell variable
        .replace("/opt/kafka/bin/kafka-topics.sh", str(tool))
        .replace("kafka:9092", kafka_bootstrap)
        .replace("diklat.domain.", f"{namespace}diklat.domain.")
    )
    for _ in range(2):  # the second run finds them (--if-not-exists) and still succeeds
        process = await asyncio.create_subprocess_exec(
            "/bin/sh",
            "-c",
            script,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), 300)
        assert process.returncode == 0, output.decode()
    names = [physical(namespace, t) for t in DOMAIN_TOPICS]
    assert await _retention(kafka_bootstrap, names) == dict.fromkeys(names, FOREVER)


async def test_on_tansu_the_checks_degrade_to_a_warning_and_the_rebuild_still_runs(
    tmp_path, database_url
):
    tansu = TansuBroker(tmp_path / "tansu", free_port())
    tansu.start()
    try:
        infra = InfraSettings(
            database_url=database_url,
            kafka_bootstrap_servers=tansu.bootstrap_servers,
            kafka_topic_namespace="",
        )
        created = await ensure_topics(infra, [*DOMAIN_TOPICS, feedback_topic("15")])
        assert len(created) == 4
        with structlog.testing.capture_logs() as logs:
            for _ in range(2):  # the broker cannot describe configs: said once, then quiet
                assert await ensure_topics(infra, DOMAIN_TOPICS) == []
        warned = [e for e in logs if e["log_level"] == "warning"]
        assert len(warned) == 1 and "cannot be checked" in warned[0]["event"], logs
        async with Publisher(infra) as pub:
            await pub.send_raw(ENROLMENT_EVENTS, b"{}", key="15/X/2024/I")
        # Tansu keeps every record (log start 0): the rebuild's own check passes there.
        assert await rebuild(infra, service_settings("consolidation")) >= 1
    finally:
        tansu.stop()
