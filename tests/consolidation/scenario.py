"""A three-publisher 2024 scenario as domain events, with its numbers computed by hand.

nasional N1 (manajerial, 30 JP, closed): A (15.71, P) completed, C (31.71, L) not completed
15       J1 (teknis, 12 JP, closed):     A completed, B (35.23, L) completed, D (15.01, L) withdrew
15       J2 (latsar, 2099, scheduled):   nobody yet
35.23    T1 (bimtek, 16 JP, closed):     B completed, E (35.23, P) not completed
35.23    T2 (bimtek, 8 JP, cancelled)
Certificates A-N1, A-J1, B-J1, B-T1; B-T1 revoked. B trained in Jambi and Jawa Timur: 28 JP.
Who did not complete attended 70% (the minimum: 80%).
A-E are PNS in their home region's roster (published by that region): the 20 JP determinations
of 2024 are A 42 JP and B 28 JP met, C, D and E zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel

from builders.domain import (
    cancelled,
    closed,
    cohort_attendance,
    cohort_decided,
    completion_decided,
    enrolled,
    finalised,
    one_run,
    roster_recorded,
    scheduled,
    send_domain,
    withdrawn,
)
from shared.envelope import CloudEvent, to_structured
from shared.events import domain as ev
from shared.events.feedback import FEEDBACK_TYPE, IngestOutcome
from shared.events.ingest import AsnRecorded
from shared.reasons import Outcome, ReasonCode
from shared.topics import feedback_topic
from tests.support import Publisher

NOW = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
N1, J1, J2 = "nasional/SEKDA/2024/IV", "15/TEKNIS/2024/I", "15/LATSAR/2099/I"
T1, T2 = "35.23/KASI-PEM/2024/I", "35.23/BIMTEK/2024/II"
PEOPLE = {  # key -> (nip, name, gender, region)
    "A": ("198609262015052001", "Siti Aminah", "P", "15.71"),
    "B": ("198001012005011002", "Budi Santoso", "L", "35.23"),
    "C": ("197505052000031003", "Cahyo Wibowo", "L", "31.71"),
    "D": ("199002022019031004", "Dedi Kurnia", "L", "15.01"),
    "E": ("199203032020122005", "Endah Lestari", "P", "35.23"),
}
NIP = {k: v[0] for k, v in PEOPLE.items()}
COHORTS: dict[str, tuple[str, str, int, str, str, int]] = {
    # code -> publisher, category, year, start, end, jp
    N1: ("nasional", "manajerial", 2024, "2024-03-04", "2024-03-08", 30),
    J1: ("15", "teknis", 2024, "2024-05-06", "2024-05-07", 12),
    J2: ("15", "latsar", 2099, "2099-05-04", "2099-05-08", 20),
    T1: ("35.23", "bimtek", 2024, "2024-06-03", "2024-06-05", 16),
    T2: ("35.23", "bimtek", 2024, "2024-08-05", "2024-08-05", 8),
}
ENROLMENTS = [(N1, "A"), (N1, "C"), (J1, "A"), (J1, "B"), (J1, "D"), (T1, "B"), (T1, "E")]
COMPLETIONS = {
    (N1, "A"): True,
    (N1, "C"): False,
    (J1, "A"): True,
    (J1, "B"): True,
    (T1, "B"): True,
    (T1, "E"): False,
}
CERTIFICATES = [(N1, "A"), (J1, "A"), (J1, "B"), (T1, "B")]

EXPECTED_ALL = {
    "scheduled": 1,
    "running": 0,
    "closed": 3,
    "cancelled": 1,
    "enrolled": 7,
    "withdrawn": 1,
    "completed": 4,
    "not_completed": 2,
    "certificates_issued": 3,
    "certificates_revoked": 1,
    "jp_delivered": 70.0,
    "women": 3,
    "men": 4,
    "completion_rate": 66.7,
}


def cohort_info(code: str) -> ev.CohortScheduled:
    publisher, category, year, start, end, jp = COHORTS[code]
    session = (1, dt.date.fromisoformat(start), "08:00", "16:00", str(jp))
    return scheduled(
        code,
        publisher,
        "Asia/Jakarta",
        [session],
        titled=None,
        programme=f"Diklat {category}",
        category=category,
        organizer=f"BPSDM {publisher}",
        year=year,
        location="Jambi",
        open_to_other_regions=True,
        end_date=dt.date.fromisoformat(end),
    )


def certificate_id(code: str, person: str) -> str:
    return f"cert-{code}-{person}"


# Announced with the per-cohort events of issue 23; the others as before them (history).
PER_COHORT = T1


def present_of(completed: bool) -> int:
    """Sessions' JP present of 10: who did not complete attended 70%."""
    return 10 if completed else 7


def decided_of(code: str, person: str, completed: bool) -> ev.CompletionDecided:
    rate = present_of(completed) * 10
    return completion_decided(code, COHORTS[code][0], NIP[person], completed, at=NOW, rate_pct=rate)


def finalised_of(decision: ev.CompletionDecided) -> ev.ParticipantFinalised:
    code, publisher = decision.cohort_code, decision.publisher
    present = str(present_of(decision.completed))
    return finalised(code, publisher, decision.nip, present, jp_total="10", sessions=1, at=NOW)


