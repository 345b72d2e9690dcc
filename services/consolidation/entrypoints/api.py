"""HTTP API of the national view (/api/v1, paginated, CSV/XLSX) and the dashboard's pages
(`dashboard/`).

Authorisation: a national credential sees everything; a publisher's credential sees its own
cohorts and the ASN whose home region it covers (`domain.Scope`). Asking explicitly for another
publisher, province or region is 403; unfiltered lists are narrowed to what the caller may see.
Each README filter is taken by a view or refused with 422 (`filters.filters_of`).

The routes live in `routes/`, one module per group of views; the order below is the order
FastAPI matches paths in (`/asn/below-minimum` before `/asn/{nip}`) and the OpenAPI order.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.consolidation.entrypoints.dashboard import cohorts as cohort_pages
from services.consolidation.entrypoints.dashboard import pages, quality, risk, upload_pages
from services.consolidation.entrypoints.dashboard import registry as registry_pages
from services.consolidation.entrypoints.routes import (
    asn,
    cohorts,
    compliance,
    exports,
    overview,
    registry,
)

router = APIRouter()
for group in (overview, compliance, cohorts, asn, registry, exports):
    router.include_router(group.router)
router.include_router(pages.router)
router.include_router(cohort_pages.router)
router.include_router(registry_pages.router)
router.include_router(quality.router)
router.include_router(risk.router)
router.include_router(upload_pages.router)
