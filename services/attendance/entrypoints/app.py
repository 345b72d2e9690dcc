"""The service's definition for tools and tests, from its composition root (bootstrap.py)."""

from __future__ import annotations

from services.attendance.bootstrap import DEFINITION

__all__ = ["DEFINITION"]
