"""The service's definition for tools and tests, from its composition root (bootstrap.py)."""

from __future__ import annotations

from services.consolidation.bootstrap import DEFINITION, DOMAIN_TOPICS

__all__ = ["DEFINITION", "DOMAIN_TOPICS"]
