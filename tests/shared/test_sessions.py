"""Sign-in sessions: a signed, timestamped cookie naming a credential (issue 21)."""

from __future__ import annotations

import pytest

from shared.auth import Principal
from shared.web.session import LIFETIME_S, Sessions
from shared.web.signin import safe_return

KEY = "k" * 40
NATIONAL = Principal("national")
JAMBI = Principal("publisher", "15")
PRINCIPALS = {"nat-token": NATIONAL, "jambi-token": JAMBI}


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_cookie_signs_in_the_holder_of_the_credential_given():
    sessions = Sessions(KEY)
    assert sessions.holder(sessions.issue("jambi-token"), PRINCIPALS) == JAMBI
    assert sessions.holder(sessions.issue("nat-token"), PRINCIPALS) == NATIONAL


def test_the_cookie_does_not_carry_the_credential():
    cookie = Sessions(KEY).issue("jambi-token")
    assert "jambi-token" not in cookie


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_a_tampered_cookie_signs_in_nobody(where):
    sessions = Sessions(KEY)
    cookie = sessions.issue("nat-token")
    # The very last character carries some unused bits of the signature's encoding.
    at = {"start": 0, "middle": len(cookie) // 2, "end": len(cookie) - 2}[where]
    changed = "A" if cookie[at] != "A" else "B"
    assert sessions.holder(cookie[:at] + changed + cookie[at + 1 :], PRINCIPALS) is None


def test_another_keys_cookie_signs_in_nobody():
    cookie = Sessions("x" * 40).issue("nat-token")
    assert Sessions(KEY).holder(cookie, PRINCIPALS) is None


def test_a_session_ends_after_its_lifetime():
    clock = Clock()
    sessions = Sessions(KEY, clock=clock)
    cookie = sessions.issue("nat-token")
    clock.now += LIFETIME_S - 1
    assert sessions.holder(cookie, PRINCIPALS) == NATIONAL
    clock.now += 2
    assert sessions.holder(cookie, PRINCIPALS) is None


def test_a_cookie_dated_in_the_future_signs_in_nobody():
    clock = Clock()
    cookie = Sessions(KEY, clock=clock).issue("nat-token")
    clock.now -= 3600
    assert Sessions(KEY, clock=clock).holder(cookie, PRINCIPALS) is None


def test_a_credential_no_longer_given_ends_its_sessions():
    sessions = Sessions(KEY)
    cookie = sessions.issue("jambi-token")
    assert sessions.holder(cookie, {"nat-token": NATIONAL}) is None


def test_a_form_token_belongs_to_its_own_session():
    sessions = Sessions(KEY)
    mine, theirs = sessions.issue("nat-token"), sessions.issue("jambi-token")
    assert sessions.form_token_matches(mine, sessions.form_token(mine))
    assert not sessions.form_token_matches(mine, sessions.form_token(theirs))
    assert not sessions.form_token_matches(mine, "")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/dasbor?year=2024", "/dasbor?year=2024"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        (None, "/"),
    ],
)
def test_sign_in_returns_only_to_a_page_of_this_site(target, expected):
    assert safe_return(target) == expected
