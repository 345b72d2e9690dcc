"""Child process of the rebuild benchmarks: rebuild from the environment's topics, print timing
(the whole rebuild and each of its phases)."""

from __future__ import annotations

import asyncio
import json
import time

from services.consolidation.entrypoints.commands import rebuild
from shared.logging import configure_logging
from shared.settings import InfraSettings, ServiceSettings


async def _main() -> None:
    configure_logging("consolidation", "WARNING")
    started = time.perf_counter()
    phases: dict[str, float] = {}
    settings = ServiceSettings.for_service("consolidation")
    records = await rebuild(InfraSettings(), settings, timings=phases)
    seconds = time.perf_counter() - started
    print(json.dumps({"records": records, "seconds": seconds, **phases}))


if __name__ == "__main__":
    asyncio.run(_main())
