"""The roster on the real broker and Postgres: rows published by Kabupaten Tuban go through the
enrolment gate (bad ones answered with their reason code, changing nothing) to the national
view, where the ASN who trained zero hours is in the at-risk list, and a transfer is accepted
only from the ASN's own region."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import httpx
import pytest

from services.consolidation.entrypoints.app import DEFINITION as CONSOLIDATION
from services.enrolment.entrypoints.app import DEFINITION as ENROLMENT
from shared.client import PublisherClient
from shared.events import ingest
from tests.support import Feedback, Publisher, eventually, prepare_topics, running

pytestmark = pytest.mark.e2e
TUBAN, JAMBI = "35.23", "15"
TOKENS = "nat=national,tuban=publisher:35.23,jambi=publisher:15"
BUDI = "198609262015051001"
SITI = "198703152010012002"
YEAR = dt.datetime.now(dt.UTC).year


def row(nip: str, name: str, **changes: Any) -> ingest.AsnRecorded:
    fields: dict[str, Any] = {
        "nip": nip,
        "name": name,
        "asn_type": "PNS",
        "gender": "P" if nip[14] == "2" else "L",
        "agency": "Pemerintah Kabupaten Tuban",
        "unit": "Sekretariat Daerah",
        "region": TUBAN,
        "status_since": dt.date(2015, 5, 1),
    }
    return ingest.AsnRecorded.model_validate({**fields, **changes})


def raw(nip: str, **changes: Any) -> dict[str, Any]:
    """A roster row's CloudEvent as a careless upload sends it: not checked before sending."""
    data = {**row(nip, "Baris Rusak").model_dump(mode="json"), **changes}
    return {
        "specversion": "1.0",
        "id": f"bad-{nip}",
        "source": f"/publishers/{TUBAN}",
        "type": ingest.ASN_RECORDED,
        "time": "2026-01-05T09:00:00+07:00",
        "data": data,
    }


async def test_the_roster_reaches_the_at_risk_list_and_bad_rows_change_nothing(infra):
    await prepare_topics(infra, [TUBAN, JAMBI])
    async with contextlib.AsyncExitStack() as stack:
        for definition in (ENROLMENT, CONSOLIDATION):
            runtime = await stack.enter_async_context(running(definition, infra, api_tokens=TOKENS))
        http = await stack.enter_async_context(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=runtime.http_app()), base_url="http://t"
            )
        )
        tuban_feedback = await stack.enter_async_context(Feedback(infra, TUBAN))
        jambi_feedback = await stack.enter_async_context(Feedback(infra, JAMBI))
        tuban = await stack.enter_async_context(PublisherClient(TUBAN, infra))
        careless = await stack.enter_async_context(Publisher(infra))
        jambi = await stack.enter_async_context(PublisherClient(JAMBI, infra))

        good = await tuban.publish(row(BUDI, "Budi Santoso"), row(SITI, "Siti Aminah"))
        bad = {
            "INVALID_NIP": raw("198613262015051001"),  # month 13
            "NOT_OWNER": raw("199001012019031001", region=JAMBI),
            "SCHEMA_INVALID region": raw("199001012019031002", region="35.00"),
            "SCHEMA_INVALID status": raw("199001012019031003", status="cuti"),
        }
        await careless.send(TUBAN, *bad.values())
        bad_ids = [event["id"] for event in bad.values()]
        outcomes = await tuban_feedback.wait_for_outcomes(good + bad_ids, timeout=60)
        assert [outcomes[i]["outcome"] for i in good] == ["applied", "applied"]
        told = [(outcomes[i]["outcome"], outcomes[i]["reason"]) for i in bad_ids]
        assert told == [
            ("rejected", "INVALID_NIP"),
            ("rejected", "NOT_OWNER"),
            ("rejected", "SCHEMA_INVALID"),
            ("rejected", "SCHEMA_INVALID"),
        ]
        not_owner = outcomes[bad_ids[1]]["message_id"]
        assert "hanya dapat mencatat ASN daerahnya sendiri" in not_owner
        assert "region" in outcomes[bad_ids[2]]["message_en"]

        # Jambi cannot take Budi; Tuban can send Siti to Jambi.
        [taken] = await jambi.publish(row(BUDI, "Budi Santoso", region=JAMBI))
        [moved] = await tuban.publish(row(SITI, "Siti Aminah", region=JAMBI, agency="Pemprov"))
        refused = (await jambi_feedback.wait_for_outcomes([taken], timeout=60))[taken]
        assert (refused["outcome"], refused["reason"]) == ("rejected", "NOT_OWNER")
        assert "pindah daerah hanya dapat dicatat oleh penerbit 35.23" in refused["message_id"]
        transfer = (await tuban_feedback.wait_for_outcomes([moved], timeout=60))[moved]
        assert transfer["outcome"] == "applied"

        async def at_risk(token: str, nip: str) -> dict[str, Any] | None:
            """The list once it holds `nip` (the transfer may still be on its way)."""
            response = await http.get(
                f"/api/v1/compliance/at-risk?year={YEAR}",
                headers={"Authorization": f"Bearer {token}"},
            )
            page = response.json()
            found = response.status_code == 200 and nip in {r["nip"] for r in page["items"]}
            return page if found else None

        jambi_list = await eventually(lambda: at_risk("jambi", SITI), 30, "Siti moved to Jambi")
        assert [r["nip"] for r in jambi_list["items"]] == [SITI]
        tuban_list = await at_risk("tuban", BUDI)
        assert tuban_list is not None
        assert [(r["nip"], r["standing"], r["shortfall"]) for r in tuban_list["items"]] == [
            (BUDI, "ZERO", 20.0)
        ]

        siti = (
            await http.get(
                f"/api/v1/compliance/asn/{SITI}?year={YEAR}",
                headers={"Authorization": "Bearer nat"},
            )
        ).json()
        assert [(h["change"], h["region"]) for h in siti["roster_history"]] == [
            ("new", TUBAN),
            ("transfer", JAMBI),
        ]
        national = (
            await http.get(
                f"/api/v1/compliance?year={YEAR}", headers={"Authorization": "Bearer nat"}
            )
        ).json()
        assert (national["totals"]["roster"], national["totals"]["zero"]) == (2, 2)
