"""A publisher's SCRAM user and ACLs on a SASL Kafka broker (`diklat publishers add`).

ACLs are LITERAL, not prefixed: publisher ids nest (`15` is Jambi, `15.71` is Kota Jambi), so
a prefix `diklat.ingest.15` would also let the province write the kota's topic. aiokafka has
no ACL or SCRAM admin API, so the Java Admin client in deploy/kafka/StackAdmin.java does it.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from diklat.stack.apache_kafka import (
    _TOOL_JVM,
    DEPLOY_DIR,
    _check_credential,
    _stack_admin_classes,
    java_binary,
    kafka_classpath,
)
from shared.settings import InfraSettings
from shared.topics import feedback_topic, ingest_topic, physical


def publisher_user(publisher: str) -> str:
    return f"publisher-{publisher}"


def publisher_group(publisher: str) -> str:
    """The one consumer group a publisher may use to follow its feedback."""
    return f"diklat.publisher.{publisher}"


def new_password() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class PublisherGrant:
    """What one publisher may do: write its ingest topic, read its feedback topic and group."""

    publisher: str
    namespace: str = ""

    @property
    def user(self) -> str:
        return publisher_user(self.publisher)

    def actions(self, password: str) -> list[str]:
        """StackAdmin arguments: the SCRAM credential, then the literal ACLs."""
        ingest = physical(self.namespace, ingest_topic(self.publisher))
        feedback = physical(self.namespace, feedback_topic(self.publisher))
        group = physical(self.namespace, publisher_group(self.publisher))
        return [
            *("scram", self.user, password),
            *("acl-literal", self.user, "TOPIC", ingest, "WRITE,DESCRIBE"),
            *("acl-literal", self.user, "TOPIC", feedback, "READ,DESCRIBE"),
            *("acl-literal", self.user, "GROUP", group, "READ,DESCRIBE"),
        ]


def grant_publisher(infra: InfraSettings, publisher: str, password: str) -> PublisherGrant:
    """Create or update the publisher's SCRAM user and its ACLs, as the admin of `infra`."""
    if infra.kafka_sasl_mechanism and not infra.kafka_sasl_username:
        raise RuntimeError(
            "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must name a Kafka super user to create "
            "publisher credentials and ACLs"
        )
    _check_credential("password", password)
    grant = PublisherGrant(publisher, infra.kafka_topic_namespace)
    _run_stack_admin(infra, grant.actions(password))
    return grant


def _client_properties(infra: InfraSettings) -> str:
    if not infra.kafka_sasl_mechanism:
        # E.g. compose's INTERNAL listener, where the anonymous principal is a super user.
        return f"security.protocol={infra.kafka_security_protocol}\n"
    login = "scram.ScramLoginModule"
    if infra.kafka_sasl_mechanism == "PLAIN":
        login = "plain.PlainLoginModule"
    return (
        f"security.protocol={infra.kafka_security_protocol}\n"
        f"sasl.mechanism={infra.kafka_sasl_mechanism}\n"
        f"sasl.jaas.config=org.apache.kafka.common.security.{login} required "
        f'username="{infra.kafka_sasl_username}" password="{infra.kafka_sasl_password}";\n'
    )


def _run_stack_admin(infra: InfraSettings, actions: list[str]) -> None:
    classpath = f"{_stack_admin_classes()}{os.pathsep}{kafka_classpath()}"
    # The properties hold the admin password: a private directory, removed afterwards.
    with tempfile.TemporaryDirectory(prefix="diklat-acl-") as tmp:
        config = Path(tmp) / "admin.properties"
        config.touch(mode=0o600)
        config.write_text(_client_properties(infra))
        result = subprocess.run(
            [
                java_binary(),
                *_TOOL_JVM,
                f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'log4j2-tools.properties'}",
                "-cp",
                classpath,
                "StackAdmin",
                infra.kafka_bootstrap_servers,
                str(config),
                *actions,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    if result.returncode != 0:
        # Never echo the arguments: they contain the publisher's password.
        raise RuntimeError(f"creating the publisher's credential and ACLs failed:\n{result.stderr}")
