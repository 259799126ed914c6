"""Export of the public signature list as CSV, streamed: memory stays flat at any size.

Only what the statement page shows is exported (name as shown, city, country, time, the
revision signed); signers who chose not to be listed are left out, as on the page. Contact
data never passes here: its exports go through `undersign.signatures.contacts`.
"""

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from undersign.signatures.models import Signature
from undersign.statements.models import Statement

CHUNK = 5000
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def export_signatures(statement: Statement) -> Iterator[str]:
    """The statement's public signatures as CSV text, oldest first, in chunks of rows.

    A header line first; then each chunk holds up to `CHUNK` rows, so a caller can count
    progress with `chunk.count("\\n")`.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_("name"), _("city"), _("country"), _("confirmed at"), _("revision")])
    rows = (
        Signature.objects.filter(statement=statement, status=Signature.Status.CONFIRMED)
        .exclude(display=Signature.Display.HIDDEN)
        .order_by("confirmed_at", "id")
        .values_list("public_name", "city", "country", "confirmed_at", "revision__number")
        .iterator(chunk_size=CHUNK)
    )
    yield out.getvalue()
    batch = []
    for name, city, country, when, revision in rows:
        batch.append(
            (_cell(name), _cell(city), country, when.isoformat() if when else "", revision)
        )
        if len(batch) == CHUNK:
            yield _csv(batch)
            batch = []
    if batch:
        yield _csv(batch)


def _csv(batch: list[tuple]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(batch)
    return out.getvalue()
