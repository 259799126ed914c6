"""Exports of contact data, each recorded in the audit log, and opening sealed exports."""

import csv
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.db import transaction

from undersign.organisers.services import log_action
from undersign.signatures import contacts
from undersign.signatures.text import spreadsheet_safe
from undersign.statements.models import Statement

OPENED_COLUMNS = [c for c in contacts.EXPORT_COLUMNS if c != "sealed"]


def _private_file(path: Path):
    """Open `path` for writing, readable by its owner only; refuse to overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def _write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with _private_file(path) as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([spreadsheet_safe(row.get(c, "")) for c in columns])
            n += 1
    return n


def export_contacts(
    statement: Statement,
    path: Path,
    *,
    actor: Any = None,
    who: str = "",
    volunteers_only: bool = False,
    country: str = "",
    progress: Callable[[Iterable[dict[str, Any]], int], Iterable[dict[str, Any]]] | None = None,
) -> int:
    """Write the contacts of the confirmed signatures of `statement` to a CSV file.

    A sealed statement's contacts stay sealed (the `sealed` column); `open_export` opens
    them where the private key is. The access is recorded (`contacts.export`: who, which
    statement, which filter, how many rows) before anything is written. Raises
    `contacts.ContactsErased` after the statement's contacts deletion date.
    """
    filters = {"volunteers_only": volunteers_only, "country": country.upper()}
    rows = contacts.contacts_for_export(statement, **filters)  # type: ignore[arg-type]
    total = contacts.count_for_export(statement, **filters)  # type: ignore[arg-type]
    with transaction.atomic():
        log_action(
            "contacts.export",
            actor=actor,
            obj=statement,
            data={
                "who": who,
                "filter": filters,
                "rows": total,
                "sealed": statement.sealing_key_id is not None,
                "file": path.name,
            },
        )
    return _write_csv(path, contacts.EXPORT_COLUMNS, progress(rows, total) if progress else rows)


def read_private_key(path: Path) -> str:
    """The base64 key in a key file written by `undersign keys new` (comment lines skipped)."""
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    keys = [ln for ln in lines if ln and not ln.startswith("#")]
    if len(keys) != 1:
        raise ValueError(f"{path} holds no undersign private key")
    return keys[0]


def open_export(source: Path, target: Path, private_key: str | None) -> int:
    """Turn an export into a plain CSV: sealed rows are opened with `private_key`."""
    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))

    def opened():
        for row in rows:
            blob = row.get("sealed", "")
            if blob:
                if private_key is None:
                    raise ValueError("this export is sealed: give the private key with --key")
                row.update(vars(contacts.unseal(private_key, blob)))
            yield row

    return _write_csv(target, OPENED_COLUMNS, opened())
