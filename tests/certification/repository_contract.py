"""Contract suite for certification's repository port (services/certification/ports.py): one
class of assertions per part of the port about what it answers, not how it stores it,
subclassed for each adapter (test_repository_postgres.py, test_repository_memory.py), as
tests/shared/port_contracts.py is for the consumer core's ports.

A subclass provides a `repo` fixture: an empty repository."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from services.certification.certificates import Issuer
from services.certification.credentials import StatusPosition
from services.certification.ports import Certificate, CertificationRepository, Decision
from shared.envelope import CloudEvent, RecordPosition
from shared.events.domain import CloseRefused, IngestRef
from shared.events.ingest import COHORT_CLOSED
from shared.topics import ingest_topic
from tests.certification import builders as b

CODE, OTHER = "15/PKA/2022/IV", "15/PKP/2022/II"
JAMBI = "15"
NIP1, NIP2, NIP3 = "198001012005011001", "198502022010012002", "199003032015031003"
TOPIC = ingest_topic(JAMBI)
AT = dt.datetime(2022, 5, 24, 10, tzinfo=dt.UTC)


def ingest_close(code: str, event_id: str, offset: int, publisher: str = JAMBI) -> CloudEvent:
    """A publisher's `cohort.closed` as read from its ingest partition 0 at `offset`."""
    return CloudEvent(
        id=event_id,
        source=f"/publishers/{publisher}",
        type=COHORT_CLOSED,
        time=AT,
        data={"cohort_code": code},
        subject=code,
        position=RecordPosition(TOPIC, 0, offset),
    )


def refused(code: str, event_id: str, offset: int) -> CloseRefused:
    return CloseRefused(
        cohort_code=code,
        publisher=JAMBI,
        outcome="rejected",
        reason="NOT_OWNER",
        cause=IngestRef(event_id=event_id, topic=TOPIC, partition=0, offset=offset),
        refused_at=AT,
    )


async def closed_cohort(
    repo: CertificationRepository, code: str = CODE, min_attendance_pct: str = "90"
) -> None:
    """A cohort scheduled and closed, its close passed here and confirmed by enrolment."""
    await repo.upsert_cohort(b.cohort(code, JAMBI, min_attendance_pct=min_attendance_pct))
    await repo.note_closes([ingest_close(code, f"close-{code}", 5)])
    await repo.close_cohorts([(code, f"close-{code}", AT, None)])
    await repo.confirm_closes([b.closed(code, JAMBI, f"close-{code}")])


async def enrol(repo: CertificationRepository, code: str, *nips: str) -> None:
    await repo.upsert_enrolments(
        [
            (code, b.enrolled(code, JAMBI, nip, "Budi").participant.model_dump(mode="json"))
            for nip in nips
        ]
    )


def decision(code: str, nip: str, completed: bool = True) -> Decision:
    return Decision(code, nip, completed, 1, Decimal(100), None, None, "Lulus", "Passed", AT)


def certificate(nip: str, number: str, previous: uuid.UUID | None = None) -> Certificate:
    return Certificate(
        id=uuid.uuid4(),
        cohort_code=CODE,
        nip=nip,
        publisher=JAMBI,
        number=number,
        version=1,
        verification_code=f"code-{number}",
        status="valid",
        content={"number": number},
        issued_at=AT,
        previous_id=previous,
    )


