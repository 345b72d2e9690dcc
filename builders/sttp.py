"""A certificate's (STTP's) content as the PDF renderer takes it, for the PDF tests and the
sealing benchmark: one holder, or many numbered ones."""

from __future__ import annotations

from typing import Any

SIGNATORY = {
    "name": "Dr. H. Ahmad Yani, S.H., M.Si.",
    "nip": "196805121994031004",
    "title": "Kepala BPSDM Provinsi Jambi",
}
# As certificates were stored before the signatory, place and sessions were kept.
OLD_CONTENT: dict[str, Any] = {
    "organizer": "BPSDM Provinsi Jambi",
    "programme_name": "Pelatihan Kepemimpinan Pengawas",
    "category": "kepemimpinan_pkp",
    "angkatan": "IV",
    "year": 2022,
    "start_date": "2022-02-15",
    "end_date": "2022-05-24",
    "location": "Jambi",
    "total_jp": "20",
    "name": "Siti Aminah",
    "nip": "198609262015052001",
    "rank": None,
    "position": "Camat",
    "agency": "Pemerintah Kabupaten Batanghari",
    "predicate": "Sangat Memuaskan",
    "issue_date": "2022-05-25",
    "number": "800/0007/BPSDM-15/2022",
    "base_number": "800/0007/BPSDM-15/2022",
}
CONTENT: dict[str, Any] = OLD_CONTENT | {
    "organizer": "Badan Pengembangan Sumber Daya Manusia Provinsi Jambi",
    "rank": "IV/a",
    "asn_type": "PNS",
    "issue_date": "2022-05-24",
    "place_of_issue": "Jambi",
    "signatory": SIGNATORY,
    "sessions": [
        {"no": 1, "date": "2022-02-15", "title": "Wawasan Kebangsaan", "jp": "12"},
        {"no": 2, "date": "2022-05-24", "title": "Aktualisasi Kepemimpinan", "jp": "8"},
    ],
}


def numbered_content(index: int) -> dict[str, Any]:
    """The old-shape certificate of holder `index`: its own name, NIP and number."""
    number = f"800/{index:04d}/BPSDM-15/2022"
    return OLD_CONTENT | {
        "name": f"Siti Aminah {index}",
        "nip": f"19860926201505{index % 10_000:04d}",
        "rank": "Penata, III/c",
        "number": number,
        "base_number": number,
    }
