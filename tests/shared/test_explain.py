"""SCHEMA_INVALID in our own words: the field's path, what is wrong and the expected form with
an example, Indonesian and English, never a library's text and never the value."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.envelope import describe_validation_error
from shared.events import ingest

pytestmark = pytest.mark.unit
LIBRARY_TEXT = ("should", "Input", "pattern", "Field required", "valid date", "Value error")
SESSION = {"no": 1, "date": "2024-03-04", "start": "08:00", "end": "12:00", "jp": 4}
COHORT: dict[str, Any] = {
    "cohort_code": "15/PKA/2024/I",
    "programme": {"name": "PKA", "category": "kepemimpinan_pka"},
    "organizer": "BPSDM Jambi",
    "year": 2024,
    "angkatan": "I",
    "location": "Jambi",
    "quota": 30,
    "sessions": [SESSION],
}
PERSON = {
    "cohort_code": "15/PKA/2024/I",
    "nip": "198503122010011003",
    "name": "Budi",
    "asn_type": "PNS",
    "gender": "L",
    "position": "Analis",
    "agency": "BKD",
    "region": "15",
}


def _described(model: type[ingest._Data], data: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return describe_validation_error(caught.value)


def test_a_short_nip_and_a_region_name_are_explained_without_their_values() -> None:
    said_id, said_en = _described(
        ingest.ParticipantRegistered, {**PERSON, "nip": "19860926201505100", "region": "Jambi"}
    )
    assert said_id == (
        "data.nip: NIP tidak sesuai format; NIP harus 18 angka 0–9 tanpa spasi, mis. "
        "198503122010011003 | data.region: kode daerah tidak sesuai format; kode daerah harus "
        "kode Kemendagri provinsi (2 angka) atau kabupaten/kota (NN.NN), mis. 15 atau 35.23"
    )
    assert said_en.startswith("data.nip: the NIP is not in the right form; the NIP must be 18")
    assert "19860926201505100" not in said_id + said_en and "Jambi" not in said_id + said_en


BAD_INPUTS: list[tuple[type[ingest._Data], dict[str, Any]]] = [
    (ingest.CohortScheduled, {**COHORT, "sessions": [{**SESSION, "date": "31/02/2024"}]}),
    (ingest.CohortScheduled, {**COHORT, "sessions": [{**SESSION, "end": "07:00"}]}),
    (ingest.CohortScheduled, {**COHORT, "sessions": [SESSION, SESSION]}),
    (ingest.CohortScheduled, {**COHORT, "sessions": [], "year": 1999, "timezone": "WIB"}),
    (ingest.CohortScheduled, {**COHORT, "sessions": [{**SESSION, "jp": "4.555"}]}),
    (ingest.CohortScheduled, {k: v for k, v in COHORT.items() if k != "quota"}),
    (ingest.ParticipantRegistered, {**PERSON, "nip": "１９８５０３１２２０１００１１００３"}),
    (ingest.ParticipantRegistered, {**PERSON, "gender": "Pria", "asn_type": "CPNS"}),
    (ingest.EvaluationRecorded, {"cohort_code": "15/X/1", "nip": PERSON["nip"], "score": "x"}),
    (ingest.AsnRecorded, {**PERSON, "region": "99.99", "status_since": "kemarin"}),
]


@pytest.mark.parametrize(("model", "data"), BAD_INPUTS)
def test_no_library_text_reaches_a_publisher(
    model: type[ingest._Data], data: dict[str, Any]
) -> None:
    said_id, said_en = _described(model, data)
    assert not any(text in said_id + said_en for text in LIBRARY_TEXT), said_en
    assert " harus " in said_id or "sesi" in said_id
