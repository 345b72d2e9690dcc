"""Which failures are the event's and which the server's: the core's escalation turns on it."""

from __future__ import annotations

import asyncpg

from shared.db import CONNECTION_LOST

# Transient: replaying the batch succeeds (a plan cached before a schema swap is re-prepared).
RETRYABLE: tuple[type[Exception], ...] = (
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
    asyncpg.InvalidCachedStatementError,
)
NOT_THE_EVENTS_FAULT = (*CONNECTION_LOST, *RETRYABLE)
# asyncpg refusing a parameter before sending it (an int beyond int4, text it cannot encode):
# the event's fault, although it derives from InterfaceError, one of CONNECTION_LOST.
_INPUT_REFUSED = asyncpg.exceptions._base.DataError
# Postgres or the server's state, not the batch's content: redelivery waits them out.
_SERVER_TROUBLE = (
    asyncpg.InsufficientResourcesError,
    asyncpg.OperatorInterventionError,
    asyncpg.PostgresSystemError,
)


def server_trouble(exc: Exception) -> bool:
    """Whether a failure is the server's or the connection's rather than an event's."""
    if isinstance(exc, _INPUT_REFUSED):
        return False
    return isinstance(exc, (*NOT_THE_EVENTS_FAULT, *_SERVER_TROUBLE))
