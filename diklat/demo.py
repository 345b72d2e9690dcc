"""`diklat demo`: the stack and four services, the seeds' organisers publishing their spreadsheets
through `diklat publish`, and the national view they add up to."""

from __future__ import annotations

import asyncio
import contextlib
import io
import shutil
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import typer

from diklat.demo_session import demo_session
from diklat.local import stack_config, wait_for_interrupt
from diklat.publish import Echo, Report, publish_files
from diklat.services import local_url
from shared.kafka import onboard_publisher
from shared.settings import InfraSettings

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
NATIONAL_TOKEN = "national-demo-token"


@dataclass(frozen=True)
class Organiser:
    publisher: str
    name: str
    folder: str
    cohorts: int

    def files(self, late: bool = False) -> list[Path]:
        """The spreadsheets; `late` ones (corrections) are sent after the first batch closed."""
        found = sorted(p for p in (DEMO_DIR / self.folder).iterdir() if p.suffix != ".py")
        return [p for p in found if p.name.startswith("koreksi") == late]


ORGANISERS = (
    Organiser("16", "BPSDMD Provinsi Sumatera Selatan", "16-sumsel", 1),
    Organiser("35.23", "BKD Kabupaten Tuban", "35.23-tuban", 1),
    Organiser("nasional", "BPSDM Kemendagri", "nasional", 2),
    Organiser("15", "BPSDM Provinsi Jambi", "15-jambi", 2),
)


# Invented signatories (as the seeds' people are) for two organisers' default profiles; the
# others have none, so their STTPs show the place-less date and no signatory block.
DEMO_PROFILES: dict[str, dict[str, Any]] = {
    "15": {
        "signatory": {
            "name": "Dr. H. Ahmad Fauzi, S.H., M.Si.",
            "nip": "196805121994031004",
            "title": "Kepala BPSDM Provinsi Jambi",
        },
        "place_of_issue": "Jambi",
    },
    "nasional": {
        "signatory": {
            "name": "Dra. Sri Wahyuningsih, M.A.P.",
            "nip": "196911251995032002",
            "title": "Kepala BPSDM Kementerian Dalam Negeri",
        },
        "place_of_issue": "Jakarta",
    },
}


async def set_demo_profiles(echo: Echo) -> None:
    """The demo organisers' default signatory and place of issue, through the admin API (as
    `diklat publishers profile` does)."""
    from diklat import profiles

    for publisher, body in DEMO_PROFILES.items():
        try:
            stored = await profiles.set_profile(publisher, body, local_url("certification"))
        except profiles.ProfileRefused as refused:
            echo(f"profil {publisher} tidak disimpan (profile not saved): {refused}")
            continue
        echo(profiles.described(stored))


@dataclass
class SummaryRow:
    publisher: str
    cohorts: int = 0
    closed: int = 0
    enrolled: int = 0
    withdrawn: int = 0
    completed: int = 0
    not_completed: int = 0
    certificates: int = 0
    jp: float = 0.0
    rejected: dict[str, int] = field(default_factory=dict)

    @property
    def decided(self) -> bool:
        return (
            self.closed == self.cohorts
            and self.enrolled > 0
            and self.completed + self.not_completed + self.withdrawn == self.enrolled
            and self.certificates == self.completed
        )


async def publish_demo(
    infra: InfraSettings, echo: Echo, *, timeout: float = 120.0, progress: bool = True
) -> dict[str, list[Report]]:
    """Every organiser's spreadsheets, then the late correction, through `diklat publish`'s
    code path. `force`: the invalid NIP is sent on purpose so the service's rejection shows."""
    reports: dict[str, list[Report]] = {}
    for organiser in ORGANISERS:
        await onboard_publisher(infra, organiser.publisher)
    for late in (False, True):
        for organiser in ORGANISERS:
            files = organiser.files(late)
            if not files:
                continue
            echo(
                f"\n== diklat publish --publisher {organiser.publisher} --force "
                + " ".join(f"{organiser.folder}/{p.name}" for p in files)
            )
            _, report = await publish_files(
                files,
                organiser.publisher,
                infra,
                echo,
                force=True,
                timeout=timeout,
                progress=progress,
                show_applied=False,
            )
            if report is not None:
                reports.setdefault(organiser.publisher, []).append(report)
    return reports


async def national_summary(http: httpx.AsyncClient) -> list[SummaryRow]:
    """Per organiser, from the consolidation API (national credential)."""
    quality = {q["publisher"]: q for q in await _get(http, "/api/v1/data-quality")}
    rows = []
    for organiser in ORGANISERS:
        stats = await _get(http, "/api/v1/statistics", publisher=organiser.publisher)
        rows.append(
            SummaryRow(
                publisher=organiser.publisher,
                cohorts=organiser.cohorts,
                closed=stats["closed"],
                enrolled=stats["enrolled"],
                withdrawn=stats["withdrawn"],
                completed=stats["completed"],
                not_completed=stats["not_completed"],
                certificates=stats["certificates_issued"],
                jp=stats["jp_delivered"],
                rejected=quality.get(organiser.publisher, {}).get("rejected_by_reason", {}),
            )
        )
    return rows


