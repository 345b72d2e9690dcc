"""The STTP's additions to the v1 contract (issue 20), additive and optional: a signatory and a
place of issue on the schedule, a close date on the close; older events stay valid. The close
date's rule (shared.events.rules) as enrolment refuses it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from pydantic import ValidationError

from services.enrolment.domain import Accepted, CohortStatus, CohortView, Rejection, decide_close
from shared.events import domain, ingest
from shared.events.rules import close_date_problem

pytestmark = pytest.mark.unit

CODE = "15/PKP/2017/I"
SCHEDULE = {
    "cohort_code": CODE,
    "programme": {"name": "Pelatihan Kepemimpinan Pengawas", "category": "kepemimpinan_pkp"},
    "organizer": "BPSDM Provinsi Jambi",
    "year": 2017,
    "angkatan": "I",
    "location": "Jambi",
    "sessions": [{"no": 1, "date": "2017-03-06", "start": "08:00", "end": "12:00", "jp": 5}],
    "quota": 30,
}
SIGNATORY = {"name": "Dr. H. Ahmad", "nip": "196805121994031004", "title": "Kepala BPSDM"}
START = dt.datetime(2017, 3, 6, 1, tzinfo=dt.UTC)  # 08:00 WIB
SENT = dt.datetime(2017, 3, 20, 3, tzinfo=dt.UTC)
COHORT = CohortView(CODE, "15", CohortStatus.SCHEDULED, START, 30, False)


def test_a_schedule_and_a_close_without_the_new_fields_stay_valid():
    scheduled = ingest.CohortScheduled.model_validate(SCHEDULE)
    assert (scheduled.signatory, scheduled.place_of_issue) == (None, None)
    assert ingest.CohortClosed.model_validate({"cohort_code": CODE}).closed_on is None
    old_close = {"cohort_code": CODE, "publisher": "15", "closed_at": SENT.isoformat()}
    old_close |= {"enrolled": 3, "withdrawn": 0}
    old_close["cause"] = {"event_id": "c", "topic": "t", "partition": 0, "offset": 1}
    assert domain.CohortClosed.model_validate(old_close).closed_on is None


def test_a_schedule_may_name_its_signatory_and_place_of_issue():
    scheduled = ingest.CohortScheduled.model_validate(
        SCHEDULE | {"signatory": SIGNATORY, "place_of_issue": "Jambi"}
    )
    assert scheduled.signatory == ingest.Signatory(**SIGNATORY)
    assert scheduled.place_of_issue == "Jambi"


@pytest.mark.parametrize(
    ("nip", "defect"),
    [
        ("19680512199403100", "pattern"),  # 17 digits
        ("196813121994031004", "BIRTH_DATE"),
        ("196805121994033004", "GENDER_DIGIT"),
        ("196805121994031000", "SEQUENCE"),
    ],
)
def test_a_signatory_nip_is_held_to_the_nip_rules_without_quoting_it(nip, defect):
    with pytest.raises(ValidationError) as raised:
        ingest.CohortScheduled.model_validate(SCHEDULE | {"signatory": SIGNATORY | {"nip": nip}})
    (error,) = raised.value.errors()
    assert error["loc"] == ("signatory", "nip")
    assert defect in error["msg"] and nip not in error["msg"]


@pytest.mark.parametrize("field", ["name", "nip", "title"])
def test_a_signatory_is_whole(field):
    partial = {k: v for k, v in SIGNATORY.items() if k != field}
    with pytest.raises(ValidationError):
        ingest.CohortScheduled.model_validate(SCHEDULE | {"signatory": partial})


def test_a_close_date_is_a_date_within_the_contracts_years():
    assert ingest.CohortClosed(cohort_code=CODE, closed_on="2017-03-10").closed_on == dt.date(
        2017, 3, 10
    )
    with pytest.raises(ValidationError):
        ingest.CohortClosed.model_validate({"cohort_code": CODE, "closed_on": "1999-12-31"})


def test_a_close_date_between_the_first_session_and_the_sending_day_is_fine():
    for day in (dt.date(2017, 3, 6), dt.date(2017, 3, 20)):
        assert close_date_problem(CODE, dt.date(2017, 3, 6), "Asia/Jakarta", day, SENT) is None


def test_a_close_date_after_the_day_the_close_was_sent_is_refused_indonesian_first():
    problem = close_date_problem(
        CODE, dt.date(2017, 3, 6), "Asia/Jakarta", dt.date(2017, 3, 21), SENT
    )
    assert problem is not None
    message_id, message_en = problem
    assert message_id.startswith("tanggal penutupan (closed_on) 2017-03-21 setelah")
    assert "2017-03-20" in message_id and "cannot lie in the future" in message_en


def test_the_sending_day_is_read_on_the_cohorts_clock():
    late_evening = dt.datetime(2017, 3, 20, 16, 30, tzinfo=dt.UTC)  # 23:30 WIB, 00:30 WITA
    day = dt.date(2017, 3, 21)
    assert close_date_problem(CODE, dt.date(2017, 3, 6), "Asia/Jakarta", day, late_evening)
    assert close_date_problem(CODE, dt.date(2017, 3, 6), "Asia/Makassar", day, late_evening) is None


def test_enrolment_refuses_a_close_dated_before_the_first_session_schema_invalid():
    refused = decide_close(COHORT, "15", SENT, dt.date(2017, 3, 5))
    assert isinstance(refused, Rejection) and refused.code == "SCHEMA_INVALID"
    assert "sebelum sesi pertama angkatan 15/PKP/2017/I pada 2017-03-06" in refused.message_id
    assert decide_close(COHORT, "15", SENT, dt.date(2017, 3, 10)) is Accepted.CLOSED
    assert decide_close(COHORT, "15", SENT) is Accepted.CLOSED


def test_a_wrong_close_date_is_refused_whatever_the_cohorts_state():
    closed = replace(COHORT, status=CohortStatus.CLOSED)
    assert isinstance(decide_close(closed, "15", SENT, dt.date(2018, 1, 1)), Rejection)