class CohortsContract:
    """Cohorts and rosters learned from enrolment, the facts a score is judged against."""

    async def test_an_unknown_cohort_has_no_facts(self, repo: CertificationRepository) -> None:
        assert await repo.evaluation_facts(CODE, NIP1) == (None, None)

    async def test_a_scheduled_cohort_is_open_owned_and_without_a_roster(
        self, repo: CertificationRepository
    ) -> None:
        await repo.upsert_cohort(b.cohort(CODE, JAMBI))
        facts, held = await repo.evaluation_facts(CODE, NIP1)
        assert facts is not None and held is None
        assert (facts.publisher, facts.cancelled, facts.roster_final) == (JAMBI, False, False)
        assert (facts.enrolled, facts.barriers) == (False, ())

    async def test_a_cancelled_cohort_says_so_and_is_never_decided(
        self, repo: CertificationRepository
    ) -> None:
        await closed_cohort(repo)
        await repo.cancel_cohort(CODE)
        facts, _ = await repo.evaluation_facts(CODE, NIP1)
        assert facts is not None and facts.cancelled
        assert await repo.deciding_cohorts([CODE]) == {}

    async def test_an_older_policy_version_changes_nothing_a_newer_one_replaces_it(
        self, repo: CertificationRepository
    ) -> None:
        await closed_cohort(repo, min_attendance_pct="80")
        newer = b.cohort(CODE, JAMBI, min_attendance_pct="70").model_copy(
            update={"policy_version": 2}
        )
        older = b.cohort(CODE, JAMBI, min_attendance_pct="60")
        await repo.upsert_cohort(newer)
        await repo.upsert_cohort(older)
        cohort = (await repo.deciding_cohorts([CODE]))[CODE]
        assert (cohort.policy_version, cohort.min_attendance_pct) == (2, Decimal(70))
        assert cohort.info["cohort_code"] == CODE

    async def test_the_first_close_of_a_cohort_stays(self, repo: CertificationRepository) -> None:
        await closed_cohort(repo)
        later = AT + dt.timedelta(days=1)
        await repo.close_cohorts(
            [(CODE, "another-close", later, later.date()), (OTHER, "x", later, None)]
        )
        cohort = (await repo.deciding_cohorts([CODE, OTHER]))[CODE]
        assert (cohort.close_event_id, cohort.closed_at, cohort.closed_on) == (
            f"close-{CODE}",
            AT,
            None,
        )
        facts, _ = await repo.evaluation_facts(CODE, NIP1)
        assert facts is not None and facts.roster_final

    async def test_only_known_cohorts_are_marked_finalised(
        self, repo: CertificationRepository
    ) -> None:
        await closed_cohort(repo)
        assert await repo.mark_finalised([CODE, OTHER]) == {CODE}
        assert (await repo.deciding_cohorts([CODE]))[CODE].finalised

    async def test_an_enrolled_participant_is_on_the_roster_even_once_withdrawn(
        self, repo: CertificationRepository
    ) -> None:
        await repo.upsert_cohort(b.cohort(CODE, JAMBI))
        await enrol(repo, CODE, NIP1)
        await repo.withdraw(CODE, NIP1)
        await repo.withdraw(CODE, NIP2)  # not enrolled: nothing happens
        enrolled, _ = await repo.evaluation_facts(CODE, NIP1)
        not_enrolled, _ = await repo.evaluation_facts(CODE, NIP2)
        assert enrolled is not None and enrolled.enrolled
        assert not_enrolled is not None and not not_enrolled.enrolled


