"""`diklat publish` in a terminal: the plan's problems, a progress bar while sending, each row's
outcome and a closed cohort's results as lines, and the exit code. The work itself is
`shared.publishing` (the upload page uses the same)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from tqdm import tqdm

from shared.events.feedback import Notice
from shared.publishing import messages
from shared.publishing.results import who
from shared.publishing.send import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_REJECTED,
    EXIT_TIMED_OUT,
    Report,
    Stopped,
    check_publisher_topics,
    label,
    publish,
)
from shared.publishing.templates import Plan, plan_files
from shared.reasons import Outcome
from shared.regions import is_valid_publisher_id
from shared.settings import InfraSettings

Echo = Callable[[str], None]


def print_report(report: Report, echo: Echo, *, show_applied: bool = True) -> None:
    rows = sorted(set(report.rows) | set(report.unanswered))
    for row in rows:
        outcomes = report.rows.get(row, [])
        labels = Counter(label(o) for o in outcomes)
        missing = report.unanswered.get(row, 0)
        if not show_applied and set(labels) <= {Outcome.APPLIED.value} and not missing:
            continue
        parts = [f"{said} ×{n}" if n > 1 else said for said, n in sorted(labels.items())]
        if missing:
            parts.append(f"tidak dijawab ×{missing}")
        echo(f"  {row}: {', '.join(parts)}")
        for o in outcomes:
            if o.outcome == Outcome.REJECTED:
                echo(f"      {o.reason}: {o.message_id} / {o.message_en}")
                break
    echo(f"ringkasan (summary): {report.sent} event dikirim")
    for said, n in sorted(report.counts().items()):
        echo(f"  {said:<32} {n:>6}")


def print_plan(plan: Plan, echo: Echo, *, force: bool = False) -> None:
    for warning in plan.warnings:
        echo(f"  peringatan (warning) {warning}")
    for problem in plan.problems:
        sent = " [tetap dikirim: --force]" if force and problem.rule else ""
        echo(f"  MASALAH (problem) {problem}{sent}")


async def publish_files(
    paths: Sequence[Path],
    publisher: str,
    infra: InfraSettings,
    echo: Echo,
    *,
    force: bool = False,
    timeout: float = 120.0,
    progress: bool = True,
    show_applied: bool = True,
) -> tuple[int, Report | None]:
    """The whole `diklat publish`: check everything, send nothing if anything is wrong (except
    rule problems with `force`), publish, follow the feedback. Returns (exit code, report);
    a problem outside the files (broker, onboarding) is one line and its code (EXIT_*)."""
    if not is_valid_publisher_id(publisher):
        echo(messages.not_a_publisher(publisher))
        return EXIT_PROBLEMS, None
    plan = plan_files(paths, publisher)
    print_plan(plan, echo, force=force)
    blocking = plan.blocking(force)
    if blocking:
        echo(
            f"{len(blocking)} masalah; tidak ada yang dikirim "
            f"({len(blocking)} problems; nothing sent)"
        )
        return EXIT_PROBLEMS, None
    events = plan.sendable(force)
    if not events:
        echo(messages.nothing_to_send())
        return EXIT_PROBLEMS, None
    echo(f"{len(events)} event dari {len(paths)} berkas untuk penerbit {publisher}")
    try:
        await check_publisher_topics(publisher, infra)
        with tqdm(total=len(events), unit="event", disable=not progress, leave=False) as bar:
            report = await publish(events, publisher, infra, timeout=timeout, on_sent=bar.update)
    except Stopped as stopped:
        echo(str(stopped))
        return stopped.code, None
    print_report(report, echo, show_applied=show_applied)
    print_results(report.results, report.awaited, echo, show_each=show_applied)
    if report.unanswered or report.results_missing:
        echo(f"batas waktu {timeout:g} s habis: sebagian belum dijawab (timed out)")
        return EXIT_TIMED_OUT, report
    rejected = any(o.outcome == Outcome.REJECTED for os in report.rows.values() for o in os)
    return (EXIT_REJECTED if rejected else EXIT_OK), report


def print_results(
    results: Mapping[str, list[Notice]],
    awaited: Mapping[str, int],
    echo: Echo,
    *,
    show_each: bool = True,
) -> None:
    """Per closed cohort: certificates issued and who did not complete, with the reason."""
    for code, expected in awaited.items():
        notices = sorted(
            results.get(code, []),
            key=lambda n: (n.kind, n.certificate_number or "", who(n), n.message_id),
        )
        issued = [n for n in notices if n.kind == "certificate_issued"]
        failed = [n for n in notices if n.kind == "completion_failed"]
        echo(
            f"hasil angkatan {code} (results): {len(issued)} sertifikat terbit (issued), "
            f"{len(failed)} tidak lulus (did not complete)"
        )
        for n in issued if show_each else []:
            echo(f"      {who(n)}: {n.certificate_number}")
        for n in failed:
            echo(f"      {who(n)}: {n.message_id} / {n.message_en}")
        missing = expected - len(notices)
        if missing > 0:
            echo(
                f"      {missing} hasil belum datang; lihat nanti dengan `diklat outcomes "
                f"--cohort {code}` ({missing} results not in yet)"
            )
