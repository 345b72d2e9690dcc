"""Data quality (`/dasbor/kualitas-data`): each publisher's outcomes, the worst first; the
rejections' reasons explained (`shared.reasons`) with who must fix them; the outcomes per week
(per month over a longer span) as a chart and a table."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.consolidation.entrypoints.dashboard import words
from services.consolidation.entrypoints.dashboard.data import Reader
from services.consolidation.entrypoints.dashboard.listing import Text, downloads, kept
from services.consolidation.entrypoints.dashboard.pages import pages
from services.consolidation.entrypoints.routes.registry import Period
from services.consolidation.entrypoints.schemas import QualityPeriodRow, QualityRow
from shared.formatting import Language, date, share
from shared.reasons import BPSDM, DEFAULT_MESSAGES, FIXED_BY, ReasonCode
from shared.web.signin import page_principal
from shared.web.templating import language_of

router = APIRouter(include_in_schema=False)
HOME = "/dasbor/kualitas-data"
MOST_WEEKS = 26  # beyond this many weeks the chart counts months
OUTCOMES = ("applied", "duplicate", "parked", "rejected")


@dataclass(frozen=True)
class Reason:
    """One rejection reason over the publishers shown: what it means, who acts, how often."""

    code: str
    count: int
    meaning: words.Words
    fixer: words.Words
    action: words.Words
    publishers: list[str]


@dataclass(frozen=True)
class Span:
    start: dt.date  # the period's first day
    counts: dict[str, int]


def worst_first(rows: list[QualityRow]) -> list[QualityRow]:
    """Most rejections first, then the larger share of rejections, then by publisher."""
    return sorted(
        rows, key=lambda r: (-r.rejected, -(share(r.rejected, total(r)) or 0), r.publisher)
    )


def total(row: QualityRow | QualityPeriodRow) -> int:
    return row.applied + row.duplicate + row.parked + row.rejected


def reasons(rows: list[QualityRow]) -> list[Reason]:
    """Every rejection reason of `rows`, the most frequent first."""
    counts: Counter[str] = Counter()
    by_reason: dict[str, Counter[str]] = {}
    for row in rows:
        for code, n in row.rejected_by_reason.items():
            counts[code] += n
            by_reason.setdefault(code, Counter())[row.publisher] += n
    return [
        _reason(code, n, [p for p, _ in by_reason[code].most_common()])
        for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def _reason(code: str, count: int, publishers: list[str]) -> Reason:
    known = ReasonCode(code) if code in ReasonCode.__members__ else None
    if known is None:
        unknown = (f"alasan {code or 'tanpa kode'}", f"reason {code or 'without a code'}")
        return Reason(code, count, unknown, _BY_PUBLISHER, unknown, publishers)
    who, action_id, action_en = FIXED_BY[known]
    fixer = ("BPSDM", "BPSDM") if who == BPSDM else _BY_PUBLISHER
    return Reason(code, count, DEFAULT_MESSAGES[known], fixer, (action_id, action_en), publishers)


_BY_PUBLISHER = ("Penyelenggara", "The publisher")


def periods(rows: list[QualityPeriodRow]) -> list[Span]:
    """The publishers' outcomes added up per period, oldest first."""
    summed: dict[dt.date, Counter[str]] = {}
    for row in rows:
        counts = summed.setdefault(row.period, Counter())
        for outcome in OUTCOMES:
            counts[outcome] += getattr(row, outcome)
    return [Span(start, {o: c[o] for o in OUTCOMES}) for start, c in sorted(summed.items())]


def chart_data(shown: list[Span], language: Language) -> str:
    """The chart's periods as JSON that cannot end its <script> element."""
    labelled = [{"label": date(p.start, language), **p.counts} for p in shown]
    text = json.dumps(labelled, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@router.get(HOME)
async def quality_page(request: Request, publisher: Text = None) -> Response:
    principal = page_principal(request)
    who = publisher or None
    reader = Reader(request, principal)
    rows = worst_first(await reader.data_quality(who))
    period: Period = "week"
    by_time = await reader.quality_periods(who, period)
    if len({r.period for r in by_time}) > MOST_WEEKS:
        period = "month"
        by_time = await reader.quality_periods(who, period)
    shown = periods(by_time)
    explained = reasons(rows)
    filters = kept({"publisher": who})
    return pages().render(
        request,
        "kualitas-data.html",
        {
            "rows": rows,
            "total": total,
            "share": share,
            "reasons": explained,
            "meaning": {r.code: r.meaning for r in explained},
            "periods": shown,
            "period": period,
            "chart": chart_data(shown, language_of(request)),
            "publisher": who or "",
            "downloads": downloads("/api/v1/data-quality", filters),
            "period_downloads": downloads(
                "/api/v1/data-quality/periods", {**filters, "period": period}
            ),
            "words": words,
        },
    )
