"""The tabular formats: CSV, XLSX and JSON, each streamed in flat memory."""

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext_lazy as _

from undersign.signatures.exporters.base import Exporter, Row

BLOCK = 64 * 1024


class CsvExporter(Exporter):
    identifier = "csv"
    verbose_name = _("CSV (spreadsheets, any program)")
    extension = "csv"
    content_type = "text/csv; charset=utf-8"
    spreadsheet = True

    def render(self, columns: list[str], rows: Iterable[Row]) -> Iterator[bytes]:
        return write_csv(columns, rows)


def write_csv(columns: list[str], rows: Iterable[Row]) -> Iterator[bytes]:
    """Rows of values in `columns` order, as CSV in chunks of a thousand lines."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    # The byte-order mark makes Excel read the file as UTF-8 (Cyrillic names stay legible).
    out.write("\ufeff")
    writer.writerow(columns)
    for n, row in enumerate(rows, 1):
        writer.writerow(row)
        if n % 1000 == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


class XlsxExporter(Exporter):
    identifier = "xlsx"
    verbose_name = _("Excel workbook (XLSX)")
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    spreadsheet = True

    def render(self, columns: list[str], rows: Iterable[Row]) -> Iterator[bytes]:
        return write_xlsx(columns, rows)


def write_xlsx(columns: list[str], rows: Iterable[Row]) -> Iterator[bytes]:
    """openpyxl's write-only mode streams rows to a temporary file with inline strings;
    every string is a text cell, so a phone number stays "+49 …" and nothing is a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("signatures")

    def cells(values: Iterable[object]) -> list[WriteOnlyCell]:
        made = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never "f", whatever the text starts with
            made.append(cell)
        return made

    sheet.append(cells(columns))
    for row in rows:
        sheet.append(cells(row))
    with tempfile.TemporaryFile() as f:
        workbook.save(f)
        f.seek(0)
        while block := f.read(BLOCK):
            yield block


class JsonExporter(Exporter):
    identifier = "json"
    verbose_name = _("JSON (for programs)")
    extension = "json"
    content_type = "application/json"

    def render(self, columns: list[str], rows: Iterable[Row]) -> Iterator[bytes]:
        return write_json(columns, rows)


def write_json(columns: list[str], rows: Iterable[Row]) -> Iterator[bytes]:
    """A JSON array, written an object at a time."""
    parts = ["["]
    for n, row in enumerate(rows):
        item = json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False)
        parts.append(("\n" if n == 0 else ",\n") + item)
        if len(parts) >= 1000:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("\n]\n")
    yield "".join(parts).encode("utf-8")
