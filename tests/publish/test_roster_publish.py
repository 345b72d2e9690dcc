"""`diklat publish` with a roster on the real broker and Postgres: the SIASN export template is
sent keyed by NIP and applied by the enrolment gate. Rows for another region, forced past the
precheck, are the gate's call, which alone knows where each ASN belongs now: a transfer of one
of Tuban's own ASN is applied, a stranger's row comes back NOT_OWNER."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from diklat.publish import publish_files
from services.enrolment.entrypoints.app import DEFINITION as ENROLMENT
from shared.publishing.sheets import read_csv, write_csv
from tests.support import prepare_topics, running

pytestmark = pytest.mark.e2e
TUBAN = "35.23"
STRANGER = "198607142011012004"
EXPORT = Path(__file__).resolve().parents[2] / "templates" / "daftar-asn" / "ekspor-siasn.csv"


async def test_a_siasn_export_is_applied_and_a_forced_transfer_is_the_gates_call(
    infra, tmp_path: Path
) -> None:
    await prepare_topics(infra, [TUBAN])
    lines: list[str] = []
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(running(ENROLMENT, infra))
        code, report = await publish_files(
            [EXPORT], TUBAN, infra, lines.append, timeout=60, progress=False
        )
        assert code == 0 and report is not None
        assert report.counts() == {"applied": 3}

        # Two rows for Kabupaten Lamongan: one of Tuban's own ASN (a transfer out, which the
        # gate accepts) and one nobody has recorded yet (not Tuban's to record).
        rows = [list(r) for r in read_csv(EXPORT).rows][:2]
        rows[0].append("KODE DAERAH")
        rows[1].append("35.24")
        rows.append([STRANGER, "Siti", "Wanita", *rows[1][3:]])
        write_csv(tmp_path / "pindah.csv", rows)
        code, _ = await publish_files(
            [tmp_path / "pindah.csv"], TUBAN, infra, lines.append, timeout=60, progress=False
        )
        assert code == 1  # refused before sending without --force
        code, report = await publish_files(
            [tmp_path / "pindah.csv"],
            TUBAN,
            infra,
            lines.append,
            force=True,
            timeout=60,
            progress=False,
        )
        assert code == 2 and report is not None
        assert report.counts() == {"applied": 1, "rejected NOT_OWNER": 1}
    assert any("gerbang ingest" in line for line in lines)
