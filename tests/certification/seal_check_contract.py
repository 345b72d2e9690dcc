"""Contract suite for the seal check port (`SealCheck`, services/certification/ports.py): what
the public verification page may rely on, subclassed for each adapter (test_seal_check.py).

A subclass provides a `seal_check` fixture (the adapter) and an `unsealed` fixture (the id of a
certificate whose PDF carries no seal). An adapter that seals also takes `SealedContract` with a
`sealed` fixture: (id of a sealed certificate, the signer its seal names)."""

from __future__ import annotations

import uuid

from services.certification.ports import SealCheck, SealStatus


class SealCheckContract:
    async def test_a_certificate_without_a_seal_answers_none(
        self, seal_check: SealCheck, unsealed: uuid.UUID
    ) -> None:
        assert await seal_check.check(unsealed) is None

    async def test_a_certificate_nobody_issued_answers_none(self, seal_check: SealCheck) -> None:
        assert await seal_check.check(uuid.uuid4()) is None


class SealedContract:
    async def test_a_sealed_certificate_names_its_signer_and_verifies(
        self, seal_check: SealCheck, sealed: tuple[uuid.UUID, str]
    ) -> None:
        certificate_id, signer = sealed
        seal = await seal_check.check(certificate_id)
        assert isinstance(seal, SealStatus)
        assert (seal.signer, seal.verified) == (signer, True)
