"""The upload page's work, kept in this process: each upload's precheck (the same plan as
`diklat publish`), then, on "Kirim / Publish", a run published with the service's own Kafka
client as the signed-in publisher and followed on its feedback topic. Uploads are known by a
random id and belong to the publisher who made them; their files are read in memory, never
written anywhere, and forgotten after `KEPT_S`."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from shared.logging import get_logger
from shared.publishing.send import (
    EXIT_NOT_ONBOARDED,
    Report,
    Run,
    Stopped,
    check_publisher_topics,
    follow_run,
    send_run,
)
from shared.publishing.templates import Plan, plan_uploads
from shared.runtime import ServiceRuntime
from shared.settings import InfraSettings

log = get_logger(__name__)
# How long the page follows a run's feedback: past the services' park timeout, so a row parked
# for a missing prerequisite comes back rejected while the page still watches.
FOLLOW_S = 330.0
KEPT_S = 8 * 3600
KEPT_PER_PUBLISHER = 20


class Stage(enum.StrEnum):
    CHECKED = "checked"  # the precheck is shown; nothing sent
    SENDING = "sending"
    FOLLOWING = "following"  # sent; outcomes arriving
    DONE = "done"  # every outcome and result came, or the wait ended
    STOPPED = "stopped"  # broker or onboarding trouble, or an error of ours


@dataclass
class Upload:
    id: str
    publisher: str
    files: list[str]
    plan: Plan
    created: dt.datetime
    stage: Stage = Stage.CHECKED
    run: Run | None = None
    stopped_id: str = ""
    stopped_en: str = ""
    timed_out: bool = False

    @property
    def sendable(self) -> bool:
        """Checked without problems (or stopped by trouble outside the files: sending again is
        safe, the rows already sent are answered `duplicate`)."""
        ready = self.stage in (Stage.CHECKED, Stage.STOPPED)
        return ready and not self.plan.problems and bool(self.plan.events)

    @property
    def busy(self) -> bool:
        return self.stage in (Stage.SENDING, Stage.FOLLOWING)

    def report(self) -> Report | None:
        return self.run.report() if self.run is not None else None


@dataclass
class Uploads:
    """Every upload of this process, and the publishing runs waiting for the worker."""

    infra: InfraSettings
    follow_s: float = FOLLOW_S
    kept: dict[str, Upload] = field(default_factory=dict)
    queue: asyncio.Queue[Upload] = field(default_factory=asyncio.Queue)

    def check(self, publisher: str, files: Sequence[tuple[str, bytes]]) -> Upload:
        """The files' precheck as an upload of `publisher`; nothing is sent."""
        self._forget_old(publisher)
        plan = plan_uploads(files, publisher)
        upload = Upload(
            secrets.token_urlsafe(18),
            publisher,
            [name for name, _ in files],
            plan,
            dt.datetime.now(dt.UTC),
        )
        self.kept[upload.id] = upload
        log.info(
            "upload checked",
            upload=upload.id,
            publisher=publisher,
            files=len(files),
            events=len(plan.events),
            problems=len(plan.problems),
        )
        return upload

    def of(self, upload_id: str, publisher: str | None) -> Upload | None:
        """The upload, only for the publisher who made it (anyone else: None, as if unknown)."""
        upload = self.kept.get(upload_id)
        if upload is None or publisher is None or upload.publisher != publisher:
            return None
        return upload

    def publish(self, upload: Upload) -> bool:
        """Queue the upload's run for the worker; False when it cannot be sent (problems, or
        already sent)."""
        if not upload.sendable:
            return False
        upload.run = Run(upload.plan.sendable(), upload.publisher)
        upload.stage, upload.stopped_id, upload.stopped_en = Stage.SENDING, "", ""
        self.queue.put_nowait(upload)
        return True

    def _forget_old(self, publisher: str) -> None:
        now = dt.datetime.now(dt.UTC)
        for key, upload in list(self.kept.items()):
            if (now - upload.created).total_seconds() > KEPT_S and not upload.busy:
                del self.kept[key]
        own = [u for u in self.kept.values() if u.publisher == publisher and not u.busy]
        for upload in sorted(own, key=lambda u: u.created)[: max(0, len(own) - KEPT_PER_PUBLISHER)]:
            del self.kept[upload.id]


async def carry_out(upload: Upload, infra: InfraSettings, follow_s: float) -> None:
    """Send the upload's run and follow its feedback; any trouble ends it STOPPED with a
    sentence for the page, never an exception out of here (the worker runs the others)."""
    run = upload.run
    assert run is not None, "Uploads.publish builds the run"
    try:
        await check_publisher_topics(upload.publisher, infra)
        await send_run(run, infra, lambda _: None)
        upload.stage = Stage.FOLLOWING
        await follow_run(run, infra, follow_s)
        upload.timed_out = not run.done()
        upload.stage = Stage.DONE
    except Stopped as stopped:
        _stop(upload, *_trouble(stopped))
        log.warning(
            "upload stopped", upload=upload.id, publisher=upload.publisher, code=stopped.code
        )
    except Exception:
        _stop(upload, *UNEXPECTED)
        log.exception("upload failed", upload=upload.id, publisher=upload.publisher)
    log.info(
        "upload published",
        upload=upload.id,
        publisher=upload.publisher,
        sent=run.sent,
        stage=str(upload.stage),
    )


def _stop(upload: Upload, said_id: str, said_en: str) -> None:
    upload.stage = Stage.STOPPED
    upload.stopped_id, upload.stopped_en = said_id, said_en


def _trouble(stopped: Stopped) -> tuple[str, str]:
    """What the page says: the CLI's sentences name commands an operator does not run."""
    if stopped.code == EXIT_NOT_ONBOARDED:
        return NOT_ONBOARDED
    return BROKER


BROKER = (
    "Layanan tidak dapat menghubungi Kafka saat ini. Kirim lagi beberapa menit lagi (baris yang "
    "sudah terkirim akan dijawab 'duplicate'); bila tetap gagal, hubungi admin BPSDM.",
    "The service cannot reach Kafka at the moment. Publish again in a few minutes (rows already "
    "sent are answered 'duplicate'); if it still fails, contact the BPSDM admin.",
)
NOT_ONBOARDED = (
    "Penerbit Anda belum didaftarkan di Kafka; tidak ada yang dikirim. Minta admin BPSDM "
    "mendaftarkannya (diklat publishers add).",
    "Your publisher is not onboarded on Kafka; nothing was sent. Ask the BPSDM admin to onboard "
    "it (diklat publishers add).",
)
UNEXPECTED = (
    "Terjadi kesalahan pada layanan; hubungi admin BPSDM dengan kode unggahan ini.",
    "The service met an error; contact the BPSDM admin with this upload's code.",
)


def build_uploads(runtime: ServiceRuntime) -> Uploads:
    """The composition root's store of uploads (bootstrap.py: `dependencies`)."""
    return Uploads(runtime.infra)


def of(runtime: ServiceRuntime) -> Uploads:
    return cast(Uploads, runtime.dependencies)


async def upload_worker(runtime: ServiceRuntime) -> None:
    """Publishes queued uploads for the life of the process, each in its own task; stopping
    the service cancels them with it."""
    uploads = of(runtime)
    async with asyncio.TaskGroup() as group:
        while True:
            upload = await uploads.queue.get()
            group.create_task(carry_out(upload, uploads.infra, uploads.follow_s))
