"""v1 ingest events that publishers send (design §3): the `data` of each CloudEvent type."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from shared.events.rules import AsnType, Gender, validate_nip
from shared.regions import NASIONAL, is_valid_region

CohortCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=3,
        max_length=80,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9./_\- ]*$",
    ),
]


def _ascii(value: str) -> str:
    # Pydantic's pattern engine reads \d as any script's digit (e.g. fullwidth ones), where the
    # contract's JSON Schema (ECMA-262) means 0-9: the same NIP must have one spelling.
    if not value.isascii():
        raise PydanticCustomError("ascii_digits", "must be written with the digits 0-9")
    return value


Nip = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\d{18}$"), AfterValidator(_ascii)
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
RegionCode = Annotated[
    str, StringConstraints(pattern=r"^(\d{2}|\d{2}\.\d{2})$"), AfterValidator(_ascii)
]
TimeZone = Literal["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]
# The cohorts' years (`year` is 2000-2100): Python and Postgres both hold every instant of
# such a day in any zone, where 0001-01-01 00:00 WIB is year 0 in UTC and overflows.
SessionDate = Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))]


def _wall_clock(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise PydanticCustomError(
            "wall_clock", "must be a wall-clock time without offset (the zone is `timezone`)"
        )
    return value


# The venue's wall clock; an offset here would make start and end incomparable.
LocalTime = Annotated[dt.time, AfterValidator(_wall_clock)]


class Category(StrEnum):
    KEPEMIMPINAN_PKN = "kepemimpinan_pkn"
    KEPEMIMPINAN_PKA = "kepemimpinan_pka"
    KEPEMIMPINAN_PKP = "kepemimpinan_pkp"
    LATSAR = "latsar"
    TEKNIS = "teknis"
    FUNGSIONAL = "fungsional"
    MANAJERIAL = "manajerial"
    SOSIAL_KULTURAL = "sosial_kultural"
    SEMINAR = "seminar"
    BIMTEK = "bimtek"
    LAINNYA = "lainnya"


class Method(StrEnum):
    CERAMAH = "ceramah"
    TANYA_JAWAB = "tanya_jawab"
    DISKUSI = "diskusi"
    STUDI_KASUS = "studi_kasus"
    SIMULASI = "simulasi"
    STUDI_LAPANGAN = "studi_lapangan"
    E_LEARNING = "e_learning"
    LAINNYA = "lainnya"


class AttendanceStatus(StrEnum):
    HADIR = "HADIR"
    TERLAMBAT = "TERLAMBAT"
    IZIN = "IZIN"
    SAKIT = "SAKIT"
    ALPA = "ALPA"


class _Data(BaseModel):
    # Unknown fields are ignored so publishers may add optional fields without breaking v1.
    model_config = ConfigDict(extra="ignore", frozen=True)


class Programme(_Data):
    name: ShortText
    category: Category


class Session(_Data):
    no: int = Field(ge=1, le=500)
    date: SessionDate
    start: LocalTime
    end: LocalTime
    jp: Decimal = Field(gt=0, le=12, decimal_places=2)
    method: Method = Method.CERAMAH
    title: ShortText | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> Session:
        if self.end <= self.start:
            raise PydanticCustomError(
                "session_end_not_after_start",
                "session {no}: end is not after start",
                {"no": self.no},
            )
        return self


class CompletionPolicy(_Data):
    min_attendance_pct: Decimal = Field(default=Decimal(90), ge=0, le=100)
    evaluation_required: bool = False
    pass_score: Decimal = Field(default=Decimal("60.01"), ge=0, le=100)


def _signatory_nip(value: str) -> str:
    # The checks every NIP passes, PNS or PPPK; the stated gender is the one digit 15 encodes,
    # so a wrong digit is named as such. The message names the defect, never the digits.
    gender = Gender.P if value[14:15] == "2" else Gender.L
    problem = validate_nip(value, AsnType.PPPK, gender)
    if problem is not None:
        raise ValueError(
            f"NIP penandatangan tidak valid / the signatory's NIP is invalid ({problem.defect})"
        )
    return value


class Signatory(_Data):
    """Who signs the STTP (the head of the organising agency or their delegate)."""

    name: ShortText  # with degrees as printed, e.g. "Dr. H. Ahmad Yani, S.H., M.Si."
    nip: Annotated[Nip, AfterValidator(_signatory_nip)]
    title: ShortText  # jabatan, e.g. "Kepala BPSDM Provinsi Jambi"


class CohortScheduled(_Data):
    cohort_code: CohortCode
    programme: Programme
    organizer: ShortText
    year: int = Field(ge=2000, le=2100)
    angkatan: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    location: ShortText
    timezone: TimeZone = "Asia/Jakarta"
    sessions: list[Session] = Field(min_length=1, max_length=500)
    quota: int = Field(ge=1, le=10_000)
    open_to_other_regions: bool = False
    completion: CompletionPolicy = CompletionPolicy()
    # Optional (added to v1): without them the publisher's profile in certification applies.
    signatory: Signatory | None = Field(
        default=None,
        description="who signs the STTP; none: the publisher's default (certification's "
        "publisher profile), else no signatory block",
    )
    place_of_issue: ShortText | None = Field(
        default=None, description='where the STTP is issued, e.g. "Jambi"; none: the default'
    )

    @model_validator(mode="after")
    def _sessions_are_numbered_once(self) -> CohortScheduled:
        numbers = [s.no for s in self.sessions]
        if len(set(numbers)) != len(numbers):
            raise PydanticCustomError(
                "session_numbers_repeated", "sessions: each session number must appear once"
            )
        return self


class CohortCancelled(_Data):
    cohort_code: CohortCode
    reason: LongText = ""


class CohortClosed(_Data):
    cohort_code: CohortCode
    # Optional, added to v1.
    closed_on: SessionDate | None = Field(
        default=None,
        description="the day the cohort closed, the certificates' date: not after the day of "
        "the event's time (in the cohort's zone), not before the first session; none: the "
        "last session's date",
    )


class ParticipantRegistered(_Data):
    cohort_code: CohortCode
    nip: Nip
    name: ShortText
    asn_type: Literal["PNS", "PPPK"]
    gender: Literal["L", "P"]
    position: ShortText
    rank: ShortText | None = None
    agency: ShortText
    region: RegionCode


class ParticipantWithdrawn(_Data):
    cohort_code: CohortCode
    nip: Nip
    reason: LongText = ""


class AttendanceRecorded(_Data):
    cohort_code: CohortCode
    nip: Nip
    session_no: int = Field(ge=1, le=500)
    status: AttendanceStatus
    note: LongText | None = None


class EvaluationRecorded(_Data):
    cohort_code: CohortCode
    nip: Nip
    score: Decimal = Field(ge=0, le=100, decimal_places=2)


def _home_region(value: str) -> str:
    if value != NASIONAL and not is_valid_region(value):
        raise PydanticCustomError(
            "home_region",
            "must be a Kemendagri province (e.g. 15) or kabupaten/kota (e.g. 35.23) code, "
            "or 'nasional' for a central agency",
        )
    return value


HomeRegion = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_home_region)]


class EmploymentStatus(StrEnum):
    """Kedudukan hukum as the roster states it."""

    AKTIF = "aktif"
    TUGAS_BELAJAR = "tugas_belajar"
    CLTN = "cltn"  # cuti di luar tanggungan negara
    PENSIUN = "pensiun"
    BERHENTI = "berhenti"
    MENINGGAL = "meninggal"


# One ASN as their home region's roster states them now; a later row replaces it whole. (A
# comment, not a docstring: the domain event embeds this model, and its AsyncAPI schema must
# read the same in both places.)
class AsnRecorded(_Data):
    nip: Nip
    name: ShortText
    asn_type: Literal["PNS", "PPPK"]
    gender: Literal["L", "P"]
    agency: ShortText  # instansi
    unit: ShortText | None = None  # unit kerja
    region: HomeRegion
    position: ShortText | None = None  # jabatan
    rank: ShortText | None = None  # pangkat/golongan, e.g. "Pembina, IV/a"
    status: EmploymentStatus = EmploymentStatus.AKTIF
    status_since: dt.date = Field(ge=dt.date(1940, 1, 1), le=dt.date(2100, 12, 31))


def cohort_code_prefix(publisher: str) -> str:
    """What every cohort code a publisher schedules starts with: its id and `/` (`15/`,
    `35.23/`, `nasional/`). The separator keeps `15.71/...` from belonging to `15`."""
    return f"{publisher}/"


def is_publishers_cohort_code(cohort_code: str, publisher: str) -> bool:
    """Whether `cohort_code` is one `publisher` may schedule: its prefix and something after."""
    prefix = cohort_code_prefix(publisher)
    return cohort_code.startswith(prefix) and len(cohort_code) > len(prefix)


def cohort_code_problem(cohort_code: str, publisher: str) -> tuple[str, str] | None:
    """None when `publisher` may schedule `cohort_code`, else the reason in Indonesian and
    English. The one rule the services and `diklat publish` apply: cohort codes are unique
    nationally, so a code names its publisher and nobody can take another's code first."""
    if is_publishers_cohort_code(cohort_code, publisher):
        return None
    prefix = cohort_code_prefix(publisher)
    example = f"{prefix}PKA/2024/I"
    return (
        f"Kode angkatan harus diawali '{prefix}' (kode penerbit Anda), mis. {example}; "
        f"diterima '{cohort_code}'.",
        f"A cohort code must start with '{prefix}' (your publisher id), e.g. {example}; "
        f"received '{cohort_code}'.",
    )


COHORT_SCHEDULED = "diklat.cohort.scheduled.v1"
COHORT_CANCELLED = "diklat.cohort.cancelled.v1"
COHORT_CLOSED = "diklat.cohort.closed.v1"
PARTICIPANT_REGISTERED = "diklat.participant.registered.v1"
PARTICIPANT_WITHDRAWN = "diklat.participant.withdrawn.v1"
ATTENDANCE_RECORDED = "diklat.attendance.recorded.v1"
EVALUATION_RECORDED = "diklat.evaluation.recorded.v1"
ASN_RECORDED = "diklat.asn.recorded.v1"

INGEST_TYPES: dict[str, type[_Data]] = {
    COHORT_SCHEDULED: CohortScheduled,
    COHORT_CANCELLED: CohortCancelled,
    COHORT_CLOSED: CohortClosed,
    PARTICIPANT_REGISTERED: ParticipantRegistered,
    PARTICIPANT_WITHDRAWN: ParticipantWithdrawn,
    ATTENDANCE_RECORDED: AttendanceRecorded,
    EVALUATION_RECORDED: EvaluationRecorded,
    ASN_RECORDED: AsnRecorded,
}
