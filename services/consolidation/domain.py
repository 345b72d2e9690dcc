"""Rules of the national read model: cohort phases, the 20 JP minimum, home-region claims,
what a credential may see, the SIASN mapping, when a rebuild is refused. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from shared.formatting import share_float
from shared.topics import FEEDBACK_PREFIX

JP_MINIMUM = Decimal(20)
NASIONAL = "nasional"

# SIASN "riwayat kursus" jenisDiklatId (DOMAIN.md): 1 Struktural, 2 Fungsional, 3 Teknis,
# 4 Workshop, 5 Manajerial, 6 Sosial Kultural, 7 Sosialisasi, 8 Bimtek, 9 Seminar, 10 Magang.
# Leadership training (PKN/PKA/PKP) is the former Diklatpim, i.e. struktural; Latsar and
# "lainnya" have no own id, so they go as teknis [conv, keep configurable].
SIASN_JENIS_DIKLAT: dict[str, int] = {
    "kepemimpinan_pkn": 1,
    "kepemimpinan_pka": 1,
    "kepemimpinan_pkp": 1,
    "fungsional": 2,
    "teknis": 3,
    "latsar": 3,
    "lainnya": 3,
    "manajerial": 5,
    "sosial_kultural": 6,
    "bimtek": 8,
    "seminar": 9,
}


def siasn_jenis_diklat(category: str) -> int:
    return SIASN_JENIS_DIKLAT.get(category, 3)


# The columns of SIASN's "riwayat kursus" upload, in its order.
SIASN_COLUMNS = (
    "nip",
    "jenisDiklatId",
    "namaKursus",
    "nomorSertipikat",
    "jumlahJam",
    "tahunKursus",
    "tanggalKursus",
    "tanggalSelesaiKursus",
    "institusiPenyelenggara",
    "lokasiId",
)


class Fields(Protocol):
    """A row's fields by name (a query's record, a dict)."""

    def __getitem__(self, name: str, /) -> Any: ...


def siasn_riwayat_kursus(training: Fields) -> dict[str, str | int | float]:
    """One completed training as a SIASN "riwayat kursus" row: NIP as the key, dates
    dd-mm-yyyy as SIASN takes them, the organiser's province as the location (none for the
    national organiser)."""
    start: dt.date = training["start_date"]
    end: dt.date = training["end_date"]
    return {
        "nip": training["nip"],
        "jenisDiklatId": siasn_jenis_diklat(training["category"]),
        "namaKursus": training["programme_name"],
        "nomorSertipikat": training["certificate_number"] or "",
        "jumlahJam": float(training["total_jp"]),
        "tahunKursus": end.year,
        "tanggalKursus": start.strftime("%d-%m-%Y"),
        "tanggalSelesaiKursus": end.strftime("%d-%m-%Y"),
        "institusiPenyelenggara": training["organizer"],
        "lokasiId": training["organizer_province"] or "",
    }


def organizer_province(publisher: str) -> str | None:
    """`35.23` -> `35`, `15` -> `15`, `nasional` -> None (national organiser has no province)."""
    return None if publisher == NASIONAL else publisher[:2]


def phase(status: str, start: dt.date, end: dt.date, today: dt.date) -> str:
    """scheduled | running | closed | cancelled: running is a scheduled cohort within its dates
    (or past them but not closed yet: the organiser has not closed it)."""
    if status in ("closed", "cancelled"):
        return status
    return "running" if start <= today else "scheduled"


def meets_minimum(jp: Decimal) -> bool:
    return jp >= JP_MINIMUM


def completion_rate(completed: int, not_completed: int) -> float | None:
    """Share of decided participants who completed, in percent; None before any decision."""
    return share_float(completed, completed + not_completed)


def compliance_rate(met: int, asn_years: int) -> float | None:
    """Share of ASN-years that met the JP minimum, in percent; None when no ASN is known."""
    return share_float(met, asn_years)


# The shortest word a name search looks up: a shorter one has no trigram to find it by.
NAME_SEARCH_MIN = 3


def name_words(text: str) -> list[str] | None:
    """A name search's words, lower-cased, each to be found anywhere in the name ("aminah"
    finds "Siti Aminah"); None when no word has NAME_SEARCH_MIN letters."""
    words = text.lower().split()
    return words if any(len(w) >= NAME_SEARCH_MIN for w in words) else None


def contains_pattern(word: str) -> str:
    """A LIKE pattern (escape character `\\`) matching `word` anywhere, its `%` and `_` as
    themselves."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def claim_authority(publisher: str, region: str) -> int:
    """How much a registration's claimed home region weighs, by who registered: 3 the region's
    own publisher (its roster keeper), 2 `nasional` (it trains every region's ASN and has no
    region of its own to favour), 1 a province over its kabupaten/kota, 0 any other publisher.
    The ASN's home region is the weightiest claim, the earliest among equals, so a publisher
    can never move an established home region into its own area by registering someone."""
    if publisher == region:
        return 3
    if publisher == NASIONAL:
        return 2
    if len(publisher) == 2 and region.startswith(publisher + "."):
        return 1
    return 0


def covers(publisher: str, region: str) -> bool:
    """Whether a publisher's own area includes a home region (mirrors shared.regions)."""
    if publisher == NASIONAL:
        return True
    if len(publisher) == 2:
        return region[:2] == publisher
    return region == publisher


