"""HTTP credentials: bearer tokens mapped to a scope (national, one publisher, or admin), given
as a bearer or, after sign-in on a page, through the signed session cookie."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.topics import is_publisher_id
from shared.web.session import COOKIE, Sessions


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
# A post that carries only a cookie must come from our own pages (SameSite=Strict already keeps
# other sites' posts from carrying it; browsers that send Sec-Fetch-Site say so as well).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_SITE_FETCHES = frozenset({"same-origin", "none"})


def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """Whom the request speaks for: its bearer token, else the signed-in session's credential;
    the same scope either way."""
    principals: dict[str, Principal] = request.app.state.principals
    if credentials is not None:
        return _bearer_holder(principals, credentials.credentials)
    signed_in = session_principal(request)
    if signed_in is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "credential required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if request.method not in SAFE_METHODS and not same_site(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "cross-site request refused")
    return signed_in


def _bearer_holder(principals: dict[str, Principal], token: str) -> Principal:
    for known, principal in principals.items():
        if hmac.compare_digest(known.encode(), token.encode()):
            return principal
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED, "unknown credential", headers={"WWW-Authenticate": "Bearer"}
    )


def session_principal(request: Request) -> Principal | None:
    """The principal of the request's session cookie, when the service signs sessions and the
    cookie is genuine, current and names a credential the service still accepts."""
    sessions: Sessions | None = getattr(request.app.state, "sessions", None)
    cookie = request.cookies.get(COOKIE)
    if sessions is None or not cookie:
        return None
    principals: dict[str, Principal] = request.app.state.principals
    return sessions.holder(cookie, principals)


def same_site(request: Request) -> bool:
    """The request came from a page of this origin (its Origin, else its Sec-Fetch-Site)."""
    origin = request.headers.get("origin")
    if origin is not None:
        # Host only: behind a proxy ending TLS the scheme we see is not the browser's.
        return urlsplit(origin).netloc == request.url.netloc
    return request.headers.get("sec-fetch-site", "same-origin") in SAME_SITE_FETCHES


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
