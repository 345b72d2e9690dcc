"""The base of every domain event's data: unknown fields ignored (a newer producer may add
some), instances frozen."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ContractData(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
