"""The close barrier rule attendance's marks and certification's scores are both judged by."""

from __future__ import annotations

import pytest

from shared.judgement import CloseBarrier, Standing, close_standing

pytestmark = pytest.mark.unit

LOG = "diklat.ingest.73"


def test_an_accepted_close_outweighs_an_unconfirmed_one_before_the_same_record():
    barriers = (CloseBarrier(LOG, 0, 3, False), CloseBarrier(LOG, 0, 4, True))
    assert close_standing(barriers, (LOG, 0, 10)) is Standing.CLOSED
    assert close_standing(barriers[:1], (LOG, 0, 10)) is Standing.UNCONFIRMED


def test_a_record_at_or_before_every_close_is_open():
    barriers = (CloseBarrier(LOG, 0, 3, False), CloseBarrier(LOG, 0, 4, True))
    assert close_standing(barriers, (LOG, 0, 3)) is Standing.OPEN
    assert close_standing(barriers, (LOG, 0, 2)) is Standing.OPEN
