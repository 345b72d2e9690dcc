"""Publish a checked plan, then follow the publisher's feedback topic for the outcome of every
spreadsheet row and, after a close, the cohort's results. A `Run` holds what was sent and every
answer so far, so a caller may read its `report()` while it is still being followed (the upload
page does); `publish` does it all and returns the final report (`diklat publish`)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError, KafkaError

from shared.client import FeedbackMessage, PublisherClient, build_event, follow_feedback_messages
from shared.envelope import CloudEvent
from shared.events import ingest
from shared.events.feedback import IngestOutcome, Notice
from shared.publishing import messages
from shared.publishing.results import RESULT_KINDS, closing_cohorts, expected_results
from shared.publishing.templates import Location, Planned
from shared.reasons import Outcome
from shared.settings import InfraSettings
from shared.topics import feedback_topic, ingest_topic, physical

CHUNK = 250
# Exit codes of `diklat publish` (README "Organisers"); the upload page shows the message.
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
    # Of the unanswered, the rows some event of which a service parked (waiting for a
    # prerequisite): the final outcome is still to come.
    parked: dict[Location, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def results_missing(self) -> bool:
        return any(len(self.results.get(c, [])) < n for c, n in self.awaited.items())

    def counts(self) -> Counter[str]:
        counted: Counter[str] = Counter()
        for outcomes in self.rows.values():
            counted.update(label(o) for o in outcomes)
        if self.unanswered:
            counted["tidak dijawab (no answer)"] = sum(self.unanswered.values())
        return counted


def label(outcome: IngestOutcome) -> str:
    """An outcome as one word and its reason code: `applied`, `rejected INVALID_NIP`."""
    return f"{outcome.outcome} {outcome.reason}" if outcome.reason else str(outcome.outcome)


def _row(where: Location) -> Location:
    return Location(where.sheet, where.row)


Answers = dict[str, list[IngestOutcome]]
Results = dict[str, list[Notice]]


class Run:
    """One publishing run: the events built from the plan (ids from their content), how many
    were sent, and every answer and result of this run that has arrived so far."""

    def __init__(self, events: Sequence[Planned], publisher: str) -> None:
        self.publisher = publisher
        self.started = dt.datetime.now(dt.UTC)
        self.built = [(planned, build_event(publisher, planned.data)) for planned in events]
        self.sent = 0
        self.following = False
        # The same row sent twice in one run (a duplicate row) is answered twice.
        self.wanted = Counter(event.id for _, event in self.built)
        self.closing = closing_cohorts(events)
        self.answers: Answers = defaultdict(list)
        self.parked: set[str] = set()
        self.results: Results = defaultdict(list)

    @property
    def total(self) -> int:
        return len(self.built)

    def take(self, message: FeedbackMessage) -> None:
        """Keep what belongs to this run: earlier runs' answers are on the topic too."""
        if isinstance(message, IngestOutcome):
            if message.event_id not in self.wanted or message.decided_at < self.started:
                return
            if message.outcome == Outcome.PARKED:
                self.parked.add(message.event_id)
            else:
                self.answers[message.event_id].append(message)
        elif isinstance(message, Notice):
            ours = message.cohort_code in self.closing and message.at >= self.started
            if ours and message.kind in RESULT_KINDS:
                self.results[message.cohort_code].append(message)

    def awaited(self) -> dict[str, int]:
        """The cohorts this run closed (the close applied) and how many results each awaits."""
        closing = {code for code in self.closing if self._applied_close(code)}
        sent = [(planned, event.id) for planned, event in self.built]
        return expected_results(sent, self._outcomes_of, closing)

    def _outcomes_of(self, event_id: str) -> set[str]:
        return {str(o.outcome) for o in self.answers.get(event_id, [])}

    def _applied_close(self, code: str) -> bool:
        """Whether this run's close of `code` was applied (only then do results follow)."""
        return any(
            isinstance(planned.data, ingest.CohortClosed)
            and planned.cohort_code == code
            and Outcome.APPLIED.value in self._outcomes_of(event.id)
            for planned, event in self.built
        )

    def done(self) -> bool:
        if not all(len(self.answers.get(i, [])) >= n for i, n in self.wanted.items()):
            return False
        return all(len(self.results.get(code, [])) >= n for code, n in self.awaited().items())

    def report(self) -> Report:
        """Each row's answers so far (a row may send several events), and the results."""
        results = {code: list(notices) for code, notices in self.results.items()}
        report = Report(sent=self.sent, results=results, awaited=self.awaited())
        given = {event_id: iter(outcomes) for event_id, outcomes in self.answers.items()}
        for planned, event in self.built:
            row = _row(planned.where)
            answer = next(given.get(event.id, iter(())), None)
            if answer is not None:
                report.rows[row].append(answer)
            else:
                report.unanswered[row] += 1
                if event.id in self.parked:
                    report.parked[row] += 1
        return report


async def send_run(run: Run, infra: InfraSettings, on_sent: Callable[[int], None]) -> None:
    """Send the run's events in order, in chunks; `on_sent` hears how many each chunk sent."""
    try:
        async with PublisherClient(run.publisher, infra) as client:
            for chunk in _chunks(run):
                await client.send([event for _, event in chunk])
                run.sent += len(chunk)
                on_sent(len(chunk))
    except KafkaError:
        raise Stopped(messages.lost_broker(run.sent, run.total), EXIT_BROKER) from None


def _chunks(run: Run) -> Iterator[list[tuple[Planned, CloudEvent]]]:
    for i in range(0, run.total, CHUNK):
        yield run.built[i : i + CHUNK]


async def follow_run(run: Run, infra: InfraSettings, timeout: float) -> None:
    """This run's final outcomes, then the results of the cohorts it closed, from the feedback
    topic, until all came or `timeout`."""
    run.following = True
    try:
        async with asyncio.timeout(timeout):
            stream = follow_feedback_messages(run.publisher, infra)
            async with contextlib.aclosing(stream):
                async for message in stream:
                    run.take(message)
                    if run.done():
                        break
    except TimeoutError:
        pass
    except KafkaConnectionError:
        raise Stopped(
            messages.broker_unreachable(infra.kafka_bootstrap_servers), EXIT_BROKER
        ) from None
    finally:
        run.following = False


async def publish(
    events: Sequence[Planned],
    publisher: str,
    infra: InfraSettings,
    *,
    timeout: float = 120.0,
    on_sent: Callable[[int], None] = lambda _: None,
) -> Report:
    """Send the events in order and wait (up to `timeout`) for the final outcome of each."""
    run = Run(events, publisher)
    await send_run(run, infra, on_sent)
    await follow_run(run, infra, timeout)
    return run.report()
