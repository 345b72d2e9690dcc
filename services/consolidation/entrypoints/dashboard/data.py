"""The dashboard's figures, read through the API's own view functions (the same queries,
scope checks and rounding), so a page and the API can never disagree."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

from fastapi import HTTPException, Request

from services.consolidation.adapters.compliance_views import Sort
from services.consolidation.entrypoints.filters import Given, Paging
from services.consolidation.entrypoints.routes import asn as asn_views
from services.consolidation.entrypoints.routes import cohorts as cohort_views
from services.consolidation.entrypoints.routes import compliance as compliance_views
from services.consolidation.entrypoints.routes import overview as overview_views
from services.consolidation.entrypoints.routes import registry as registry_views
from services.consolidation.entrypoints.routes.registry import Period
from services.consolidation.entrypoints.schemas import (
    AsnView,
    AtRiskRow,
    CertificateRow,
    CohortRow,
    ComplianceSummary,
    DeterminationView,
    Page,
    ParticipantRow,
    QualityPeriodRow,
    QualityRow,
    Statistics,
    TrendRow,
)
from shared.auth import Principal
from shared.regions import is_province
from shared.web.signin import PageRefused

T = TypeVar("T")


def api_request(request: Request) -> Request:
    """The page's request without its query string: each view is given its filters as
    arguments, and must not take the page's own parameters for filters it refuses."""
    return Request({**request.scope, "query_string": b""}, request.receive)


def refused_page(refusal: HTTPException) -> PageRefused:
    """The API's refusal (`"<Indonesian> / <English>"`) as the readable page's two lines:
    403 outside the credential's area, 404 for a code that names no place."""
    message_id, _, message_en = str(refusal.detail).partition(" / ")
    status = 403 if refusal.status_code == 403 else 404
    return PageRefused(status, message_id, message_en or message_id)


