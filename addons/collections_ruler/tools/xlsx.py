"""Real spreadsheets of the collection reports, written with xlsxwriter.

A workbook has a title and a filter block on every sheet, then one table per sheet:
a bold header frozen under the filters, an autofilter, Brazilian date and currency
formats (``[$R$-416]`` is Excel's pt-BR currency code, so a Brazilian Excel shows
R$ 1.234,56), percentages as numbers formatted ``0.0%``, a totals row with real SUM
formulas (and their values cached, so readers without a calculation engine see them)
and column widths fitted to the content.
"""

import datetime
import io
import re
from dataclasses import dataclass, field

import xlsxwriter

KINDS = ("text", "date", "money", "integer", "number", "percent")
FORMATS = {
    "date": "dd/mm/yyyy",
    "money": "[$R$-416] #,##0.00;[Red]-[$R$-416] #,##0.00",
    "integer": "#,##0",
    "number": "#,##0.00",
    "percent": "0.0%",
}
MAX_WIDTH = 60
SHEET_NAME_JUNK = re.compile(r"[\[\]:*?/\\]")


class SpreadsheetError(ValueError):
    """A sheet that cannot be written (unknown column kind, row of the wrong length)."""


@dataclass(frozen=True)
class Column:
    """A column: its header, its kind (see KINDS) and how its total is made.

    ``total``: ``"sum"`` writes a SUM formula, ``"value"`` writes the sheet's ``totals`` entry
    (a rate is not the sum of rates), None leaves the cell empty.
    """

    label: str
    kind: str = "text"
    total: str | None = None
    width: int | None = None


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple
    rows: list
    totals: dict = field(default_factory=dict)
    total_label: str = "Total"


def _text_width(value, kind):
    if value is None or value == "":
        return 0
    if kind == "date":
        return 10
    if kind in ("money", "number"):
        return len(f"{value:,.2f}") + (4 if kind == "money" else 0)
    if kind == "percent":
        return 7
    if kind == "integer":
        return len(f"{value:,}")
    return max(len(line) for line in str(value).splitlines() or [""])


def sheet_name(name, taken):
    """Excel's rules: 31 characters, none of []:*?/\\, unique in the workbook."""
    base = SHEET_NAME_JUNK.sub(" ", name).strip()[:31] or "Sheet"
    candidate, number = base, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(candidate.lower())
    return candidate


def build_workbook(title, filters, sheets, generated_at=None) -> bytes:
    """The .xlsx file's bytes. ``filters``: (label, value) pairs shown under the title of each sheet."""
    for sheet in sheets:
        for column in sheet.columns:
            if column.kind not in KINDS:
                raise SpreadsheetError(f"Unknown column kind {column.kind!r} in {sheet.name!r}.")
        for row in sheet.rows:
            if len(row) != len(sheet.columns):
                raise SpreadsheetError(
                    f"A row of {sheet.name!r} has {len(row)} cells for {len(sheet.columns)} columns."
                )
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "remove_timezone": True})
    book.set_properties({"title": title, "created": generated_at or datetime.datetime.now()})
    title_format = book.add_format({"bold": True, "font_size": 14})
    label_format = book.add_format({"bold": True, "font_color": "#555555"})
    header_format = book.add_format(
        {"bold": True, "bg_color": "#DDE4EE", "bottom": 1, "text_wrap": True, "valign": "top"}
    )
    cell_formats = {kind: book.add_format({"num_format": code}) for kind, code in FORMATS.items()}
    cell_formats["text"] = book.add_format({})
    total_formats = {
        kind: book.add_format({"bold": True, "top": 1, **({"num_format": code} if code else {})})
        for kind, code in {**FORMATS, "text": None}.items()
    }
    taken = set()
    for sheet in sheets:
        ws = book.add_worksheet(sheet_name(sheet.name, taken))
        ws.write(0, 0, title, title_format)
        for index, (label, value) in enumerate(filters, start=1):
            ws.write(index, 0, label, label_format)
            if isinstance(value, datetime.date):
                ws.write_datetime(index, 1, datetime.datetime.combine(value, datetime.time()), cell_formats["date"])
            else:
                ws.write(index, 1, value)
        header = len(filters) + 2
        first, last = header + 1, header + len(sheet.rows)
        widths = [len(column.label) for column in sheet.columns]
        for col, column in enumerate(sheet.columns):
            ws.write(header, col, column.label, header_format)
        for offset, row in enumerate(sheet.rows):
            for col, (column, value) in enumerate(zip(sheet.columns, row, strict=True)):
                fmt = cell_formats[column.kind]
                if value is None or value is False:
                    ws.write_blank(first + offset, col, None, fmt)
                elif column.kind == "date":
                    ws.write_datetime(first + offset, col, datetime.datetime.combine(value, datetime.time()), fmt)
                elif column.kind == "text":
                    ws.write_string(first + offset, col, str(value), fmt)
                else:
                    ws.write_number(first + offset, col, value, fmt)
                widths[col] = max(widths[col], _text_width(value, column.kind))
        if sheet.rows and any(column.total for column in sheet.columns):
            total_row = last + 1
            ws.write_string(total_row, 0, sheet.total_label, total_formats["text"])
            for col, column in enumerate(sheet.columns):
                fmt = total_formats[column.kind]
                if column.total == "sum":
                    letter = xlsxwriter.utility.xl_col_to_name(col)
                    value = sum(row[col] or 0 for row in sheet.rows)
                    ws.write_formula(total_row, col, f"=SUM({letter}{first + 1}:{letter}{last + 1})", fmt, value)
                elif column.total == "value" and sheet.totals.get(col) is not None:
                    ws.write_number(total_row, col, sheet.totals[col], fmt)
        for col, column in enumerate(sheet.columns):
            ws.set_column(col, col, min(column.width or widths[col] + 2, MAX_WIDTH))
        ws.set_column(0, 0, min(max(widths[0] + 2, len(title) // 2, 18), MAX_WIDTH))
        ws.freeze_panes(header + 1, 0)
        if sheet.rows:
            ws.autofilter(header, 0, last, len(sheet.columns) - 1)
    book.close()
    return output.getvalue()
