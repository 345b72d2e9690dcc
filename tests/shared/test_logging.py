"""Personal data never reaches a log line in clear."""

from __future__ import annotations

import json
import logging

import pytest
import structlog

from shared.logging import configure_logging, mask_nip

NIP = "198609262015051001"


@pytest.fixture(autouse=True)
def _restore_logging():
    yield
    structlog.reset_defaults()
    logging.basicConfig(force=True)


def test_mask_nip_keeps_only_the_ends():
    assert mask_nip(f"nip={NIP}") == "nip=1986**********1001"
    assert mask_nip("12345") == "12345"


def test_structlog_lines_mask_nips_and_drop_names(capsys):
    configure_logging("test")
    structlog.get_logger("t").info(
        "enrolled", nip=NIP, name="Hj. Tarbiyah, S.Pd", detail=f"peserta {NIP}"
    )
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert NIP not in json.dumps(line)
    assert line["name"] == "[redacted]"
    assert line["service"] == "test"


def test_library_logs_through_stdlib_are_masked_too(capsys):
    configure_logging("test")
    logging.getLogger("aiokafka.consumer").warning("bad record for %s", NIP)
    out = capsys.readouterr().out
    assert NIP not in out
    assert "bad record for 1986**********1001" in out  # logged, and masked, not dropped
