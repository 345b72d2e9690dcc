"""What certification tells about a cohort's decisions taken together (issue 23): one
`cohort_decided` event per part on the certification topic, carrying the decisions and the
first certificates they issued, instead of a `completion_decided` and a `certificate_issued`
per participant; and one `cohort_results` per part to the publisher instead of a notice per
participant. Ids are stable on replay: the same decisions give the same ids."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from services.certification.announcements import SERVICE
from services.certification.ports import Certificate, Cohort, Decision
from shared.consumer import UnitOfWork
from shared.events.feedback import (
    COHORT_RESULTS_TYPE,
    CohortResults,
    ResultIssued,
    ResultNotCompleted,
)
from shared.events.per_cohort import (
    CertificateEntry,
    CertificatesShare,
    CohortDecided,
    DecisionEntry,
    in_parts,
)
from shared.topics import CERTIFICATION_EVENTS


def announce_cohort_decided(
    uow: UnitOfWork,
    cohort: Cohort,
    decisions: Sequence[Decision],
    certificates: Mapping[str, Certificate],
) -> None:
    """These decisions of one cohort, in order, with the certificates they issued (by NIP)."""
    parts = in_parts(decisions)
    tag = decisions_tag(decisions)
    for number, part in enumerate(parts, start=1):
        issued = [certificates[d.nip] for d in part if d.nip in certificates]
        uow.emit(
            CERTIFICATION_EVENTS,
            CohortDecided(
                cohort_code=cohort.cohort_code,
                publisher=cohort.publisher,
                policy_version=cohort.policy_version,
                part=number,
                parts=len(parts),
                decisions=[decision_entry(d) for d in part],
                certificates=[certificate_entry(c) for c in issued],
                shared=certificates_share(issued[0]) if issued else None,
                decided_at=uow.now,
            ),
            subject=cohort.cohort_code,
            event_id=f"{SERVICE}:cohort-decided:{cohort.cohort_code}:{tag}:{number}",
        )


def tell_cohort_results(
    uow: UnitOfWork,
    cohort: Cohort,
    decisions: Sequence[Decision],
    certificates: Mapping[str, Certificate],
) -> None:
    """The publisher's results of these decisions, in the same parts as the announcement."""
    parts = in_parts(decisions)
    tag = decisions_tag(decisions)
    for number, part in enumerate(parts, start=1):
        uow.tell(
            cohort.publisher,
            COHORT_RESULTS_TYPE,
            CohortResults(
                cohort_code=cohort.cohort_code,
                part=number,
                parts=len(parts),
                issued=[
                    ResultIssued(nip=d.nip, certificate_number=certificates[d.nip].number)
                    for d in part
                    if d.nip in certificates
                ],
                not_completed=[
                    ResultNotCompleted(
                        nip=d.nip, message_id=d.explanation_id, message_en=d.explanation_en
                    )
                    for d in part
                    if not d.completed
                ],
                at=uow.now,
            ),
            cohort.cohort_code,
            f"{SERVICE}:cohort-results:{cohort.cohort_code}:{tag}:{number}",
        )


def decisions_tag(decisions: Sequence[Decision]) -> str:
    """Names a set of decisions: a cohort decided in two goes (v1 history, withdrawn ones last)
    announces each under its own id."""
    nips = "\n".join(d.nip for d in decisions)
    return hashlib.sha256(nips.encode()).hexdigest()[:16]


def decision_entry(d: Decision) -> DecisionEntry:
    return DecisionEntry(
        nip=d.nip,
        completed=d.completed,
        rate_pct=d.rate_pct,
        score=d.score,
        predicate=d.predicate,
        explanation_id=d.explanation_id,
        explanation_en=d.explanation_en,
    )


def certificate_entry(c: Certificate) -> CertificateEntry:
    return CertificateEntry(
        certificate_id=str(c.id),
        number=c.number,
        version=c.version,
        verification_code=c.verification_code,
        nip=c.nip,
        name=c.content["name"],
        predicate=c.content["predicate"],
    )


def certificates_share(c: Certificate) -> CertificatesShare:
    """What a cohort's first certificates carry alike, read from one of them."""
    content = c.content
    return CertificatesShare(
        programme_name=content["programme_name"],
        category=content["category"],
        organizer=content["organizer"],
        year=content["year"],
        total_jp=content["total_jp"],
        end_date=content["end_date"],
        issued_at=c.issued_at,
        issue_date=content["issue_date"],
    )
