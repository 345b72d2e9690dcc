"""The 20 JP policy and the reminder schedule (issue 19) and the dashboard's link to
certification (issue 21), from DIKLAT_CONSOLIDATION_* variables.
A wrong value stops the service at start naming its variable."""

from __future__ import annotations

import functools
import os
import re
from decimal import Decimal
from typing import Annotated
from urllib.parse import quote

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.consolidation.compliance import Policy
from services.consolidation.reminders import Schedule
from shared.events.ingest import EmploymentStatus
from shared.settings import DEFAULT_HTTP_PORTS


class ComplianceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DIKLAT_CONSOLIDATION_", extra="ignore")

    jp_minimum_pns: Decimal = Field(default=Decimal(20), ge=0, le=1000)
    # PP 49/2018 bounds PPPK development at 24 JP as a maximum: not assessed unless set.
    jp_minimum_pppk: Decimal | None = Field(default=None, ge=0, le=1000)
    exempt_statuses: Annotated[frozenset[EmploymentStatus], NoDecode] = Field(
        default=frozenset(
            {
                EmploymentStatus.TUGAS_BELAJAR,
                EmploymentStatus.CLTN,
                EmploymentStatus.PENSIUN,
                EmploymentStatus.BERHENTI,
                EmploymentStatus.MENINGGAL,
            }
        ),
        description="comma list of statuses that exempt an ASN for the year they began in",
    )
    reminder_start: str = Field(default="10-01", description="MM-DD: first reminder day of a year")
    reminder_cadence_days: int = Field(default=7, ge=1, le=366)
    reminder_check_interval_s: float = Field(default=3600.0, gt=0)

    @field_validator("exempt_statuses", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(s.strip() for s in value.split(",") if s.strip())
        return value

    @field_validator("reminder_start")
    @classmethod
    def _month_day(cls, value: str) -> str:
        month, _, day = value.partition("-")
        Schedule(int(month), int(day)).start(2024)  # ValueError names an impossible day
        return value

    def policy(self) -> Policy:
        return Policy(
            minimum_by_type={"PNS": self.jp_minimum_pns, "PPPK": self.jp_minimum_pppk},
            exempt_statuses=self.exempt_statuses,
        )

    def schedule(self) -> Schedule:
        month, _, day = self.reminder_start.partition("-")
        return Schedule(int(month), int(day), self.reminder_cadence_days)


@functools.cache
def compliance_settings() -> ComplianceSettings:
    """Read once per process: the upkeep, the views and the reminders use the same policy."""
    return ComplianceSettings()


def _local_certification() -> str:
    """Where the local stack's certification listens (as `diklat.services.local_url`)."""
    port = os.environ.get("DIKLAT_CERTIFICATION_HTTP_PORT") or DEFAULT_HTTP_PORTS["certification"]
    return f"http://127.0.0.1:{port}"


class DashboardSettings(BaseSettings):
    """What the dashboard links to outside this service."""

    model_config = SettingsConfigDict(env_prefix="DIKLAT_CONSOLIDATION_", extra="ignore")

    certification_url: str = Field(
        default_factory=_local_certification,
        description="certification's public address: a certificate's verification page is "
        "<certification_url>/verify/<code>; the default serves only the local stack",
    )

    @field_validator("certification_url")
    @classmethod
    def _absolute_http_url(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError(
                "certification_url: alamat http(s) lengkap tanpa ? atau #, "
                "mis. https://sertifikat.bpsdm.go.id / a full http(s) address without ? or #"
            )
        return value.rstrip("/")

    def verification_url(self, code: str) -> str:
        return f"{self.certification_url}/verify/{quote(code, safe='')}"


@functools.cache
def dashboard_settings() -> DashboardSettings:
    return DashboardSettings()