class BarriersContract:
    """A close counts once passed on our ingest log and confirmed by enrolment."""

    async def test_an_invalid_close_is_rejected_and_notes_no_barrier(
        self, repo: CertificationRepository
    ) -> None:
        await repo.upsert_cohort(b.cohort(CODE, JAMBI))
        bad = ingest_close("", "bad", 1)
        outcomes, codes = await repo.note_closes([bad, ingest_close(CODE, "good", 2)])
        assert [o.outcome for o in outcomes] == ["rejected", "applied"]
        assert codes == [CODE]

    async def test_a_passed_close_stands_unconfirmed_then_confirmed(
        self, repo: CertificationRepository
    ) -> None:
        await repo.upsert_cohort(b.cohort(CODE, JAMBI))
        await repo.note_closes([ingest_close(CODE, "c1", 7), ingest_close(CODE, "c1", 9)])
        facts, _ = await repo.evaluation_facts(CODE, NIP1)
        assert facts is not None
        assert [(x.topic, x.offset, x.accepted) for x in facts.barriers] == [(TOPIC, 7, False)]
        await repo.confirm_closes([b.closed(CODE, JAMBI, "c1")])
        facts, _ = await repo.evaluation_facts(CODE, NIP1)
        assert facts is not None
        assert [(x.offset, x.accepted) for x in facts.barriers] == [(7, True)]

    async def test_a_refused_close_stops_counting_a_confirmed_one_is_never_undone(
        self, repo: CertificationRepository
    ) -> None:
        await repo.upsert_cohort(b.cohort(CODE, JAMBI))
        await repo.note_closes([ingest_close(CODE, "c1", 3), ingest_close(CODE, "c2", 4)])
        await repo.refuse_closes([refused(CODE, "c1", 3)])
        await repo.confirm_closes([b.closed(CODE, JAMBI, "c2")])
        await repo.refuse_closes([refused(CODE, "c2", 4)])
        facts, _ = await repo.evaluation_facts(CODE, NIP1)
        assert facts is not None
        assert [(x.offset, x.accepted) for x in facts.barriers] == [(4, True)]

    async def test_another_publishers_close_is_not_the_owners(
        self, repo: CertificationRepository
    ) -> None:
        await repo.upsert_cohort(b.cohort(CODE, JAMBI))
        await repo.note_closes([ingest_close(CODE, "c1", 3, publisher="16")])
        facts, _ = await repo.evaluation_facts(CODE, NIP1)
        assert facts is not None and facts.barriers == ()

    async def test_a_cohort_is_decided_only_once_its_close_is_both_confirmed_and_passed(
        self, repo: CertificationRepository
    ) -> None:
        await repo.upsert_cohort(b.cohort(CODE, JAMBI))
        await repo.close_cohorts([(CODE, "c1", AT, None)])
        await repo.confirm_closes([b.closed(CODE, JAMBI, "c1")])
        assert await repo.deciding_cohorts([CODE]) == {}  # confirmed, not passed here yet
        outcomes, _ = await repo.note_closes([ingest_close(CODE, "c1", 3)])
        assert [o.outcome for o in outcomes] == ["applied"]
        assert list(await repo.deciding_cohorts([CODE])) == [CODE]

    async def test_a_close_keeps_the_close_date_it_gave(
        self, repo: CertificationRepository
    ) -> None:
        await repo.upsert_cohort(b.cohort(CODE, JAMBI))
        await repo.note_closes([ingest_close(CODE, "c1", 3)])
        await repo.close_cohorts([(CODE, "c1", AT, dt.date(2022, 5, 20))])
        await repo.confirm_closes([b.closed(CODE, JAMBI, "c1")])
        cohort = (await repo.deciding_cohorts([CODE]))[CODE]
        assert (cohort.closed_at, cohort.closed_on) == (AT, dt.date(2022, 5, 20))


SIGNATORY = {"name": "Dr. Ahmad, M.Si.", "nip": "197001012000031001", "title": "Kepala"}


class ProfilesContract:
    """Each publisher's default signatory and place of issue."""

    async def test_a_publisher_without_a_profile_has_none(
        self, repo: CertificationRepository
    ) -> None:
        assert await repo.publisher_profiles([JAMBI]) == {}

    async def test_a_saved_profile_is_read_back_and_replaced_whole(
        self, repo: CertificationRepository
    ) -> None:
        await repo.save_profile(JAMBI, Issuer(SIGNATORY, "Jambi"), AT)
        await repo.save_profile("16", Issuer(None, "Palembang"), AT)
        assert await repo.publisher_profiles([JAMBI, "16", "17"]) == {
            JAMBI: Issuer(SIGNATORY, "Jambi"),
            "16": Issuer(None, "Palembang"),
        }
        await repo.save_profile(JAMBI, Issuer(None, "Muara Bulian"), AT)
        assert await repo.publisher_profiles([JAMBI]) == {JAMBI: Issuer(None, "Muara Bulian")}


