"""Exports of a statement's signers: one class per format, one base that reads the rows,
guards spreadsheet cells and writes the audit entry.

The workspace, the CLI (`undersign export`) and the tests all go through `exporter_for`.
"""

from undersign.signatures.exporters.base import Exporter, ExportError, spreadsheet_cell
from undersign.signatures.exporters.formats import CsvExporter, JsonExporter, XlsxExporter
from undersign.signatures.exporters.pdf import PdfExporter

EXPORTERS: dict[str, type[Exporter]] = {
    cls.identifier: cls for cls in (CsvExporter, XlsxExporter, JsonExporter, PdfExporter)
}


def exporter_for(identifier: str) -> type[Exporter]:
    try:
        return EXPORTERS[identifier]
    except KeyError:
        raise ExportError(f"unknown export format {identifier!r}") from None


__all__ = [
    "EXPORTERS",
    "CsvExporter",
    "ExportError",
    "Exporter",
    "JsonExporter",
    "PdfExporter",
    "XlsxExporter",
    "exporter_for",
    "spreadsheet_cell",
]
