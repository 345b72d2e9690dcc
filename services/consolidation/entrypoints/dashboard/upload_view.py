"""What the upload page shows, from an upload (pure): the precheck's problems by file, sheet,
row and column; while and after publishing, each row's outcomes with the reasons, the counts,
and a closed cohort's results (certificates issued, who did not complete and why)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from services.consolidation.entrypoints.dashboard.uploads import Stage, Upload
from shared.events import ingest
from shared.events.feedback import IngestOutcome, Notice
from shared.publishing.results import who
from shared.publishing.send import Report
from shared.publishing.templates import Location, Problem
from shared.reasons import Outcome

# Each state a row can be in, in the order the page lists them: (Indonesian, English).
STATES = {
    "rejected": ("ditolak", "rejected"),
    "parked": ("menunggu data lain", "parked"),
    "waiting": ("belum dijawab", "no answer yet"),
    "duplicate": ("sudah pernah diterima", "duplicate"),
    "applied": ("diterima", "applied"),
}


@dataclass(frozen=True)
class Where:
    file: str
    sheet: str  # an XLSX worksheet's name; "" for a CSV
    row: int  # 0: the whole file
    column: str  # "C (Jenis Kelamin)", or ""


@dataclass(frozen=True)
class ProblemRow:
    where: Where
    message: str  # Indonesian, then the English in brackets


@dataclass(frozen=True)
class Reason:
    code: str
    message_id: str
    message_en: str


@dataclass(frozen=True)
class OutcomeRow:
    where: Where
    state: str  # the row's most telling state (a key of STATES)
    counts: list[tuple[str, int]]  # every state of the row's events, with how many
    reasons: list[Reason]


@dataclass(frozen=True)
class CohortResult:
    cohort: str
    issued: list[tuple[str, str]]  # (masked NIP, certificate number)
    failed: list[tuple[str, str, str]]  # (masked NIP, reason in Indonesian, in English)
    missing: int


@dataclass(frozen=True)
class Progress:
    sent: int
    total: int
    counts: list[tuple[str, int]]
    rows: list[OutcomeRow]
    results: list[CohortResult]


def where_of(location: Location, files: Sequence[str]) -> Where:
    """A plan's location (`file [sheet]`) split into file and sheet."""
    label = location.sheet
    for name in sorted(files, key=len, reverse=True):
        if label.startswith(f"{name} [") and label.endswith("]"):
            return Where(name, label[len(name) + 2 : -1], location.row, location.column or "")
    return Where(label, "", location.row, location.column or "")


def in_upload_order(where: Where, files: Sequence[str]) -> tuple[int, str, int, str]:
    """Files in the order chosen, then sheet, row and column: as the person reads them."""
    place = files.index(where.file) if where.file in files else len(files)
    return (place, where.sheet, where.row, where.column)


def problem_rows(problems: Sequence[Problem], files: Sequence[str]) -> list[ProblemRow]:
    rows = [ProblemRow(where_of(p.where, files), p.message) for p in problems]
    return sorted(rows, key=lambda r: in_upload_order(r.where, files))


def progress(upload: Upload) -> Progress | None:
    """The run's state so far; None before "Kirim / Publish"."""
    report = upload.report()
    if report is None or upload.run is None:
        return None
    rows = [_outcome_row(report, row, upload.files) for row in _rows(report)]
    rows.sort(key=lambda r: in_upload_order(r.where, upload.files))
    counts: Counter[str] = Counter()
    for row in rows:
        counts.update(dict(row.counts))
    ordered = [(state, counts[state]) for state in STATES if counts[state]]
    results = [_result(code, n, report.results.get(code, [])) for code, n in report.awaited.items()]
    return Progress(upload.run.sent, upload.run.total, ordered, rows, results)


def _rows(report: Report) -> list[Location]:
    return sorted(set(report.rows) | set(report.unanswered))


def _state_of(outcome: IngestOutcome) -> str:
    return str(outcome.outcome) if outcome.outcome in _FINAL else "waiting"


_FINAL = (Outcome.APPLIED, Outcome.DUPLICATE, Outcome.REJECTED)


def _outcome_row(report: Report, row: Location, files: Sequence[str]) -> OutcomeRow:
    outcomes = report.rows.get(row, [])
    counts: Counter[str] = Counter(_state_of(o) for o in outcomes)
    parked = report.parked.get(row, 0)
    counts["parked"] += parked
    counts["waiting"] += report.unanswered.get(row, 0) - parked
    present = [(state, counts[state]) for state in STATES if counts[state] > 0]
    reasons = {
        Reason(str(o.reason or ""), o.message_id or "", o.message_en or "")
        for o in outcomes
        if o.outcome == Outcome.REJECTED
    }
    return OutcomeRow(
        where_of(row, files),
        present[0][0] if present else "waiting",
        present,
        sorted(reasons, key=lambda r: (r.code, r.message_id)),
    )


def _result(code: str, expected: int, notices: Sequence[Notice]) -> CohortResult:
    ordered = sorted(notices, key=lambda n: (n.certificate_number or "", who(n)))
    issued = [(who(n), n.certificate_number or "") for n in ordered if _issued(n)]
    failed = [
        (who(n), n.message_id, n.message_en) for n in ordered if n.kind == "completion_failed"
    ]
    return CohortResult(code, issued, failed, max(0, expected - len(notices)))


def _issued(notice: Notice) -> bool:
    return notice.kind == "certificate_issued"


def still_running(upload: Upload) -> bool:
    """Whether the page should look again soon (sending, or outcomes still arriving)."""
    return upload.stage in (Stage.SENDING, Stage.FOLLOWING)


KINDS: dict[type[ingest._Data], tuple[str, str]] = {
    ingest.AsnRecorded: ("baris daftar ASN", "roster rows"),
    ingest.CohortScheduled: ("jadwal kelas", "cohort schedules"),
    ingest.CohortCancelled: ("pembatalan kelas", "cohort cancellations"),
    ingest.ParticipantRegistered: ("pendaftaran peserta", "registrations"),
    ingest.ParticipantWithdrawn: ("peserta mundur", "withdrawals"),
    ingest.AttendanceRecorded: ("presensi per sesi", "attendance marks"),
    ingest.EvaluationRecorded: ("nilai", "scores"),
    ingest.CohortClosed: ("penutupan kelas", "cohort closes"),
}


def planned_counts(upload: Upload) -> list[tuple[str, str, int]]:
    """How many events of each kind the files make: (Indonesian, English, count)."""
    kinds = Counter(type(e.data) for e in upload.plan.sendable())
    return [(*said, kinds[kind]) for kind, said in KINDS.items() if kinds[kind]]
