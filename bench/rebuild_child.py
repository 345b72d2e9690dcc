"""Child process of the rebuild benchmark: rebuild from the environment's topics, print timing."""

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
    records = await rebuild(InfraSettings(), ServiceSettings.for_service("consolidation"))
    print(json.dumps({"records": records, "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    asyncio.run(_main())