async def _get(http: httpx.AsyncClient, path: str, **params: str) -> Any:
    response = await http.get(path, params=params)
    if response.status_code == 404:
        raise MissingEndpoint(path)
    response.raise_for_status()
    return response.json()


class MissingEndpoint(RuntimeError):
    pass


async def wait_for_national_view(
    http: httpx.AsyncClient, timeout: float = 120.0
) -> tuple[list[SummaryRow], bool]:
    """Poll until every demo cohort is closed and decided with its certificates counted."""
    deadline = time.monotonic() + timeout
    while True:
        rows = await national_summary(http)
        if all(r.decided for r in rows) or time.monotonic() > deadline:
            return rows, all(r.decided for r in rows)
        await asyncio.sleep(0.5)


def summary_table(rows: Sequence[SummaryRow]) -> str:
    names = {o.publisher: o.name for o in ORGANISERS}
    lines = [
        f"{'penyelenggara (organiser)':<42} {'peserta':>7} {'lulus':>6} {'sertifikat':>10} "
        f"{'JP':>7}  ditolak (rejected)",
    ]
    for r in [*rows, _total(rows)]:
        rejected = ", ".join(f"{k} {v}" for k, v in sorted(r.rejected.items())) or "-"
        label = f"{r.publisher} {names.get(r.publisher, '')}".strip()
        lines.append(
            f"{label:<42} {r.enrolled:>7} {r.completed:>6} {r.certificates:>10} "
            f"{r.jp:>7g}  {rejected}"
        )
    return "\n".join(lines)


def _total(rows: Sequence[SummaryRow]) -> SummaryRow:
    total = SummaryRow("jumlah nasional (total)")
    for r in rows:
        total.enrolled += r.enrolled
        total.completed += r.completed
        total.certificates += r.certificates
        total.jp += r.jp
        for k, v in r.rejected.items():
            total.rejected[k] = total.rejected.get(k, 0) + v
    return total


async def download_certificates(target: Path, cohort_codes: Sequence[str]) -> int:
    """Each cohort's sealed certificate PDFs and their credentials (the certification service's
    ZIP) into `target`; returns how many certificates."""
    count = 0
    headers = {"Authorization": f"Bearer {NATIONAL_TOKEN}"}
    async with httpx.AsyncClient(
        base_url=local_url("certification"), headers=headers, timeout=60
    ) as http:
        for code in cohort_codes:
            response = await http.get(f"/api/v1/cohorts/{code}/certificates.zip")
            response.raise_for_status()
            folder = target / code.replace("/", "_")
            folder.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                archive.extractall(folder)
                count += sum(name.endswith(".pdf") for name in archive.namelist())
    return count


async def _run(infra: InfraSettings, target: Path) -> None:
    await set_demo_profiles(typer.echo)
    await publish_demo(infra, typer.echo)
    headers = {"Authorization": f"Bearer {NATIONAL_TOKEN}"}
    async with httpx.AsyncClient(
        base_url=local_url("consolidation"), headers=headers, timeout=30
    ) as http:
        try:
            rows, complete = await wait_for_national_view(http)
        except MissingEndpoint as missing:
            typer.echo(f"\nconsolidation API has no {missing}: national summary unavailable")
            return
    state = "lengkap (complete)" if complete else "BELUM lengkap setelah 120 s (incomplete)"
    typer.echo(f"\nTampilan nasional (national view), {state}:\n{summary_table(rows)}")
    try:
        cohorts = _cohort_codes()
        count = await download_certificates(target, cohorts)
        typer.echo(
            f"\n{count} sertifikat, PDF bersegel dan kredensial .jwt "
            f"(certificates, sealed PDF and .jwt credential): {target}"
        )
    except (httpx.HTTPError, OSError) as exc:
        typer.echo(
            f"\ncertificate PDFs not downloaded ({exc}); see {local_url('certification')}/docs"
        )


def _cohort_codes() -> list[str]:
    from shared.publishing.templates import plan_files

    codes: list[str] = []
    for o in ORGANISERS:
        plan = plan_files(o.files(), o.publisher)
        codes += [e.cohort_code for e in plan.events if type(e.data).__name__ == "CohortScheduled"]
    return codes


def run_demo(wait: bool) -> None:
    """The demo on a fresh state of its own; Ctrl-C or SIGTERM (or the end, without `wait`)
    stops, by PID, everything it started."""
    with contextlib.suppress(KeyboardInterrupt), demo_session() as session:
        target = stack_config().stack_dir / "certificates"
        shutil.rmtree(target, ignore_errors=True)  # the last run's PDFs are not this run's
        asyncio.run(_run(session.state, target.resolve()))
        typer.echo(
            f"\ndasbor nasional: {local_url('consolidation')}/dasbor  (masuk dengan / sign in "
            f"with: {NATIONAL_TOKEN})"
        )
        if wait:
            wait_for_interrupt("everything this demo started (Ctrl-C menghentikan semuanya)")