class Reader:
    """The signed-in principal's view functions on one page request."""

    def __init__(self, request: Request, principal: Principal) -> None:
        self.request = api_request(request)
        self.principal = principal

    async def statistics(
        self, year: int, province: str | None = None, region: str | None = None
    ) -> Statistics:
        """The training figures: a province's own cohorts, or those of a region's ASN."""
        given = Given(str(year), None, province, region, None)
        found: Statistics = await self._answer(
            overview_views.statistics(self.request, self.principal, given, "json")
        )
        return found

    async def compliance(
        self, year: int, province: str | None = None, region: str | None = None
    ) -> ComplianceSummary:
        found: ComplianceSummary = await self._answer(
            compliance_views.compliance(
                self.request, self.principal, year, "json", province=province, region=region
            )
        )
        return found

    async def trend(self, province: str | None = None, region: str | None = None) -> list[TrendRow]:
        found: list[TrendRow] = await self._answer(
            compliance_views.trend(
                self.request, self.principal, "json", province=province, region=region
            )
        )
        return found

    async def data_quality(self, publisher: str | None = None) -> list[QualityRow]:
        found: list[QualityRow] = await self._answer(
            registry_views.data_quality(self.request, self.principal, "json", publisher=publisher)
        )
        return found

    # cohorts, registry, quality (issue 21's second part)

    async def cohorts(
        self, year: int | None, publisher: str | None, offset: int, limit: int
    ) -> Page[CohortRow]:
        given = Given(_text(year), publisher, None, None, None)
        found: Page[CohortRow] = await self._answer(
            cohort_views.cohorts(self.request, self.principal, given, Paging(limit, offset), "json")
        )
        return found

    async def cohort(self, code: str) -> CohortRow:
        found: CohortRow = await self._found(
            cohort_views.cohort(self.request, self.principal, code)
        )
        return found

    async def participants(self, code: str, offset: int, limit: int) -> Page[ParticipantRow]:
        found: Page[ParticipantRow] = await self._found(
            cohort_views.participants(
                self.request, self.principal, code, Paging(limit, offset), "json"
            )
        )
        return found

    async def certificates(self, search: Search, offset: int, limit: int) -> Page[CertificateRow]:
        given = Given(_text(search.year), search.publisher, None, None, None)
        found: Page[CertificateRow] = await self._answer(
            registry_views.certificates(
                self.request,
                self.principal,
                given,
                Paging(limit, offset),
                "json",
                number=search.number,
                nip=search.nip,
                name=search.name,
            )
        )
        return found

    async def quality_periods(
        self, publisher: str | None, period: Period = "week"
    ) -> list[QualityPeriodRow]:
        found: list[QualityPeriodRow] = await self._answer(
            registry_views.data_quality_periods(
                self.request, self.principal, "json", publisher=publisher, period=period
            )
        )
        return found

    async def _found(self, view: Awaitable[T]) -> T:
        """`_answer`, and a cohort that does not exist as the readable 404 page."""
        try:
            return await self._answer(view)
        except HTTPException as missing:
            if missing.status_code == 404:
                raise refused_page(missing) from missing
            raise

    @staticmethod
    async def _answer(view: Awaitable[T]) -> T:
        """The view's answer; its refusal (403 outside the area, 422 a code that is none) as
        the readable page."""
        try:
            return await view
        except HTTPException as refusal:
            if refusal.status_code in (403, 422):
                raise refused_page(refusal) from refusal
            raise

    # --- the at-risk list, one agency, one ASN (dashboard drill-down part 1) ---

    async def at_risk(
        self,
        year: int,
        where: tuple[str | None, str | None, str | None],
        sort: Sort,
        paging: Paging,
    ) -> Page[AtRiskRow]:
        """One page of the below-minimum and zero-JP ASN at (province, region, agency)."""
        province, region, agency = where
        view = compliance_views.at_risk(
            self.request, self.principal, year, paging, "json",
            province=province, region=region, agency=agency, sort=sort,
        )  # fmt: skip
        found: Page[AtRiskRow] = await self._answer(view)
        return found

    async def agency(self, year: int, region: str, agency: str) -> ComplianceSummary:
        """One agency's totals and its units."""
        found: ComplianceSummary = await self._answer(
            compliance_views.compliance(
                self.request, self.principal, year, "json", region=region, agency=agency
            )
        )
        return found

    async def determination(self, nip: str, year: int) -> DeterminationView:
        """One ASN's standing in `year` with its provenance; an unknown NIP is the 404 page."""
        found: DeterminationView = await self._answer(
            _unknown_is_a_page(
                compliance_views.determination(self.request, self.principal, nip, year)
            )
        )
        return found

    async def asn_history(self, nip: str) -> AsnView | None:
        """Every training of an ASN the projection knows; None for one never enrolled, or
        whose enrolments claimed a home outside the credential's area (the roster decides
        whose ASN a person is: the page itself is the determination's)."""
        try:
            found: AsnView = await self._answer(
                asn_views.asn(self.request, self.principal, nip, "json")
            )
        except HTTPException as missing:
            if missing.status_code == 404:
                return None
            raise
        except PageRefused as refused:
            if refused.status_code == 403:
                return None
            raise
        return found

    async def certificates_of(self, nip: str) -> list[CertificateRow]:
        """Every certificate of one ASN (valid, revoked or superseded), at most a hundred."""
        given = Given(None, None, None, None, None)
        found: Page[CertificateRow] = await self._answer(
            registry_views.certificates(
                self.request, self.principal, given, Paging(100, 0), "json", nip=nip
            )
        )
        return found.items


def home_position(principal: Principal) -> tuple[str | None, str | None]:
    """(province, region) a credential's overview starts from: the nation, its province, or
    its kabupaten/kota (a national organiser's credential sees every region)."""
    if principal.is_national or principal.publisher in (None, "nasional"):
        return None, None
    home = principal.publisher
    assert home is not None
    return (home, None) if is_province(home) else (None, home)


@dataclass(frozen=True)
class Search:
    """The registry's search as the API takes it: at most one of number, NIP and name."""

    number: str | None = None
    nip: str | None = None
    name: str | None = None
    publisher: str | None = None
    year: int | None = None


def _text(year: int | None) -> str | None:
    return None if year is None else str(year)


async def _unknown_is_a_page(view: Awaitable[T]) -> T:
    """A view's 404 (a NIP no roster or enrolment knows) as the readable 404 page."""
    try:
        return await view
    except HTTPException as refusal:
        if refusal.status_code == 404:
            raise PageRefused(404, "ASN tidak dikenal.", "Unknown ASN.") from refusal
        raise
