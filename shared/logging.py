"""structlog JSON logs with service context; NIPs and names never reach a log in clear."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_NIP = re.compile(r"(?<!\d)(\d{4})\d{10}(\d{4})(?!\d)")
# Keys whose values are personal data: dropped or masked whatever their content.
_PERSONAL_KEYS = frozenset({"name", "nama", "birth_date", "participant", "note"})


def mask_nip(nip: str) -> str:
    """`198609262015051001` -> `1986**********1001`: enough to find a row, not a person."""
    return _NIP.sub(lambda m: m.group(1) + "*" * 10 + m.group(2), nip)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return mask_nip(value)
    if isinstance(value, dict):
        return {k: "[redacted]" if k in _PERSONAL_KEYS else _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def scrub_personal_data(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        event_dict[key] = "[redacted]" if key in _PERSONAL_KEYS else _scrub(event_dict[key])
    return event_dict


class MaskNipFilter(logging.Filter):
    """Library logs (aiokafka, FastStream, uvicorn) pass through stdlib logging: mask there too."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_nip(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_nip(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=level, force=True)
    for handler in logging.getLogger().handlers:
        handler.addFilter(MaskNipFilter())
    for noisy in ("aiokafka", "uvicorn.access", "faststream"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            scrub_personal_data,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        # No fixed file and no caching: the logger writes to whatever sys.stdout is now.
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