class EvaluationsContract:
    """Scores and attendance results, what completion is decided on."""

    async def test_the_score_held_is_the_last_saved_with_its_time(
        self, repo: CertificationRepository
    ) -> None:
        await closed_cohort(repo)
        await enrol(repo, CODE, NIP1)
        await repo.save_evaluation(CODE, NIP1, Decimal("70"), "e1", AT)
        await repo.save_evaluation(CODE, NIP1, Decimal("85.5"), "e2", AT + dt.timedelta(hours=1))
        _, held = await repo.evaluation_facts(CODE, NIP1)
        assert held == AT + dt.timedelta(hours=1)
        await repo.save_attendances([b.finalised(CODE, JAMBI, NIP1, "20")])
        [(_, candidate)] = await repo.undecided([(CODE, NIP1, False)])
        assert candidate.score == Decimal("85.5")

    async def test_the_first_attendance_result_of_a_participant_stays(
        self, repo: CertificationRepository
    ) -> None:
        await closed_cohort(repo)
        await enrol(repo, CODE, NIP1)
        await repo.save_attendances(
            [b.finalised(CODE, JAMBI, NIP1, "18"), b.finalised(CODE, JAMBI, NIP1, "10")]
        )
        await repo.save_attendances([b.finalised(CODE, JAMBI, NIP1, "5")])
        [(_, candidate)] = await repo.undecided([(CODE, None, False)])
        assert (candidate.jp_present, candidate.jp_total) == (Decimal(18), Decimal(20))
        assert candidate.rate_pct == Decimal(90)


class DecisionsContract:
    """Who is due a decision, and each decision taken once."""

    async def test_due_are_those_with_attendance_or_withdrawn_where_wanted_in_order(
        self, repo: CertificationRepository
    ) -> None:
        await closed_cohort(repo)
        await closed_cohort(repo, OTHER)
        await enrol(repo, CODE, NIP3, NIP1, NIP2)
        await enrol(repo, OTHER, NIP1)
        await repo.withdraw(CODE, NIP2)
        await repo.save_attendances(
            [b.finalised(CODE, JAMBI, n, "20") for n in (NIP3, NIP1)]
            + [b.finalised(OTHER, JAMBI, NIP1, "20")]
        )
        due = await repo.undecided([(OTHER, None, False), (CODE, None, False)])
        assert [(code, c.nip) for code, c in due] == [(OTHER, NIP1), (CODE, NIP1), (CODE, NIP3)]
        due = await repo.undecided([(CODE, NIP2, True), (CODE, NIP3, False), (CODE, NIP2, False)])
        assert [(c.nip, c.withdrawn) for _, c in due] == [(NIP2, True), (NIP3, False)]
        assert due[0][1].participant["nip"] == NIP2 and due[0][1].jp_present is None

    async def test_a_decision_is_taken_once_and_then_nobody_is_due(
        self, repo: CertificationRepository
    ) -> None:
        await closed_cohort(repo)
        await enrol(repo, CODE, NIP1, NIP2)
        await repo.save_attendances([b.finalised(CODE, JAMBI, n, "20") for n in (NIP1, NIP2)])
        assert await repo.insert_decisions([decision(CODE, NIP1)]) == {(CODE, NIP1)}
        again = [decision(CODE, NIP1, completed=False), decision(CODE, NIP2)]
        assert await repo.insert_decisions(again) == {(CODE, NIP2)}
        assert await repo.insert_decisions([]) == set()
        assert await repo.undecided([(CODE, None, True)]) == []


