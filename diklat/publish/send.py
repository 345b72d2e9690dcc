"""Publish a checked plan with a progress bar, then follow the publisher's feedback topic and
report the outcome of every spreadsheet row."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError, KafkaError
from tqdm import tqdm

from diklat.publish import messages
from diklat.publish.results import (
    RESULT_KINDS,
    closing_cohorts,
    expected_results,
    print_results,
)
from diklat.publish.templates import Location, Plan, Planned, plan_files
from shared.client import FeedbackMessage, PublisherClient, build_event, follow_feedback_messages
from shared.envelope import CloudEvent
from shared.events import ingest
from shared.events.feedback import IngestOutcome, Notice
from shared.reasons import Outcome
from shared.regions import is_valid_publisher_id
from shared.settings import InfraSettings
from shared.topics import feedback_topic, ingest_topic, physical

CHUNK = 250
Echo = Callable[[str], None]
# Exit codes of `diklat publish` (README "Organisers").
EXIT_OK, EXIT_PROBLEMS, EXIT_REJECTED, EXIT_TIMED_OUT = 0, 1, 2, 3
EXIT_BROKER, EXIT_NOT_ONBOARDED = 4, 5
TOPIC_LISTING_GRACE_S = 3.0


class Stopped(Exception):
    """The run stopped for a reason outside the files: what to do, and the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


async def check_publisher_topics(publisher: str, infra: InfraSettings) -> None:
    """The broker answers and the publisher's ingest and feedback topics exist."""
    wanted = [physical(infra.kafka_topic_namespace, ingest_topic(publisher))]
    wanted.append(physical(infra.kafka_topic_namespace, feedback_topic(publisher)))
    admin = AIOKafkaAdminClient(**infra.kafka_client_config())
    try:
        await admin.start()
        missing = await _missing_topics(admin, wanted)
    except KafkaConnectionError:
        raise Stopped(
            messages.broker_unreachable(infra.kafka_bootstrap_servers), EXIT_BROKER
        ) from None
    except KafkaError:
        raise Stopped(messages.broker_refused(infra.kafka_bootstrap_servers), EXIT_BROKER) from None
    finally:
        await admin.close()
    if missing:
        names = [ingest_topic(publisher), feedback_topic(publisher)]
        shown = [name for name, topic in zip(names, wanted, strict=True) if topic in missing]
        raise Stopped(messages.not_onboarded(publisher, shown), EXIT_NOT_ONBOARDED)


async def _missing_topics(admin: AIOKafkaAdminClient, wanted: list[str]) -> list[str]:
    """The topics not on the broker; a topic created a moment ago may take a moment to be
    listed by every broker, so a miss is asked again until a short deadline."""
    deadline = asyncio.get_running_loop().time() + TOPIC_LISTING_GRACE_S
    while True:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if not missing or asyncio.get_running_loop().time() > deadline:
            return missing
        await asyncio.sleep(0.2)


@dataclass
class Report:
    """What became of each row: (outcome, reason) per sent event, and the events unanswered."""

    rows: dict[Location, list[IngestOutcome]] = field(default_factory=lambda: defaultdict(list))
    unanswered: dict[Location, int] = field(default_factory=lambda: defaultdict(int))
    sent: int = 0
    # Closed cohorts' notices (certificate issued, completion failed), and how many each awaits.
    results: dict[str, list[Notice]] = field(default_factory=dict)
    awaited: dict[str, int] = field(default_factory=dict)

    @property
    def results_missing(self) -> bool:
        return any(len(self.results.get(c, [])) < n for c, n in self.awaited.items())

    def counts(self) -> Counter[str]:
        counted: Counter[str] = Counter()
        for outcomes in self.rows.values():
            counted.update(_label(o) for o in outcomes)
        if self.unanswered:
            counted["tidak dijawab (no answer)"] = sum(self.unanswered.values())
        return counted


def _label(outcome: IngestOutcome) -> str:
    return f"{outcome.outcome} {outcome.reason}" if outcome.reason else str(outcome.outcome)


def _row(where: Location) -> Location:
    return Location(where.sheet, where.row)


