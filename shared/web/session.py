"""Signed sessions: after sign-in a cookie names which API credential the person gave, signed
and timestamped (itsdangerous), never the credential itself. A session lasts `LIFETIME_S`; a
credential removed from the service's tokens ends every session made with it."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

from itsdangerous import BadSignature, TimestampSigner

COOKIE = "diklat_sesi"
LIFETIME_S = 8 * 3600
SALT = "diklat.session.v1"
P = TypeVar("P")


class _ClockedSigner(TimestampSigner):
    """itsdangerous' timestamped signer reading time from a clock the tests can move."""

    def __init__(self, secret: str, clock: Callable[[], float]) -> None:
        super().__init__(secret, salt=SALT, digest_method=hashlib.sha256)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock())


class Sessions:
    def __init__(
        self, secret: str, lifetime_s: int = LIFETIME_S, clock: Callable[[], float] = time.time
    ) -> None:
        self._secret = secret.encode()
        self._signer = _ClockedSigner(secret, clock)
        self.lifetime_s = lifetime_s

    def fingerprint(self, token: str) -> str:
        """Names a credential without revealing it (keyed, so it cannot be guessed offline)."""
        return hmac.new(self._secret, b"token:" + token.encode(), hashlib.sha256).hexdigest()

    def issue(self, token: str) -> str:
        """The cookie's value for a person who gave `token`."""
        return self._signer.sign(self.fingerprint(token)).decode()

    def fingerprint_in(self, cookie: str) -> str | None:
        """The credential's fingerprint in a cookie this key signed less than `lifetime_s` ago;
        None when it was altered, made with another key, expired or dated in the future."""
        try:
            return self._signer.unsign(cookie, max_age=self.lifetime_s).decode()
        except (BadSignature, UnicodeDecodeError):
            return None

    def holder(self, cookie: str, principals: Mapping[str, P]) -> P | None:
        """Whom the cookie signs in: the principal of the credential it names, if still given."""
        named = self.fingerprint_in(cookie)
        if named is None:
            return None
        for token, principal in principals.items():
            if hmac.compare_digest(self.fingerprint(token), named):
                return principal
        return None

    def form_token(self, cookie: str) -> str:
        """The value a page's forms carry so that a post is known to come from our own page."""
        return hmac.new(self._secret, b"form:" + cookie.encode(), hashlib.sha256).hexdigest()

    def form_token_matches(self, cookie: str, given: str) -> bool:
        return hmac.compare_digest(self.form_token(cookie), given)