class CertificatesContract:
    """Numbers drawn in sequence, one valid certificate per participant, status changes."""

    async def test_numbers_follow_on_per_organiser_and_year(
        self, repo: CertificationRepository
    ) -> None:
        assert await repo.next_sequences(JAMBI, 2022, 3) == range(1, 4)
        assert await repo.next_sequences(JAMBI, 2022, 2) == range(4, 6)
        assert await repo.next_sequences(JAMBI, 2023, 1) == range(1, 2)
        assert await repo.next_sequences("16", 2022, 1) == range(1, 2)

    async def test_a_participant_holding_a_valid_certificate_gets_no_second(
        self, repo: CertificationRepository
    ) -> None:
        first, twin, other = (
            certificate(NIP1, "n1"),
            certificate(NIP1, "n2"),
            certificate(NIP2, "n3"),
        )
        assert await repo.insert_certificates([first, twin, other]) == {first.id, other.id}
        assert not await repo.insert_certificate(certificate(NIP1, "n4"))
        assert await repo.get_certificate(twin.id) is None
        assert await repo.get_certificate(first.id, for_update=True) == first

    async def test_a_superseded_certificate_makes_room_for_its_successor(
        self, repo: CertificationRepository
    ) -> None:
        old = certificate(NIP1, "n1")
        await repo.insert_certificates([old])
        new = certificate(NIP1, "n1-v2", previous=old.id)
        assert await repo.set_status(old.id, "superseded", "typo", AT, new.id)
        assert await repo.insert_certificate(new)
        held = await repo.get_certificate(old.id)
        assert held is not None
        assert (held.status, held.status_reason, held.superseded_by) == (
            "superseded",
            "typo",
            new.id,
        )
        assert held.status_changed_at == AT

    async def test_only_a_valid_certificate_changes_status(
        self, repo: CertificationRepository
    ) -> None:
        held = certificate(NIP1, "n1")
        await repo.insert_certificates([held])
        assert await repo.set_status(held.id, "revoked", "fraud", AT)
        assert not await repo.set_status(held.id, "revoked", "again", AT)
        assert not await repo.set_status(uuid.uuid4(), "revoked", "unknown", AT)
        revoked = await repo.get_certificate(held.id)
        assert revoked is not None
        assert (revoked.status, revoked.status_reason) == ("revoked", "fraud")


class StatusListsContract:
    """Certificates' places in the publishers' status lists; the bits are their status."""

    async def test_a_publisher_starts_on_list_one_with_nothing_taken(
        self, repo: CertificationRepository
    ) -> None:
        assert await repo.status_list(JAMBI, 1) is None  # no list before the first draw
        assert await repo.open_status_list(JAMBI) == (1, set())
        assert await repo.status_list(JAMBI, 1) == set()
        assert await repo.status_list(JAMBI, 2) is None
        assert await repo.status_list("16", 1) is None

    async def test_positions_are_kept_and_the_revoked_and_superseded_are_set(
        self, repo: CertificationRepository
    ) -> None:
        held = [certificate(NIP1, "n1"), certificate(NIP2, "n2"), certificate(NIP3, "n3")]
        await repo.insert_certificates(held)
        await repo.open_status_list(JAMBI)
        places = {c.id: StatusPosition(1, 100 + n, f"salt{n}") for n, c in enumerate(held)}
        await repo.insert_status_positions(JAMBI, list(places.items()))
        assert await repo.status_positions([c.id for c in held] + [uuid.uuid4()]) == places
        assert await repo.open_status_list(JAMBI) == (1, {100, 101, 102})
        assert await repo.status_list(JAMBI, 1) == set()
        await repo.set_status(held[0].id, "revoked", "fraud", AT)
        await repo.set_status(held[2].id, "superseded", "typo", AT)
        assert await repo.status_list(JAMBI, 1) == {100, 102}

    async def test_a_position_on_a_new_list_makes_it_the_newest(
        self, repo: CertificationRepository
    ) -> None:
        held = certificate(NIP1, "n1")
        await repo.insert_certificates([held])
        await repo.open_status_list(JAMBI)
        await repo.insert_status_positions(JAMBI, [(held.id, StatusPosition(2, 7, "s"))])
        assert await repo.open_status_list(JAMBI) == (2, {7})
        assert await repo.status_list(JAMBI, 1) == set()
        assert await repo.status_list(JAMBI, 2) == set()