async def publish(
    events: Sequence[Planned],
    publisher: str,
    infra: InfraSettings,
    *,
    timeout: float = 120.0,
    progress: bool = True,
) -> Report:
    """Send the events in order and wait (up to `timeout`) for the final outcome of each."""
    started = dt.datetime.now(dt.UTC)
    built = [(planned, build_event(publisher, planned.data)) for planned in events]
    sent = 0
    try:
        async with PublisherClient(publisher, infra) as client:
            with tqdm(total=len(built), unit="event", disable=not progress, leave=False) as bar:
                for i in range(0, len(built), CHUNK):
                    chunk = built[i : i + CHUNK]
                    await client.send([event for _, event in chunk])
                    sent += len(chunk)
                    bar.update(len(chunk))
    except KafkaError:
        raise Stopped(messages.lost_broker(sent, len(built)), EXIT_BROKER) from None
    answers, results = await _follow(built, publisher, infra, started, timeout)
    report = Report(sent=len(built), results=results, awaited=_awaited(built, answers))
    for planned, event in built:
        row = _row(planned.where)
        if answers.get(event.id):
            report.rows[row].append(answers[event.id].pop(0))
        else:
            report.unanswered[row] += 1
    return report


Answers = dict[str, list[IngestOutcome]]
Results = dict[str, list[Notice]]


def _applied_close(
    code: str, built: Sequence[tuple[Planned, CloudEvent]], answers: Answers
) -> bool:
    """Whether this run's close of `code` was applied (only then do results follow)."""
    return any(
        isinstance(planned.data, ingest.CohortClosed)
        and planned.cohort_code == code
        and any(o.outcome == Outcome.APPLIED for o in answers.get(event.id, []))
        for planned, event in built
    )


def _awaited(built: Sequence[tuple[Planned, CloudEvent]], answers: Answers) -> dict[str, int]:
    """The cohorts this run closed (the close applied) and how many results each awaits."""
    closing = {
        code
        for code in closing_cohorts([planned for planned, _ in built])
        if _applied_close(code, built, answers)
    }
    sent = [(planned, event.id) for planned, event in built]
    return expected_results(sent, lambda i: {str(o.outcome) for o in answers.get(i, [])}, closing)


async def _follow(
    built: Sequence[tuple[Planned, CloudEvent]],
    publisher: str,
    infra: InfraSettings,
    started: dt.datetime,
    timeout: float,
) -> tuple[Answers, Results]:
    """This run's final outcomes, then the results of the cohorts it closed, from the feedback
    topic, until all came or `timeout`."""
    # The same row sent twice in one run (a duplicate row) is answered twice: count occurrences.
    wanted = Counter(event.id for _, event in built)
    answers: Answers = defaultdict(list)
    results: Results = defaultdict(list)

    closing = closing_cohorts([planned for planned, _ in built])

    def done() -> bool:
        if not all(len(answers[i]) >= n for i, n in wanted.items()):
            return False
        return all(len(results[code]) >= n for code, n in _awaited(built, answers).items())

    try:
        async with asyncio.timeout(timeout):
            stream = follow_feedback_messages(publisher, infra)
            async with contextlib.aclosing(stream):
                async for message in stream:
                    _take(message, wanted, closing, started, answers, results)
                    if done():
                        break
    except TimeoutError:
        pass
    except KafkaConnectionError:
        raise Stopped(
            messages.broker_unreachable(infra.kafka_bootstrap_servers), EXIT_BROKER
        ) from None
    return answers, results


def _take(
    message: FeedbackMessage,
    wanted: Counter[str],
    closing: set[str],
    started: dt.datetime,
    answers: Answers,
    results: Results,
) -> None:
    """Keep what belongs to this run: earlier runs' answers are on the topic too."""
    if isinstance(message, IngestOutcome):
        ours = message.event_id in wanted and message.decided_at >= started
        if ours and message.outcome != Outcome.PARKED:
            answers[message.event_id].append(message)
    elif isinstance(message, Notice):
        ours = message.cohort_code in closing and message.at >= started
        if ours and message.kind in RESULT_KINDS:
            results[message.cohort_code].append(message)


def print_report(report: Report, echo: Echo, *, show_applied: bool = True) -> None:
    rows = sorted(set(report.rows) | set(report.unanswered))
    for row in rows:
        outcomes = report.rows.get(row, [])
        labels = Counter(_label(o) for o in outcomes)
        missing = report.unanswered.get(row, 0)
        if not show_applied and set(labels) <= {Outcome.APPLIED.value} and not missing:
            continue
        parts = [f"{label} ×{n}" if n > 1 else label for label, n in sorted(labels.items())]
        if missing:
            parts.append(f"tidak dijawab ×{missing}")
        echo(f"  {row}: {', '.join(parts)}")
        for o in outcomes:
            if o.outcome == Outcome.REJECTED:
                echo(f"      {o.reason}: {o.message_id} / {o.message_en}")
                break
    echo(f"ringkasan (summary): {report.sent} event dikirim")
    for label, n in sorted(report.counts().items()):
        echo(f"  {label:<32} {n:>6}")


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
        report = await publish(events, publisher, infra, timeout=timeout, progress=progress)
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
