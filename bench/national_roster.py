"""The national scenario's ASN: N civil servants laid out over the central agencies, the 38
provinces and the 514 kabupaten/kota, each region's ASN a contiguous range of indexes, so any
ASN's NIP, agency and unit follow from its index without holding the roster in memory."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate

from builders.nips import make_nip
from shared.events.ingest import AsnRecorded, EmploymentStatus
from shared.events.rules import Gender
from shared.regions import NASIONAL, PROVINCES

KABUPATEN, KOTA = 416, 98  # 514 kabupaten/kota, as Kemendagri counts them
# Shares of the roster: central agencies, provincial governments, kabupaten/kota governments.
SHARES = {"nasional": 0.20, "province": 0.15, "kabupaten_kota": 0.65}
YEAR = 2024
RECORDED_AT = dt.datetime(YEAR, 1, 15, 2, tzinfo=dt.UTC)

CENTRAL = (
    ("Kementerian Pendidikan Dasar dan Menengah", 6),
    ("Kementerian Agama", 6),
    ("Kementerian Keuangan", 3),
    ("Kementerian Kesehatan", 2),
    ("Kementerian Dalam Negeri", 1),
    ("Kementerian Hukum", 2),
    ("Badan Pusat Statistik", 1),
    ("Kementerian Pekerjaan Umum", 1),
)
REGIONAL = (
    ("Dinas Pendidikan", 8),
    ("Dinas Kesehatan", 5),
    ("Sekretariat Daerah", 2),
    ("Badan Kepegawaian Daerah", 1),
    ("Dinas Pekerjaan Umum", 1),
    ("Inspektorat", 1),
    ("Badan Pengelola Keuangan Daerah", 1),
)
UNITS = ("Sekretariat", "Bidang Program", "Bidang Layanan", "UPT Wilayah I", "UPT Wilayah II")
# Per 100 ASN: the few on study leave, on unpaid leave or retired this year; 15 are PPPK.
_STATUSES = ((2, EmploymentStatus.TUGAS_BELAJAR), (3, EmploymentStatus.CLTN),
             (4, EmploymentStatus.PENSIUN))  # fmt: skip
_PPPK_PER_100 = 15
_BIRTHS = 12_000  # distinct birth dates (1965-1997); 37 is prime to it, so a block's are unique


@dataclass(frozen=True)
class Region:
    """One home region's ASN: indexes `first` to `first + size`, published by `publisher`."""

    code: str
    first: int
    size: int

    @property
    def publisher(self) -> str:
        return self.code

    @property
    def indexes(self) -> range:
        return range(self.first, self.first + self.size)

    def agency(self, i: int) -> str:
        names = CENTRAL if self.code == NASIONAL else REGIONAL
        return _weighted(names, i)


def region_codes() -> list[tuple[str, str]]:
    """Every (code, kind): nasional, each province, and its kabupaten (01..) and kota (71..),
    the 416 and 98 spread over the provinces as evenly as they go."""
    provinces = sorted(PROVINCES)
    codes = [(NASIONAL, "nasional")] + [(p, "province") for p in provinces]
    for index, p in enumerate(provinces):
        kabupaten = _share(KABUPATEN, len(provinces), index)
        kota = _share(KOTA, len(provinces), index)
        codes += [(f"{p}.{k:02d}", "kabupaten_kota") for k in range(1, kabupaten + 1)]
        codes += [(f"{p}.{71 + k:02d}", "kabupaten_kota") for k in range(kota)]
    return codes


def layout(asn: int) -> list[Region]:
    """The regions with their ASN: each kind gets its share, unevenly within it (weights 1-5)
    so some regions are several times others' size."""
    codes = region_codes()
    sizes: dict[str, int] = {}
    for kind, share in SHARES.items():
        of_kind = [c for c, k in codes if k == kind]
        weights = [1 + (n * 7) % 5 for n in range(len(of_kind))]
        total = round(asn * share) if kind != "kabupaten_kota" else asn - sum(sizes.values())
        sizes |= dict(zip(of_kind, apportion(total, weights), strict=True))
    regions, first = [], 0
    for code, _ in codes:
        regions.append(Region(code, first, sizes[code]))
        first += sizes[code]
    return regions


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """`total` split in proportion to `weights`, largest remainders first (sums to `total`)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda n: parts[n] - exact[n])
    for n in by_remainder[: total - sum(parts)]:
        parts[n] += 1
    return parts


def nip(i: int) -> str:
    """ASN `i`'s NIP, valid and unique for i < 11,988,000: a birth date per index within a
    block of 12,000, the sequence number per block."""
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=(i * 37) % _BIRTHS)
    gender = Gender.P if i % 2 else Gender.L
    seq = 1 + (i // _BIRTHS) % 999
    if is_pppk(i):
        return make_nip(birth, (2021 + i % 3, 24), gender, seq)
    return make_nip(birth, (min(birth.year + 22 + i % 8, YEAR - 1), 1 + i % 12), gender, seq)


def is_pppk(i: int) -> bool:
    return (i * 13) % 100 < _PPPK_PER_100


def roster_row(region: Region, i: int) -> AsnRecorded:
    status = _status(i)
    since = RECORDED_AT.date() if status is not EmploymentStatus.AKTIF else dt.date(2015, 1, 1)
    return AsnRecorded(
        nip=nip(i),
        name=f"ASN {i}",
        asn_type="PPPK" if is_pppk(i) else "PNS",
        gender="P" if i % 2 else "L",
        agency=region.agency(i),
        unit=UNITS[(i * 31) % len(UNITS)],
        region=region.code,
        position="Pelaksana",
        rank=None,
        status=status,
        status_since=since,
    )


def roster(regions: Sequence[Region]) -> Iterator[tuple[Region, AsnRecorded]]:
    for region in regions:
        for i in region.indexes:
            yield region, roster_row(region, i)


def _status(i: int) -> EmploymentStatus:
    slot = (i * 17) % 100
    for bound, status in _STATUSES:
        if slot < bound:
            return status
    return EmploymentStatus.AKTIF


def _weighted(names: Sequence[tuple[str, int]], i: int) -> str:
    """A name picked by `i`, each as often as its weight (teachers and health staff are most
    of a government's ASN)."""
    bounds = list(accumulate(w for _, w in names))
    return names[bisect.bisect_right(bounds, (i * 7919) % bounds[-1])][0]


def _share(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)
