"""Configuration from environment variables (pydantic-settings), with local-stack defaults."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, create_model, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ServiceName = Literal["enrolment", "attendance", "certification", "consolidation"]
# The local stack's session key, the same in every process so one sign-in serves every local
# service (a browser sends a host's cookies to all of its ports).
LOCAL_SESSION_SECRET = "diklat-local-stack-session-key-not-for-deployment"
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
    """Tuning of one service; `for_service` makes the class that reads DIKLAT_<SERVICE>_*."""

    # Some settings are secrets (tokens, passwords, the session key): an error names the
    # setting and the rule, never the value given.
    model_config = SettingsConfigDict(extra="ignore", hide_input_in_errors=True)

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
    # Larger batches share a batch's fixed costs, but hold more in memory (bench/notes.md).
    batch_max_records: int = Field(default=2000, ge=1, le=100_000)
    lanes: int = Field(
        default=2,
        ge=1,
        le=8,
        description="concurrent transactions per batch, whole partitions or cohorts each: one "
        "lane decides while another waits for Postgres",
    )
    # Below this a lane's fixed costs outweigh the overlap (bench/notes.md).
    lane_min_records: int = Field(default=500, ge=1, description="smallest lane worth splitting")
    batch_timeout_ms: int = Field(default=50, ge=0, le=10_000)
    # What one fetch may bring: a consumer holds it, decoded several times over, until handled.
    # Tansu honours this limit, not the per-partition one (bench/notes.md).
    fetch_max_bytes: int = Field(default=2_097_152, ge=1024)
    # How long the broker may hold a fetch that finds nothing: Tansu does not answer a waiting
    # fetch when data arrives, so this bounds every hop's wait there (bench/notes.md).
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
    # Rows per relay round (one read, one produce burst, one delete): a close releases a burst of
    # rows, relayed in fewer rounds the larger they are (bench/notes.md).
    outbox_batch_size: int = Field(default=5000, ge=1)
    # ...and at most about this many bytes of payload a round: a round holds its payloads three
    # or four times over while producing them, so memory is the limit there.
    outbox_round_bytes: int = Field(default=4_000_000, ge=1)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    public_base_url: str = Field(
        default="http://127.0.0.1:8083",
        description="where the public reaches this service (certification: the base of the URL "
        "in every certificate's QR code); the loopback default serves only the local stack",
    )
    api_tokens: str = Field(
        default="", description="comma list token=scope, scope = national | publisher:<id> | admin"
    )
    session_secret: SecretStr | None = Field(
        default=None,
        min_length=32,
        description="key signing the sign-in session cookies of the service's pages; default: "
        "the local stack's own (a deployment gives a random one, 32 characters at least)",
    )

    @field_validator("public_base_url")
    @classmethod
    def _absolute_http_url(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError(
                "public_base_url: alamat http(s) lengkap tanpa ? atau #, "
                "mis. https://sertifikat.bpsdm.jambiprov.go.id / a full http(s) address "
                "without ? or #"
            )
        return value

    @property
    def local_stack(self) -> bool:
        """The local stack and tests give no own-role database URL, so the runtime provisions
        the service's role with the superuser; a deployment always gives one (its roles come
        from `diklat db provision`)."""
        return self.database_url is None

    def session_key(self) -> str | None:
        """The key of the sign-in sessions: the given one, the local stack's, or none (then
        the service has no pages to sign in to)."""
        if self.session_secret is not None:
            return self.session_secret.get_secret_value()
        return LOCAL_SESSION_SECRET if self.local_stack else None

    @classmethod
    def for_service(
        cls,
        service: str,
        defaults: Mapping[str, object] | None = None,
        required_outside_local_stack: Collection[str] = (),
        **overrides: Any,
    ) -> ServiceSettings:
        """The service's settings: an override beats a DIKLAT_<SERVICE>_* variable, which beats
        the service's own default (`defaults`, see ServiceDefinition.settings), which beats the
        class's. Every value is validated: a wrong one stops the start naming its setting, and
        one of `required_outside_local_stack` left to its default outside the local stack
        raises MissingSetting naming its variable."""
        settings = _service_class(cls, service, defaults or {})(**overrides)
        missing = [
            name for name in required_outside_local_stack if name not in settings.model_fields_set
        ]
        if missing and not settings.local_stack:
            raise MissingSetting(service, missing[0])
        return settings


# What each setting a deployment must give is, for the error that names it (Indonesian, English).
_REQUIRED_WHAT: dict[str, tuple[str, str]] = {
    "public_base_url": (
        "alamat publik layanan ini, dasar URL pada kode QR setiap sertifikat "
        "(mis. https://sertifikat.bpsdm.jambiprov.go.id)",
        "this service's public address, the base of the URL in every certificate's QR code "
        "(e.g. https://sertifikat.bpsdm.jambiprov.go.id)",
    ),
    "session_secret": (
        "kunci acak rahasia minimal 32 karakter yang menandatangani sesi masuk halaman",
        "a random secret key of 32 characters at least that signs the pages' sign-in sessions",
    ),
}


class MissingSetting(ValueError):
    """A setting whose default serves only the local stack, left unset in a deployment (the
    service's own database URL is given): the service does not start."""

    def __init__(self, service: str, setting: str) -> None:
        self.variable = f"DIKLAT_{service.upper()}_{setting.upper()}"
        what_id, what_en = _REQUIRED_WHAT.get(setting, (setting, setting))
        super().__init__(
            f"Layanan {service} tidak dijalankan: {self.variable} wajib diisi di luar stack "
            f"lokal; isi dengan {what_id}. Nilai bawaannya hanya untuk stack lokal. "
            f"/ The {service} service did not start: {self.variable} is required "
            f"outside the local stack; set it to {what_en}. Its default serves only the local "
            "stack."
        )


def _service_class(
    base: type[ServiceSettings], service: str, defaults: Mapping[str, object]
) -> type[ServiceSettings]:
    """A subclass reading DIKLAT_<SERVICE>_* whose fields default to the service's own values,
    keeping each field's constraints (pydantic-settings validates defaults too)."""
    own = {
        "http_port": DEFAULT_HTTP_PORTS.get(service, 0),
        "consumer_group": service,
        **defaults,
    }
    unknown = sorted(own.keys() - base.model_fields.keys())
    if unknown:
        raise ValueError(f"{service}: no such settings: {', '.join(unknown)}")
    fields: dict[str, Any] = {
        name: (Annotated[base.model_fields[name].annotation, base.model_fields[name]], value)
        for name, value in own.items()
    }
    return create_model(
        f"{service.title()}Settings",
        __base__=base,
        __cls_kwargs__={"env_prefix": f"DIKLAT_{service.upper()}_"},
        **fields,
    )
