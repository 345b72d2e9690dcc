"""NIPs for tests, benchmarks and demo data: `make_nip()` is the documented 198609262015051001."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from shared.events.rules import Gender

_GENDER_DIGIT = {Gender.L: "1", Gender.P: "2"}


def make_nip(
    birth: dt.date = dt.date(1986, 9, 26),
    tmt: tuple[int, int] = (2015, 5),
    gender: Gender = Gender.L,
    seq: int = 1,
) -> str:
    """Digits laid out as in a real NIP, without validating them: tests build broken ones too.

    For a PPPK number pass the middle as `tmt`, e.g. (2021, 24) for year 2021, code 24.
    """
    year, month = tmt
    return f"{birth:%Y%m%d}{year:04d}{month:02d}{_GENDER_DIGIT[gender]}{seq:03d}"


def numbered_nip(seq: int) -> str:
    """The documented NIP with sequence `seq` (0-999): even ones men, odd ones women."""
    return make_nip(gender=Gender.P if seq % 2 else Gender.L, seq=seq)


def nips(count: int, women: int = 0, first_seq: int = 1) -> Iterator[str]:
    """`count` distinct valid PNS NIPs, the first `women` of them women (gender digit 2)."""
    for i in range(count):
        # Birth dates stay before 1998 and the TMT is 2005-03, so every NIP is valid.
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=(37 * i) % 10_000)
        yield make_nip(
            birth=birth,
            tmt=(2005, 3),
            gender=Gender.P if i < women else Gender.L,
            seq=(first_seq - 1 + i // 10_000) % 999 + 1,
        )