def issued_of(index: int, code: str, person: str) -> ev.CertificateIssued:
    publisher, category, year, _, end, jp = COHORTS[code]
    return ev.CertificateIssued(
        certificate_id=certificate_id(code, person),
        number=f"800/{index + 1}/BPSDM/2024",
        version=1,
        verification_code=f"V{index}",
        cohort_code=code,
        publisher=publisher,
        nip=NIP[person],
        name=PEOPLE[person][1],
        programme_name=f"Diklat {category}",
        category=category,
        organizer=f"BPSDM {publisher}",
        year=year,
        total_jp=Decimal(jp),
        end_date=dt.date.fromisoformat(end),
        predicate=None,
        issued_at=NOW,
    )


def per_cohort_events(
    code: str, decided: Sequence[ev.CompletionDecided], issued: Sequence[ev.CertificateIssued]
) -> list[BaseModel]:
    """One cohort's finalisation and decisions as one event each (issue 23)."""
    decisions = [d for d in decided if d.cohort_code == code]
    publisher = COHORTS[code][0]
    return [
        cohort_attendance(code, publisher, [finalised_of(d) for d in decisions], at=NOW),
        cohort_decided(code, publisher, decisions, [c for c in issued if c.cohort_code == code]),
    ]


def roster_of(person: str) -> ev.RosterEntryRecorded:
    nip, name, gender, region = PEOPLE[person]
    row = AsnRecorded(
        nip=nip,
        name=name,
        asn_type="PNS",
        gender=gender,
        agency=f"Pemerintah Daerah {region}",
        region=region,
        status_since=dt.date(2015, 1, 1),
    )
    return roster_recorded(row, region, f"roster-{person}", at=NOW)


def events() -> list[BaseModel]:
    """The domain events in the order the services would publish them."""
    out: list[BaseModel] = [roster_of(person) for person in PEOPLE]
    out += [cohort_info(code) for code in COHORTS]
    runs: dict[str, list[ev.ParticipantEnrolled]] = {}
    for code, person in ENROLMENTS:
        nip, name, gender, region = PEOPLE[person]
        one = enrolled(code, COHORTS[code][0], nip, name, gender=gender, region=region, at=NOW)
        runs.setdefault(code, []).append(one)
    for code, run in runs.items():
        # Today's shape for the per-cohort cohort: its registration run in one event.
        out += [one_run(run)] if code == PER_COHORT else run
    out.append(withdrawn(J1, "15", NIP["D"], reason="sakit", at=NOW))
    out.append(cancelled(T2, "35.23", at=NOW))
    out += [closed(code, COHORTS[code][0], "x", enrolled=2, at=NOW) for code in (N1, J1, T1)]
    decided = [
        decided_of(code, person, completed) for (code, person), completed in COMPLETIONS.items()
    ]
    issued = [issued_of(index, code, person) for index, (code, person) in enumerate(CERTIFICATES)]
    for decision in decided:
        if decision.cohort_code != PER_COHORT:
            out += [finalised_of(decision), decision]
    out += [c for c in issued if c.cohort_code != PER_COHORT]
    out += per_cohort_events(PER_COHORT, decided, issued)
    out.append(
        ev.CertificateRevoked(
            certificate_id=certificate_id(T1, "B"),
            number="800/4/BPSDM/2024",
            cohort_code=T1,
            publisher="35.23",
            nip=NIP["B"],
            reason="salah cetak",
            revoked_at=NOW,
        )
    )
    return out


def outcome(event_id: str, result: Outcome, reason: ReasonCode | None, at_s: int) -> CloudEvent:
    data = IngestOutcome(
        event_id=event_id,
        event_type="diklat.participant.registered.v1",
        service="enrolment",
        outcome=result,
        reason=reason,
        decided_at=NOW + dt.timedelta(seconds=at_s),
    )
    return CloudEvent(
        id=f"enrolment:{event_id}:{result.value}",
        source="/services/enrolment",
        type=FEEDBACK_TYPE,
        time=NOW,
        data=data.model_dump(mode="json"),
    )


# Publisher 15: e1, e2 applied; e3 rejected QUOTA_FULL; e4 parked then applied; e1 again is
# a duplicate outcome of a second record (different service id keeps it separate).
FEEDBACK_15 = [
    outcome("e1", Outcome.APPLIED, None, 1),
    outcome("e2", Outcome.APPLIED, None, 1),
    outcome("e3", Outcome.REJECTED, ReasonCode.QUOTA_FULL, 1),
    outcome("e4", Outcome.PARKED, None, 1),
    outcome("e4", Outcome.APPLIED, None, 2),
]


async def publish(pub: Publisher, items: Sequence[BaseModel]) -> None:
    """Each event sent as its service publishes it, dated NOW."""
    for data in items:
        await send_domain(pub, data, time=NOW)


async def publish_feedback(pub: Publisher) -> None:
    for event in FEEDBACK_15:
        await pub.send_raw(feedback_topic("15"), to_structured(event), key=None)
