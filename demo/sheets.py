"""The demo's building blocks: invented ASN with valid NIPs and the rows of each sheet."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from builders.nips import make_nip
from shared.events.rules import AsnType, Gender, validate_nip

MEN = "Agus Budi Dedi Eko Fajar Hendra Irwan Joko Rahmat Slamet Teguh Wahyu Yusuf Zainal Ahmad "
MEN += "Bambang Darmawan Gunawan Hasan Indra Kurniawan Mulyadi Nasrul Ridwan Syahrial Taufik"
WOMEN = "Siti Dwi Endang Rina Yuli Ninik Fitri Lestari Nurhayati Ratna Sri Wulan Desi Maya"
FAMILY = "Santoso Saputra Hidayat Siregar Nasution Harahap Pratama Wijaya Kusuma Rahman Syahputra "
FAMILY += "Hutapea Lubis Firmansyah Suryadi Setiawan Gultom Marpaung Sembiring Halim Effendi"
PERIOD = ["Sesi", "Tanggal", "Mulai", "Selesai", "JP", "Metode", "Materi"]
PESERTA = ["Kode Angkatan", "NIP", "Nama", "Jenis ASN", "Jenis Kelamin", "Jabatan"]
PESERTA += ["Pangkat/Golongan", "Instansi", "Kode Daerah"]


@dataclass
class Person:
    nip: str
    name: str
    gender: str
    position: str
    rank: str
    agency: str
    region: str

    def row(self, code: str) -> list[str]:
        return [code, self.nip, self.name, "PNS", self.gender, self.position, self.rank]

    def full(self, code: str) -> list[str]:
        return [*self.row(code), self.agency, self.region]


class People:
    """Deterministic invented ASN with valid, distinct NIPs."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def nip(self, woman: bool) -> str:
        while True:
            birth = dt.date(1967, 1, 1) + dt.timedelta(days=self.rng.randrange(18 * 365))
            tmt_year = birth.year + self.rng.randrange(23, 29)
            gender = Gender.P if woman else Gender.L
            tmt = (tmt_year, self.rng.randrange(1, 13))
            nip = make_nip(birth, tmt, gender, seq=self.rng.randrange(1, 400))
            if nip not in self.used and validate_nip(nip, AsnType.PNS, gender) is None:
                self.used.add(nip)
                return nip

    def person(self, woman: bool, position: str, rank: str, agency: str, region: str) -> Person:
        first = self.rng.choice((WOMEN if woman else MEN).split())
        name = f"{first} {self.rng.choice(FAMILY.split())}"
        if self.rng.random() < 0.3:
            name += ", S.STP" if self.rng.random() < 0.5 else ", S.E."
        return Person(self.nip(woman), name, "P" if woman else "L", position, rank, agency, region)


def cohort_form(fields: dict[str, object], sessions: Sequence[Sequence[object]]) -> list[list[str]]:
    rows = [[k, str(v)] for k, v in fields.items()]
    return [*rows, [], PERIOD, *[[str(c) for c in s] for s in sessions]]


def sessions_of(
    days: Sequence[dt.date],
    jp: int,
    hours: tuple[str, str],
    methods: Sequence[str],
    titles: Sequence[str],
) -> list[list[object]]:
    return [
        [
            i,
            d.isoformat(),
            hours[0],
            hours[1],
            jp,
            methods[(i - 1) % len(methods)],
            titles[(i - 1) % len(titles)],
        ]
        for i, d in enumerate(days, start=1)
    ]


def attendance(
    code: str,
    people: Sequence[Person],
    sessions: int,
    marks: dict[int, dict[int, str]],
    rng: random.Random,
) -> list[list[str]]:
    """All H except the given {person index: {session: mark}} and a few harmless T."""
    rows = [["Kode Angkatan", "NIP", "Nama", *[f"Sesi {s}" for s in range(1, sessions + 1)]]]
    for i, p in enumerate(people):
        cells = ["T" if rng.random() < 0.03 else "H" for _ in range(sessions)]
        for s, mark in marks.get(i, {}).items():
            cells[s - 1] = mark
        rows.append([code, p.nip, p.name, *cells])
    return rows


def write_semicolon(path: Path, rows: Sequence[Sequence[str]]) -> None:
    # Spreadsheets in an Indonesian locale save CSV with `;`: the reader must take both.
    path.write_text("".join(";".join(r) + "\n" for r in rows), encoding="utf-8")
