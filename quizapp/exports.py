"""Tables as files a teacher opens in a spreadsheet: CSV (UTF-8 with a BOM, which Excel needs
to read Cyrillic and Chinese) and XLSX (openpyxl).  No Flask."""
from __future__ import annotations

import csv
import io
from typing import Any, Mapping, Sequence

from openpyxl import Workbook

# A cell starting with one of these is a formula to a spreadsheet: quoted, so a username like
# "=HYPERLINK(...)" stays text (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if value is None else _safe(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "report",
            formats: Mapping[int, str] | None = None) -> bytes:
    """``formats``: a number format by column index ("0%" shows a fraction as a percent, the
    value stays a number a teacher can average)."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for row in rows:
        sheet.append([_safe(value) for value in row])
    for column, number_format in (formats or {}).items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
            cell.number_format = number_format
    sheet.freeze_panes = "B2"  # the names and the header stay in sight while scrolling
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = ["to_csv", "to_xlsx"]
