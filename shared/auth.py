"""HTTP credentials: bearer tokens mapped to a scope (national, one publisher, or admin)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.topics import is_publisher_id


@dataclass(frozen=True)
class Principal:
    scope: str  # "national" | "admin" | "publisher"
    publisher: str | None = None

    @property
    def is_national(self) -> bool:
        return self.scope in ("national", "admin")

    def may_see_publisher(self, publisher: str) -> bool:
        return self.is_national or self.publisher == publisher


class TokenConfigError(ValueError):
    pass


def parse_tokens(spec: str) -> dict[str, Principal]:
    """`tok1=national,tok2=publisher:15,tok3=admin` -> principals; precise errors otherwise."""
    principals: dict[str, Principal] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        token, _, scope = item.partition("=")
        if not token or not scope:
            raise TokenConfigError(f"API token entry {item[:4]}… must look like TOKEN=SCOPE")
        if scope in ("national", "admin"):
            principals[token] = Principal(scope)
        elif scope.startswith("publisher:") and is_publisher_id(scope.split(":", 1)[1]):
            principals[token] = Principal("publisher", scope.split(":", 1)[1])
        else:
            raise TokenConfigError(
                f"API token scope {scope!r} is not national, admin or publisher:<id>"
            )
    return principals


_bearer = HTTPBearer(auto_error=False)


def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "credential required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    principals: dict[str, Principal] = request.app.state.principals
    for token, principal in principals.items():
        if hmac.compare_digest(token.encode(), credentials.credentials.encode()):
            return principal
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED, "unknown credential", headers={"WWW-Authenticate": "Bearer"}
    )


def require_admin(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if principal.scope != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admin credential required")
    return principal


def require_publisher_access(principal: Principal, publisher: str) -> None:
    if not principal.may_see_publisher(publisher):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"this credential may not see publisher {publisher}"
        )


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
AdminPrincipal = Annotated[Principal, Depends(require_admin)]
