"""All four services together on the real broker and Postgres: a Jambi cohort published through
the publisher client ends with certificates for those who completed, feedback notices for the
organiser, and the national view (statistics, JP ledger, registry) agreeing with it."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import httpx
import pytest

from builders.nips import nips
from services.attendance.entrypoints.app import DEFINITION as ATTENDANCE
from services.certification.entrypoints.app import DEFINITION as CERTIFICATION
from services.consolidation.entrypoints.app import DEFINITION as CONSOLIDATION
from services.enrolment.entrypoints.app import DEFINITION as ENROLMENT
from shared.client import PublisherClient
from shared.events import ingest
from tests.support import Feedback, eventually, prepare_topics, running

pytestmark = pytest.mark.e2e
JAMBI = "15"
CODE = "15/PKA/2022/IV"
WIB = dt.timezone(dt.timedelta(hours=7))
TOKENS = "nat=national,adm=admin,p15=publisher:15"


def _cohort() -> ingest.CohortScheduled:
    sessions = [
        ingest.Session(
            no=i, date=dt.date(2022, 2, 14 + i), start=dt.time(8), end=dt.time(12), jp=Decimal(5)
        )
        for i in range(1, 5)
    ]
    return ingest.CohortScheduled(
        cohort_code=CODE,
        programme=ingest.Programme(
            name="Pelatihan Kepemimpinan Administrator", category=ingest.Category.KEPEMIMPINAN_PKA
        ),
        organizer="BPSDM Provinsi Jambi",
        year=2022,
        angkatan="IV",
        location="Kota Jambi",
        sessions=sessions,
        quota=30,
        completion=ingest.CompletionPolicy(evaluation_required=True),
    )


def _people() -> list[ingest.ParticipantRegistered]:
    return [
        ingest.ParticipantRegistered(
            cohort_code=CODE,
            nip=nip,
            name=f"Peserta {i}",
            asn_type="PNS",
            gender="P" if nip[14] == "2" else "L",
            position="Kepala Bagian",
            rank="IV/a",
            agency="Pemerintah Provinsi Jambi",
            region="15.71",
        )
        for i, nip in enumerate(nips(4, 1))
    ]


async def test_a_cohort_flows_from_publisher_to_certificates_and_the_national_view(infra):
    await prepare_topics(infra, [JAMBI])
    people = _people()
    present = ingest.AttendanceStatus.HADIR
    marks = [
        ingest.AttendanceRecorded(
            cohort_code=CODE,
            nip=p.nip,
            session_no=s,
            status=ingest.AttendanceStatus.SAKIT if (i == 3 and s == 1) else present,
        )
        for i, p in enumerate(people)
        for s in range(1, 5)
    ]
    scores = [
        ingest.EvaluationRecorded(cohort_code=CODE, nip=p.nip, score=Decimal(score))
        for p, score in zip(people, ("91", "60.01", "60", "85"), strict=True)
    ]
    async with contextlib.AsyncExitStack() as stack:
        runtimes = [
            await stack.enter_async_context(running(d, infra, api_tokens=TOKENS))
            for d in (ENROLMENT, ATTENDANCE, CERTIFICATION, CONSOLIDATION)
        ]
        feedback = await stack.enter_async_context(Feedback(infra, JAMBI))
        client = await stack.enter_async_context(PublisherClient(JAMBI, infra))
        ids = await client.publish(
            _cohort(), *people, *marks, *scores, time=dt.datetime(2022, 2, 20, tzinfo=WIB)
        )
        ids += await client.publish(
            ingest.CohortClosed(cohort_code=CODE), time=dt.datetime(2022, 5, 24, tzinfo=WIB)
        )

        outcomes = await feedback.wait_for_outcomes(ids, timeout=60)
        assert {o["outcome"] for o in outcomes.values()} == {"applied"}

        await feedback.wait_for(
            lambda _: (
                len(feedback.notices("certificate_issued")) == 2
                and len(feedback.notices("completion_failed")) == 2
            ),
            timeout=60,
            what="2 certificates and 2 failures told",
        )
        failures = " | ".join(n["message_id"] for n in feedback.notices("completion_failed"))
        assert "nilai 60 < 60,01" in failures
        assert "kehadiran 75% < 90%" in failures

        consolidation = runtimes[3]
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=consolidation.http_app()),
            base_url="http://t",
            headers={"Authorization": "Bearer nat"},
        ) as http:

            async def national_statistics() -> dict | None:
                stats = (await http.get("/api/v1/statistics")).json()
                # Everything decided and certified: a batch boundary may fall between them.
                decided = stats["completed"] + stats["not_completed"]
                return stats if stats["certificates_issued"] == 2 and decided == 4 else None

            stats = await eventually(national_statistics, 30, "national statistics")
            assert (stats["enrolled"], stats["completed"], stats["not_completed"]) == (4, 2, 2)
            assert stats["women"] == 1
            asn = (await http.get(f"/api/v1/asn/{people[0].nip}")).json()
            assert [(y["year"], y["jp"]) for y in asn["jp_per_year"]] == [(2022, 20.0)]
            registry = (
                await http.get("/api/v1/certificates", params={"nip": people[1].nip})
            ).json()
            assert registry["total"] == 1
            number = registry["items"][0]["number"]

        certification = runtimes[2]
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=certification.http_app()), base_url="http://t"
        ) as public:
            verified = (
                await public.get(
                    "/api/v1/verify", params={"number": number, "name": people[1].name.upper()}
                )
            ).json()
            assert verified["status"] == "valid"
            assert people[1].nip not in str(verified)
