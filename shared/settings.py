"""Configuration from environment variables (pydantic-settings), with local-stack defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ServiceName = Literal["enrolment", "attendance", "certification", "consolidation"]
DEFAULT_HTTP_PORTS: dict[str, int] = {
    "enrolment": 8081,
    "attendance": 8082,
    "certification": 8083,
    "consolidation": 8084,
}


class InfraSettings(BaseSettings):
    """Where Postgres and Kafka are; the same unprefixed variables for every process."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str = Field(
        default="postgresql://postgres:postgres@127.0.0.1:55432/postgres",
        description="superuser URL (provisioning) or the base the service URL derives from",
    )
    kafka_bootstrap_servers: str = "127.0.0.1:19092"
    kafka_topic_namespace: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9._-]*$",
        description="prefix of every topic name on the wire (isolates tests or tenants)",
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = None

    @field_validator("database_url")
    @classmethod
    def _postgres_scheme(cls, value: str) -> str:
        if not value.startswith(("postgresql://", "postgres://")):
            raise ValueError(
                "DATABASE_URL must start with postgresql:// "
                "(e.g. postgresql://postgres:postgres@127.0.0.1:55432/postgres)"
            )
        return value

    def kafka_client_config(self) -> dict[str, object]:
        config: dict[str, object] = {
            "bootstrap_servers": self.kafka_bootstrap_servers,
            "security_protocol": self.kafka_security_protocol,
        }
        if self.kafka_sasl_mechanism:
            config.update(
                sasl_mechanism=self.kafka_sasl_mechanism,
                sasl_plain_username=self.kafka_sasl_username,
                sasl_plain_password=self.kafka_sasl_password,
            )
        return config


class ServiceSettings(BaseSettings):
    """Tuning of one service; variables prefixed with DIKLAT_<SERVICE>_ (see `for_service`)."""

    model_config = SettingsConfigDict(extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=0, ge=0, le=65535)
    database_url: str | None = Field(
        default=None,
        description="the service's own role URL; when set, no provisioning is attempted "
        "(production: roles and schemas come from `diklat db provision`)",
    )
    db_password: str | None = Field(
        default=None, description="password of the service's own role; default: derived locally"
    )
    consumer_group: str | None = None
    # 4000 cost ~10% less CPU per mark (a batch's fixed costs shared by more events), but at the
    # issue's sizes it took peak RSS past 200 MB (208-226 MB against 189-199 MB with 2000).
    batch_max_records: int = Field(default=2000, ge=1, le=100_000)
    lanes: int = Field(
        default=2,
        ge=1,
        le=8,
        description="concurrent transactions per batch, whole partitions or cohorts each: one "
        "lane decides while another waits for Postgres",
    )
    # Below this a lane's fixed costs outweigh the overlap: a burst of 50 closes reached its
    # last certificate 0.2-0.3 s later when its batches were split.
    lane_min_records: int = Field(default=500, ge=1, description="smallest lane worth splitting")
    batch_timeout_ms: int = Field(default=50, ge=0, le=10_000)
    # What one fetch may bring (the client's default is 50 MB). A consumer holds what it fetched
    # until handled, and decoded it takes several times its size: with a backlog of large
    # record batches, fetches of ~6 MB a partition were the largest part of a service's memory.
    # Tansu honours this limit, not the per-partition one; a batch larger than it still comes.
    fetch_max_bytes: int = Field(default=2_097_152, ge=1024)
    # How long the broker may hold a fetch that finds no new data. Tansu does not answer a
    # waiting fetch when data arrives: with the client's 500 every hop waited ~200 ms (p50),
    # with 100 ~10 ms. Kafka answers at once either way; idle consumers pay one empty fetch
    # per 100 ms (50 cost Tansu ~10% of a core when idle, for little more gain).
    fetch_max_wait_ms: int = Field(default=100, ge=1, le=10_000)
    session_timeout_ms: int = Field(default=6000, ge=1000)
    heartbeat_interval_ms: int = Field(default=1000, ge=100)
    metadata_max_age_ms: int = Field(default=3000, ge=500)
    auto_offset_reset: Literal["earliest", "latest"] = "earliest"
    park_timeout_s: float = Field(
        default=300.0, gt=0, description="how long a parked event waits for its prerequisite"
    )
    park_sweep_interval_s: float = Field(default=1.0, gt=0)
    outbox_poll_interval_s: float = Field(default=0.5, gt=0)
    # Rows per relay round (one read, one produce burst, one delete). A close releases a burst
    # (certification: three rows per participant); 1,000 took five rounds for 50 cohorts and
    # added ~0.4 s to the last certificate of the burst.
    outbox_batch_size: int = Field(default=5000, ge=1)
    # ...and at most about this many bytes of payload a round: memory, not time, is the limit
    # there (a round holds its payloads three or four times over while producing them).
    outbox_round_bytes: int = Field(default=4_000_000, ge=1)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    public_base_url: str = "http://127.0.0.1:8083"
    api_tokens: str = Field(
        default="", description="comma list token=scope, scope = national | publisher:<id> | admin"
    )

    @classmethod
    def for_service(
        cls, service: str, defaults: Mapping[str, object] | None = None, **overrides: object
    ) -> ServiceSettings:
        """The service's settings from DIKLAT_<SERVICE>_* variables; `defaults` (the service's
        own, see ServiceDefinition.settings) stand where no variable or override sets a field."""
        settings_class = type(
            f"{service.title()}Settings",
            (cls,),
            {
                "model_config": SettingsConfigDict(
                    env_prefix=f"DIKLAT_{service.upper()}_", extra="ignore"
                )
            },
        )
        settings: ServiceSettings = settings_class(**overrides)
        for name, value in (defaults or {}).items():
            if name not in settings.model_fields_set:
                setattr(settings, name, value)
        if settings.http_port == 0 and "http_port" not in overrides:
            settings.http_port = DEFAULT_HTTP_PORTS.get(service, 0)
        if settings.consumer_group is None:
            settings.consumer_group = service
        return settings
