"""The upload page's tests: all four services running (the outcomes and a close's results come
from them), consolidation with the dashboard's test credentials, and the template files as an
organiser would upload them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from services.attendance.entrypoints.app import DEFINITION as ATTENDANCE
from services.certification.entrypoints.app import DEFINITION as CERTIFICATION
from services.consolidation.entrypoints.app import DEFINITION as CONSOLIDATION
from services.enrolment.entrypoints.app import DEFINITION as ENROLMENT
from shared.runtime import ServiceRuntime
from shared.settings import InfraSettings
from shared.web.session import COOKIE
from tests.consolidation.helpers import TOKENS, client
from tests.support import prepare_topics, running, wait_until_assigned

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SHEETS = ("kelas.csv", "peserta.csv", "presensi.csv", "evaluasi.csv")
CODE = "35.23/BIMTEK-SIASN/2024/I"
# The template's second participant; cut to 17 digits it is the precheck's classic mistake.
NIP = "196711041990072215"
SHORT_NIP_MESSAGE = (
    "NIP harus 18 digit, diterima 17 digit, mis. 198503122010011003 (a NIP must have 18 "
    "digits, this one has 17, e.g. 198503122010011003)"
)


def template_files() -> list[tuple[str, bytes]]:
    return [(name, (TEMPLATES / name).read_bytes()) for name in SHEETS]


def with_short_nip(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files with the peserta sheet's row 3 NIP one digit short."""
    return [
        (name, data.replace(NIP.encode(), NIP[:-1].encode()) if name == "peserta.csv" else data)
        for name, data in files
    ]


@contextlib.asynccontextmanager
async def all_services(
    infra: InfraSettings, attendance_park_timeout_s: float = 300
) -> AsyncIterator[ServiceRuntime]:
    """Enrolment, attendance, certification and consolidation; yields consolidation."""
    await prepare_topics(infra, ["35.23", "15"])
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(running(ENROLMENT, infra))
        await stack.enter_async_context(
            running(ATTENDANCE, infra, park_timeout_s=attendance_park_timeout_s)
        )
        await stack.enter_async_context(running(CERTIFICATION, infra, api_tokens="nat=national"))
        consolidation = await stack.enter_async_context(
            running(CONSOLIDATION, infra, api_tokens=TOKENS)
        )
        await wait_until_assigned(consolidation)
        yield consolidation


async def signed_in(runtime: ServiceRuntime, token: str) -> httpx.AsyncClient:
    http = client(runtime)
    response = await http.post("/masuk", data={"kredensial": token, "kembali": "/dasbor"})
    assert response.status_code == 303, response.text
    assert COOKIE in http.cookies
    return http
