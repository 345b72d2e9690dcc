"""What certification tells about one certificate: its events on the certification topic and
the notice to its publisher, each with an id stable on replay. Used by the handlers (issue at
close) and the admin commands (revoke, re-issue)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TypedDict

from pydantic import BaseModel

from services.certification.ports import Certificate
from shared.consumer import UnitOfWork
from shared.events.domain import CertificateIssued, CertificateRevoked, CertificateSuperseded
from shared.events.feedback import Notice
from shared.logging import mask_nip
from shared.topics import CERTIFICATION_EVENTS

SERVICE = "certification"


class _Named(TypedDict):
    """How every certificate event names the certificate it is about."""

    certificate_id: str
    number: str
    cohort_code: str
    publisher: str
    nip: str


def _named(certificate: Certificate) -> _Named:
    return _Named(
        certificate_id=str(certificate.id),
        number=certificate.number,
        cohort_code=certificate.cohort_code,
        publisher=certificate.publisher,
        nip=certificate.nip,
    )


def _emit(uow: UnitOfWork, certificate: Certificate, what: str, data: BaseModel) -> None:
    uow.emit(
        CERTIFICATION_EVENTS,
        data,
        subject=certificate.cohort_code,
        event_id=f"{SERVICE}:{what}:{certificate.id}",
    )


def tell_publisher(
    uow: UnitOfWork, certificate: Certificate, what: str, message_id: str, message_en: str
) -> None:
    """A notice about one certificate on its publisher's feedback topic (id stable on replay)."""
    uow.notify(
        certificate.publisher,
        Notice(
            kind=f"certificate_{what}",
            cohort_code=certificate.cohort_code,
            nip_masked=mask_nip(certificate.nip),
            message_id=message_id,
            message_en=message_en,
            certificate_number=certificate.number,
            at=uow.now,
        ),
        event_id=f"{SERVICE}:notice-{what}:{certificate.id}",
    )


def announce_issued(uow: UnitOfWork, certificate: Certificate) -> None:
    content = certificate.content
    _emit(
        uow,
        certificate,
        "issued",
        CertificateIssued(
            **_named(certificate),
            version=certificate.version,
            verification_code=certificate.verification_code,
            name=content["name"],
            programme_name=content["programme_name"],
            category=content["category"],
            organizer=content["organizer"],
            year=content["year"],
            total_jp=Decimal(content["total_jp"]),
            end_date=content["end_date"],
            predicate=content["predicate"],
            issued_at=certificate.issued_at,
            issue_date=content["issue_date"],
        ),
    )
    tell_publisher(
        uow,
        certificate,
        "issued",
        f"STTP {certificate.number} diterbitkan.",
        f"Certificate {certificate.number} issued.",
    )


def announce_revoked(uow: UnitOfWork, old: Certificate, reason: str) -> None:
    _emit(
        uow,
        old,
        "revoked",
        CertificateRevoked(**_named(old), reason=reason, revoked_at=uow.now),
    )
    tell_publisher(
        uow,
        old,
        "revoked",
        f"STTP {old.number} dicabut: {reason}",
        f"Certificate {old.number} revoked: {reason}",
    )


def announce_superseded(uow: UnitOfWork, old: Certificate, new_id: uuid.UUID, reason: str) -> None:
    """No notice: the publisher hears of the re-issue as the new certificate's issue."""
    _emit(
        uow,
        old,
        "superseded",
        CertificateSuperseded(
            **_named(old), superseded_by=str(new_id), reason=reason, superseded_at=uow.now
        ),
    )
