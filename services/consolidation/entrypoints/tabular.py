"""CSV and XLSX renderings of a view's rows (only the columns the view names); cells go
through `shared.tabular`, so no text a publisher sent is evaluated as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from fastapi import Depends, Response
from openpyxl import Workbook
from pydantic import BaseModel

from shared.tabular import csv_row, xlsx_row

Format = Literal["json", "csv", "xlsx"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _format(format: Format = "json") -> Format:
    return format


# A dependency rather than a plain parameter so that, declared after `AllFilters` and
# `PageOf`, it keeps its place last in the OpenAPI document (a route's own parameters come
# before its dependencies' there).
FormatOf = Annotated[Format, Depends(_format)]


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


def render(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], fmt: Format, name: str
) -> Response:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows([csv_row(_cell(row.get(c)) for c in columns) for row in rows])
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    book = Workbook(write_only=True)
    sheet = book.create_sheet(name[:31])
    sheet.append(list(columns))
    for row in rows:
        sheet.append(xlsx_row(sheet, (_cell(row.get(c)) for c in columns)))
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


def table(items: Sequence[BaseModel], model: type[BaseModel], fmt: Format, name: str) -> Response:
    """`render` of a view's rows, one column per field of the rows' schema."""
    return render([i.model_dump() for i in items], list(model.model_fields), fmt, name)
