"""What tools (the CLI, the benchmarks) may call on the consolidation service: its public entry
points besides the running service. Everything else in `services.consolidation` is internal."""

from __future__ import annotations

from services.consolidation.domain import RebuildRefused
from services.consolidation.entrypoints.rebuild import rebuild

__all__ = ["RebuildRefused", "rebuild"]
