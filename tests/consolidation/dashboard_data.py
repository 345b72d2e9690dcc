"""A roster under the scenario for the dashboard's tests (issue 21): the scenario's five people
and twenty more ASN in five kabupaten/kota, two in three of them trained (24 JP, some 12), so
that the overview has met, below, zero and not-in-roster figures and a ranking worth drawing."""

from __future__ import annotations

from services.consolidation.adapters.compliance import open_years, redetermine
from shared.runtime import ServiceRuntime
from tests.consolidation import scenario
from tests.consolidation.compliance_facts import record, roster_row, train

AGENCIES = {
    "15.71": "Pemerintah Kota Jambi",
    "15.01": "Pemerintah Kabupaten Kerinci",
    "35.23": "Pemerintah Kabupaten Tuban",
    "35.78": "Pemerintah Kota Surabaya",
    "31.71": "Pemerintah Kota Jakarta Pusat",
}
PER_REGION = 4


def nip_of(index: int) -> str:
    """A valid NIP: born 1985, appointed January 2010, woman or man by turns."""
    return f"1985{1 + index % 12:02d}{10 + index % 18:02d}201001{1 + index % 2}{index + 500:03d}"


async def seed_roster(runtime: ServiceRuntime) -> list[str]:
    """The roster rows and the extra trainings; every ASN's 2024 determined. The NIPs."""
    nips: list[str] = []
    async with runtime.pool.acquire() as conn, conn.transaction():
        await open_years(conn, [2024])
        for key, (nip, name, _, region) in scenario.PEOPLE.items():
            if key == "C":
                continue  # trained, and in no roster: a not-in-roster finding
            row = roster_row(nip, name, region=region, agency=AGENCIES[region])
            await record(conn, f"dash-{key}", row, region)
            nips.append(nip)
        for index in range(PER_REGION * len(AGENCIES)):
            region = list(AGENCIES)[index // PER_REGION]
            nip = nip_of(index)
            row = roster_row(nip, f"ASN Contoh {index + 1}", region=region, agency=AGENCIES[region])
            await record(conn, f"dash-{index}", row, region)
            if index % 3 != 0:
                await train(conn, nip, region, completed=True)
            if index % 4 == 1:  # a shorter course: credited, yet below the minimum
                await conn.execute(
                    "UPDATE cohorts SET total_jp = 12 WHERE cohort_code = $1",
                    f"35.23/TEKNIS/2024/{nip[-3:]}",
                )
            nips.append(nip)
        await redetermine(conn, [*nips, scenario.NIP["C"]])
    return nips
