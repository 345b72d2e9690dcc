"""`diklat outcomes`: what the publisher's feedback topic holds, including what arrived after
`diklat publish` stopped waiting (an event parked, then rejected; certificates issued; completion
failed; 20 JP reminders), as a table or CSV, newest last."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

from shared.client import FeedbackMessage, read_feedback
from shared.events.feedback import ComplianceReminder, IngestOutcome, Notice
from shared.publishing.results import who
from shared.publishing.send import check_publisher_topics
from shared.settings import InfraSettings
from shared.tabular import csv_row

HEADINGS = ("waktu (time)", "jenis (kind)", "angkatan (cohort)", "hasil (outcome)", "rincian")


@dataclass(frozen=True)
class Line:
    """One row of the listing."""

    at: dt.datetime
    kind: str
    cohort: str
    outcome: str
    detail: str

    def cells(self) -> tuple[str, ...]:
        return (f"{self.at:%Y-%m-%d %H:%M:%S}", self.kind, self.cohort, self.outcome, self.detail)


def line_of(message: FeedbackMessage) -> Line:
    if isinstance(message, IngestOutcome):
        said = " / ".join(filter(None, (message.message_id, message.message_en)))
        outcome = f"{message.outcome} {message.reason}" if message.reason else str(message.outcome)
        detail = f"event {message.event_id}" + (f": {said}" if said else "")
        return Line(message.decided_at, "outcome", message.cohort_code or "", outcome, detail)
    if isinstance(message, Notice):
        number = f" {message.certificate_number}" if message.certificate_number else ""
        said = f"{message.message_id} / {message.message_en}"
        detail = f"NIP {who(message)}{number}: {said}"
        return Line(message.at, "notice", message.cohort_code, message.kind, detail)
    return _reminder_line(message)


def _reminder_line(message: ComplianceReminder) -> Line:
    detail = f"{message.message_id} / {message.message_en} ({message.list_path})"
    outcome = f"below {message.below}, zero {message.zero} of {message.roster}"
    return Line(message.at, "reminder", f"{message.region} {message.year}", outcome, detail)


async def outcome_lines(
    publisher: str,
    infra: InfraSettings,
    *,
    since: dt.datetime | None = None,
    cohort: str | None = None,
) -> list[Line]:
    """The feedback topic's messages as lines, narrowed by time and cohort, oldest first."""
    await check_publisher_topics(publisher, infra)
    lines = []
    async for message in read_feedback(publisher, infra):
        line = line_of(message)
        if since is not None and line.at < since:
            continue
        if cohort is not None and line.cohort != cohort:
            continue
        lines.append(line)
    return sorted(lines, key=lambda line: line.at)


def as_csv(lines: list[Line]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADINGS)
    writer.writerows(csv_row(line.cells()) for line in lines)
    return out.getvalue()


def as_table(lines: list[Line], echo: Callable[[str], None]) -> None:
    echo("  ".join(HEADINGS))
    for line in lines:
        at, kind, cohort, outcome, detail = line.cells()
        echo(f"{at}  {kind:<8}  {cohort:<28}  {outcome:<28}  {detail}")
    echo(f"{len(lines)} baris (rows)")
