"""Exports for other systems: the SIASN "riwayat kursus" upload of one BKD's region."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.consolidation import domain
from services.consolidation.adapters import views
from services.consolidation.entrypoints.filters import Year, filters_of, refused
from services.consolidation.entrypoints.tabular import Format, render
from shared.auth import CurrentPrincipal
from shared.runtime import runtime_of

router = APIRouter()


@router.get(
    "/api/v1/exports/siasn", tags=["exports"], responses={200: {"content": {"text/csv": {}}}}
)
async def siasn_export(
    request: Request,
    principal: CurrentPrincipal,
    region: str | None = None,
    year: Year = None,
    format: Format = "csv",
) -> Response:
    """Completed trainings of the ASN of one BKD's region, in SIASN "riwayat kursus" shape
    (one row per training, NIP as the key; dates dd-mm-yyyy as SIASN takes them)."""
    f = filters_of(request, principal, asn_view=True, year=year, region=region)
    if f.region is None:
        raise refused(
            "region wajib diisi, mis. ?region=35.23", "region is required, e.g. ?region=35.23"
        )
    async with views.reading(runtime_of(request).pool) as conn:
        nips = await views.nips_of_region(conn, f.region)
        rows = await views.trainings(conn, nips, f.year, completed_only=True)
    return render(
        [domain.siasn_riwayat_kursus(r) for r in rows],
        domain.SIASN_COLUMNS,
        "xlsx" if format == "xlsx" else "csv",
        f"siasn-riwayat-kursus-{f.region}",
    )