@dataclass(frozen=True)
class Scope:
    """What a credential may see: `publisher`'s cohorts (None: every cohort) and the ASN whose
    home region lies in `area` (None: every ASN; `nasional` covers every region)."""

    publisher: str | None
    area: str | None

    @staticmethod
    def of(publisher: str | None) -> Scope:
        """A publisher credential's scope; None (the national credential) sees everything."""
        if publisher is None:
            return EVERYTHING
        return Scope(publisher, None if publisher == NASIONAL else publisher)

    def covers(self, region: str) -> bool:
        return self.area is None or covers(self.area, region)

    def sees_organiser_province(self, province: str) -> bool:
        """A publisher's own cohorts are all in its own province (`nasional`'s in none)."""
        return self.publisher is None or province == (
            organizer_province(self.publisher) or NASIONAL
        )

    def sees_province_row(self, code: str) -> bool:
        """A publisher's own province row (nasional's: every row, it covers every region)."""
        if self.publisher is None or self.area is None:
            return True
        return code == organizer_province(self.publisher)


EVERYTHING = Scope(None, None)


class RebuildRefused(Exception):
    """The rebuild would have swapped in less than the live model; nothing was changed."""


# Inside the physical name (a namespace may come before it), so matched anywhere in it.
FEEDBACK_TOPIC_PART = FEEDBACK_PREFIX
# What the feedback topics feed: left out of the row comparison when they are accepted partial.
DATA_QUALITY_TABLES = frozenset({"ingest_outcomes", "ingest_duplicates", "quality_counts"})


def require_whole_logs(first_offsets: Iterable[tuple[str, int, int]]) -> None:
    """Every partition a rebuild reads, as (topic, partition, first offset), must still hold
    its first record: a log whose start has moved (the broker's retention, a deletion) would
    rebuild a model missing what was there."""
    cut = sorted((t, p, offset) for t, p, offset in first_offsets if offset > 0)
    if not cut:
        return
    id_ = "; ".join(f"topik {t} partisi {p} dimulai di offset {o}" for t, p, o in cut)
    en = "; ".join(f"topic {t} partition {p} starts at offset {o}" for t, p, o in cut)
    if all(FEEDBACK_TOPIC_PART in t for t, _, _ in cut):
        # Feedback feeds only the data-quality counts: the operator may accept them partial.
        raise RebuildRefused(
            f"Rebuild ditolak: {id_}. Hanya topik umpan balik yang kehilangan rekaman awalnya: "
            "jalankan `diklat rebuild --partial-feedback` untuk membangun ulang dengan hitungan "
            "kualitas data yang tidak lengkap; model yang berjalan tidak diubah. / Rebuild "
            f"refused: {en}. Only feedback topics lost their first records: run `diklat rebuild "
            "--partial-feedback` to rebuild with incomplete data-quality counts; the live model "
            "is unchanged."
        )
    raise RebuildRefused(
        f"Rebuild ditolak: {id_}. Rekaman awalnya sudah dihapus (retensi topik), jadi model "
        "hasil rebuild akan kurang dari model yang berjalan; model yang berjalan tidak diubah. "
        "Topik yang dibaca rebuild harus disimpan selamanya (retention.ms=-1, "
        f"retention.bytes=-1). / Rebuild refused: {en}. Its first records were deleted (topic "
        "retention), so the rebuilt model would hold less than the live one; the live model is "
        "unchanged. The topics a rebuild reads must keep every record (retention.ms=-1, "
        "retention.bytes=-1)."
    )


def records_deleted_while_read(lost: Iterable[tuple[str, int, int]]) -> RebuildRefused:
    """A pass asked for records, as (topic, partition, offset), that the broker no longer has:
    deleted after the pass started (retention, a deletion). Going on from the log's new start
    or end would rebuild a model missing them."""
    cut = sorted(lost)
    id_ = "; ".join(f"topik {t} partisi {p} tidak lagi memuat offset {o}" for t, p, o in cut)
    en = "; ".join(f"topic {t} partition {p} no longer holds offset {o}" for t, p, o in cut)
    return RebuildRefused(
        f"Rebuild ditolak: {id_}. Rekaman dihapus ketika rebuild sedang membacanya (retensi "
        "topik atau penghapusan), jadi model hasil rebuild akan kurang; model yang berjalan "
        "tidak diubah. Pastikan topik yang dibaca rebuild menyimpan setiap rekaman "
        "(retention.ms=-1, retention.bytes=-1), lalu jalankan `diklat rebuild` lagi. / Rebuild "
        f"refused: {en}. Records were deleted while the rebuild was reading them (topic "
        "retention or a deletion), so the rebuilt model would be short; the live model is "
        "unchanged. Make the topics a rebuild reads keep every record (retention.ms=-1, "
        "retention.bytes=-1), then run `diklat rebuild` again."
    )


def require_no_fewer_rows(counts: Iterable[tuple[str, int, int]]) -> None:
    """Each table of the rebuilt model, as (table, rows rebuilt, rows live), has at least the
    live one's rows."""
    fewer = [(t, n, live) for t, n, live in counts if n < live]
    if not fewer:
        return
    id_ = "; ".join(
        f"{t}: {n} baris hasil rebuild, {live} di model yang berjalan" for t, n, live in fewer
    )
    en = "; ".join(f"{t}: {n} rows rebuilt, {live} live" for t, n, live in fewer)
    raise RebuildRefused(
        f"Rebuild ditolak: model hasil rebuild lebih kecil dari model yang berjalan ({id_}); "
        "model yang berjalan tidak diubah. Periksa apakah topik domain atau umpan balik "
        f"kehilangan rekaman. / Rebuild refused: the rebuilt model is smaller than the live one "
        f"({en}); the live model is unchanged. Check whether a domain or feedback topic lost "
        "records."
    )
