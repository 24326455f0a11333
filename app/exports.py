"""Every spreadsheet the project hands out (CSV and XLSX) is written here, so each one is safe to open.

A spreadsheet program runs a cell that starts with `= + - @` (or a tab or carriage return that hides one) as a
formula: a reply `=HYPERLINK(...)` typed by anyone would run on the officer's machine. CSV cells are escaped by
prefixing an apostrophe (OWASP's advice); XLSX cells are written as text, which a spreadsheet never evaluates.
CSV is UTF-8 with a byte-order mark so that Excel reads Vietnamese correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: object) -> object:
    """The value as a CSV cell that no spreadsheet runs: text starting with a formula trigger gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV document (with BOM), every cell escaped."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return "\ufeff" + out.getvalue()


@dataclass(frozen=True)
class Column:
    """One XLSX column: its heading, width in characters and Excel number format (None: general/text)."""
    heading: str
    width: int = 16
    number_format: str | None = None


@dataclass(frozen=True)
class Sheet:
    """A further sheet of a workbook (`xlsx_bytes(sheets=…)`), written like the first one."""
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[object]]
    totals: Sequence[object] | None = None


def xlsx_bytes(sheet_title: str, columns: Sequence[Column], rows: Iterable[Sequence[object]], *,
               totals: Sequence[object] | None = None,
               about: Sequence[tuple[str, object, str | None]] = (), sheets: Sequence[Sheet] = ()) -> bytes:
    """A workbook with one sheet: bold frozen header, set widths, strings stored as text (never formulas).

    `totals` is an optional last row; an item of the form ("=SUM", column_index) becomes a SUM formula over that
    column's data cells, and ("=PCT", numerator_index, denominator_index) the percentage of two cells of the totals
    row (blank when the denominator is 0): the only formulas a workbook of ours ever contains are the ones written
    here. `sheets` adds further tables (e.g. a report's other sections), each on its own sheet after the first.
    `about` adds a last sheet "Thông tin" of (label, value, number format) lines (a period, a note).
    """
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    _fill(sheet, columns, rows, totals)
    for extra in sheets:
        _fill(book.create_sheet(extra.title[:31]), extra.columns, extra.rows, extra.totals)
    if about:
        info = book.create_sheet("Thông tin")
        info.column_dimensions["A"].width = 28
        info.column_dimensions["B"].width = 100
        for label, value, fmt in about:
            info.append([label, _plain(value)])
            cell = info.cell(row=info.max_row, column=2)
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING
            if fmt:
                cell.number_format = fmt
            info.cell(row=info.max_row, column=1).font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet, columns: Sequence[Column], rows: Iterable[Sequence[object]],
          totals: Sequence[object] | None) -> None:
    sheet.append([c.heading for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    count = 0
    for row in rows:
        count += 1
        sheet.append([_plain(v) for v in row])
        for index, cell in enumerate(sheet[sheet.max_row], start=1):
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING  # text, even when it starts with '='
            fmt = columns[index - 1].number_format if index <= len(columns) else None
            if fmt and not isinstance(cell.value, str):
                cell.number_format = fmt
    if totals is not None:
        values = []
        total_row = count + 2
        for item in totals:
            if isinstance(item, tuple) and item and item[0] == "=SUM":
                letter = get_column_letter(item[1] + 1)
                values.append(f"=SUM({letter}2:{letter}{count + 1})" if count else 0)
            elif isinstance(item, tuple) and item and item[0] == "=PCT":
                num, den = (f"{get_column_letter(i + 1)}{total_row}" for i in item[1:3])
                values.append(f'=IF({den}=0,"",ROUND(100*{num}/{den},1))')
            else:
                values.append(_plain(item))
        sheet.append(values)
        for index, cell in enumerate(sheet[sheet.max_row], start=1):
            cell.font = Font(bold=True)
            fmt = columns[index - 1].number_format if index <= len(columns) else None
            if fmt:
                cell.number_format = fmt


def _plain(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones: callers pass local time
    if isinstance(value, (str, int, float, date, datetime)):
        return value
    return str(value)


def attachment_disposition(filename: str) -> str:
    """Content-Disposition for a download whose name may hold Vietnamese letters (RFC 6266 / 5987)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
