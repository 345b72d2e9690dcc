"""Build NIPs for tests and demo data: `make_nip()` is the documented example 198609262015051001."""

from __future__ import annotations

from datetime import date

from services.enrolment.domain import Gender

_GENDER_DIGIT = {Gender.L: "1", Gender.P: "2"}


def make_nip(
    birth: date = date(1986, 9, 26),
    tmt: tuple[int, int] = (2015, 5),
    gender: Gender = Gender.L,
    seq: int = 1,
) -> str:
    """Digits laid out as in a real NIP, without validating them: tests build broken ones too.

    For a PPPK number pass the middle as `tmt`, e.g. (2021, 24) for year 2021, code 24.
    """
    year, month = tmt
    return f"{birth:%Y%m%d}{year:04d}{month:02d}{_GENDER_DIGIT[gender]}{seq:03d}"
