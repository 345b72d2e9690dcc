"""What certification's entrypoints need beyond the runtime's pool and settings: built once per
runtime by the composition root (bootstrap.py: `build_dependencies`) and reached with
`of(runtime)`, as handlers reach their repository with `repository.of(uow)`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from services.certification.ports import CredentialKeys, SealCheck
from shared.runtime import ServiceRuntime


@dataclass(frozen=True)
class Dependencies:
    seal_check: SealCheck
    credential_keys: CredentialKeys


def of(runtime: ServiceRuntime) -> Dependencies:
    """The dependencies this runtime's composition root built."""
    return cast(Dependencies, runtime.dependencies)
