"""The 20 JP policy and the reminder schedule, from DIKLAT_CONSOLIDATION_* variables (issue 19).
A wrong value stops the service at start naming its variable."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.consolidation.compliance import Policy
from services.consolidation.reminders import Schedule
from shared.events.ingest import EmploymentStatus


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
