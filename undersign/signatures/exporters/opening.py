"""Opening a sealed export on the organisers' own computer: `undersign contacts open`.

Reads a CSV, XLSX or JSON export made with contacts, opens each sealed box with the private
key and writes the same format beside it, in clear, through the same writers (and the same
spreadsheet guard) as the export itself.
"""

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from undersign.signatures import contacts, fields, questions
from undersign.signatures.exporters.base import Row, private_file, spreadsheet_cell
from undersign.signatures.exporters.formats import write_csv, write_json, write_xlsx

Writer = Callable[[list[str], Iterable[Row]], Iterator[bytes]]
WRITERS: dict[str, tuple[Writer, bool]] = {
    ".csv": (write_csv, True),
    ".xlsx": (write_xlsx, True),
    ".json": (write_json, False),
}


def read_private_key(path: Path) -> str:
    """The base64 key in a key file written by `undersign keys new` (comment lines skipped)."""
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    keys = [ln for ln in lines if ln and not ln.startswith("#")]
    if len(keys) != 1:
        raise ValueError(f"{path} holds no undersign private key")
    return keys[0]


def read_export(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and rows of an export file, by its extension."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            return list(reader.fieldnames or []), rows
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        lines = workbook.worksheets[0].iter_rows(values_only=True)
        columns = [str(c) for c in next(lines, ())]
        rows = [
            {c: ("" if v is None else v) for c, v in zip(columns, line, strict=False)}
            for line in lines
        ]
        workbook.close()
        return columns, rows
    if suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
        return (list(rows[0]) if rows else []), rows
    raise ValueError(f"{path.name}: not an export (.csv, .xlsx or .json)")


def open_export(source: Path, target: Path, private_key: str | None) -> int:
    """Write `source` to `target` (the same format) with every sealed row opened.
    Returns the rows written; raises ValueError when the key is missing."""
    columns, rows = read_export(source)
    if "sealed" not in columns:
        raise ValueError(f"{source.name} holds no contacts")
    writer, spreadsheet = WRITERS[source.suffix.lower()]
    opened_columns = [c for c in columns if c != "sealed"]
    answer_columns: dict[str, list[str]] = {}
    for column in columns:
        key = column.split(" ", 1)[0]
        if questions.KEY.fullmatch(key):
            answer_columns.setdefault(key, []).append(column)

    def opened() -> Iterator[Row]:
        for row in rows:
            blob = str(row.get("sealed") or "")
            if blob:
                if private_key is None:
                    raise ValueError("this export is sealed: give the private key with --key")
                opened_values = contacts.unseal(private_key, blob)
                row.update(
                    {f.export: opened_values[f.name] for f in fields.CONTACT_FIELDS if f.export}
                )
                # Each answer in the box goes to its question's column ("q12 Label").
                for key, answer in opened_values.answers.items():
                    for column in answer_columns.get(key, ()):
                        row[column] = answer
            values = [row.get(c, "") for c in opened_columns]
            yield [spreadsheet_cell(v) for v in values] if spreadsheet else values

    chunks = writer(opened_columns, opened())
    first = next(chunks)  # a wrong key fails here, before the file exists
    with private_file(target) as f:
        f.write(first)
        for chunk in chunks:
            f.write(chunk)
    return len(rows)
