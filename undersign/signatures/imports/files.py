"""Reading an uploaded sheet: a CSV or an XLSX file as a Google Form exports it, or as an
organiser typed a paper list into a spreadsheet. What comes out is a header row and rows of
text; nothing here knows what the columns mean."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.utils.translation import gettext as _

from undersign.signatures.text import clean_line, is_readable

# Limits a sheet must keep; each may be set in the settings (tests make them small).
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000  # the preview checks every row in a request; the worker writes them
MAX_COLUMNS = 100
MAX_CELL = 1000


class SheetError(Exception):
    """The file cannot be read as a sheet of signatures; `message` says why, in the reader's
    language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    header: list[str]
    rows: list[list[str]]  # each as long as the header


def limit(name: str) -> int:
    return int(getattr(settings, f"IMPORT_{name}", globals()[name]))


def read_sheet(content: bytes) -> Sheet:
    """The header and rows of a CSV or XLSX file, recognised by its content (not its name)."""
    if len(content) > limit("MAX_BYTES"):
        raise SheetError(
            _("The file is larger than %(mb)s MB. Split it into smaller files.")
            % {"mb": round(limit("MAX_BYTES") / 1024 / 1024, 1)}
        )
    if not content.strip():
        raise SheetError(_("The file is empty."))
    if content.startswith(b"PK\x03\x04"):
        table = _xlsx(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetError(_("This is an old Excel file (XLS). Save it as XLSX or CSV."))
    else:
        table = _csv(content)
    return _tidy(table)


def _csv(content: bytes) -> list[list[str]]:
    if b"\x00" in content[:4096]:
        raise SheetError(_("This is not a CSV or XLSX file."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1251")  # Excel's "CSV" in Russian and Ukrainian
        except UnicodeDecodeError:
            raise SheetError(_("This is not a CSV or XLSX file.")) from None
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return _bounded(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error:
        raise SheetError(_("This is not a CSV or XLSX file.")) from None


def _xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # a zip that is no workbook: openpyxl's, zipfile's, XML errors
        raise SheetError(
            _("The spreadsheet could not be read. Save it again as XLSX or CSV.")
        ) from None
    try:
        sheet = book.worksheets[0]
        return _bounded([_cell(v) for v in row] for row in sheet.iter_rows(values_only=True))
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _bounded(rows) -> list[list[str]]:
    """The rows, refusing a sheet over the limits before reading all of it."""
    found: list[list[str]] = []
    for row in rows:
        if len(found) > limit("MAX_ROWS"):
            raise SheetError(
                _("The file has more than %(n)s rows. Split it into smaller files.")
                % {"n": limit("MAX_ROWS")}
            )
        found.append([str(c) for c in row])
    return found


def _tidy(table: list[list[str]]) -> Sheet:
    table = [[clean_line(c) for c in row] for row in table]
    table = [row for row in table if any(row)]
    if not table:
        raise SheetError(_("The file is empty."))
    width = max(len(row) for row in table)
    while width and not any(len(row) >= width and row[width - 1] for row in table):
        width -= 1  # empty columns at the right, as spreadsheets leave them
    if width > limit("MAX_COLUMNS"):
        raise SheetError(_("The file has more than %(n)s columns.") % {"n": limit("MAX_COLUMNS")})
    table = [(row + [""] * width)[:width] for row in table]
    for row in table:
        for cell in row:
            if len(cell) > MAX_CELL or not is_readable(cell):
                raise SheetError(
                    _("Some cells could not be read. Save the file as UTF-8 CSV or as XLSX.")
                )
    header, rows = table[0], table[1:]
    if not rows:
        raise SheetError(_("The file has a header row but no signatures under it."))
    return Sheet(header=header, rows=rows)
