"""Imports: a Google Form's sheet or a paper list, brought into a statement's signatures.

The path, for the workspace and `undersign import-signatures` alike:

1. `upload_sheet` reads the file (`files`), guesses what each column is (`columns.guess`)
   and keeps the rows in a transit box on a `SignatureImport` (encrypted under the transit
   key, which is not in the database: on a sealed statement no address waits in clear);
2. `preview` checks every row as the signing form would, with the mapping the organiser
   chose (`change_mapping`);
3. `run_import` brings in the rows without a problem, a chunk of rows per transaction,
   and goes on from the last chunk written if it was cut short (a killed worker, an error,
   a second press). The CLI calls it in-process; the workspace's button (`queue_import`)
   hands it to the worker (`tasks.import_sheet`). A row with an email goes through the
   signing service's own preparation and becomes a pending signature with its confirmation
   mail (counted and listed only once its owner confirms; an address that already signed
   or is pending is left as it is, and nobody is told which); a row without one, on a paper
   import, is a paper signature, counted at once and listed only if the sheet said how the
   name may appear. The rows' box is erased, and the audit log records the counts, never an
   address. `discard_import` erases the box without importing.
"""

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from undersign.organisers.services import log_action
from undersign.signatures import contacts, tallies
from undersign.signatures.imports import columns
from undersign.signatures.imports.columns import Row
from undersign.signatures.imports.files import SheetError, read_sheet
from undersign.signatures.models import Signature, SignatureImport
from undersign.signatures.services import SigningError, prepare_signature
from undersign.statements.models import Statement

__all__ = [
    "ImportBusy",
    "ImportError_",
    "SheetError",
    "blocker",
    "change_mapping",
    "discard_import",
    "preview",
    "queue_import",
    "run_import",
    "upload_sheet",
]

logger = logging.getLogger(__name__)

# Rows written per transaction: few enough that signers on the site never wait long for
# SQLite's write lock, many enough that a thousand rows are a few dozen commits.
CHUNK = 50
# An upload nobody imported or discarded is erased after this.
KEPT = timedelta(days=1)


class ImportError_(Exception):  # ImportError is Python's own
    """The import cannot go on; `message` is shown to the organiser."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ImportBusy(ImportError_):
    """Another run (a job, the command) is importing this sheet right now."""

    def __init__(self) -> None:
        super().__init__(_("This sheet is being imported already."))


def upload_sheet(
    statement: Statement,
    content: bytes,
    *,
    kind: str,
    language: str,
    actor: Any = None,
    mapping: dict[str, str] | None = None,
) -> SignatureImport:
    """Read an uploaded file and keep its rows, boxed, for the preview. Raises SheetError
    with a message in the reader's language when the file cannot be read."""
    forget_stale_uploads()
    sheet = read_sheet(content)
    guessed = columns.guess(statement, sheet.header)
    if mapping:
        guessed = _named_mapping(statement, sheet.header, guessed, mapping)
    boxed = contacts.lock_rows(sheet.rows)
    with transaction.atomic():
        made = SignatureImport.objects.create(
            statement=statement,
            created_by=actor if actor is not None and actor.is_authenticated else None,
            kind=kind,
            language=language,
            columns=sheet.header,
            mapping=guessed,
            row_count=len(sheet.rows),
            rows=boxed,
        )
        # The preview shows the sheet's contacts to those who may see contacts: recorded.
        log_action(
            "signatures.import_upload",
            actor=actor,
            obj=statement,
            data={"import": made.pk, "kind": kind, "rows": made.row_count},
        )
    return made


def _named_mapping(
    statement: Statement, header: list[str], guessed: list[str], named: dict[str, str]
) -> list[str]:
    """The guess, changed where the CLI's `--mapping "Header=target"` says otherwise (a
    target is a field's name, a question's key, "language" or "ignore")."""
    allowed = {t.key for t in columns.targets(statement)}
    mapping = list(guessed)
    for title, target in named.items():
        target = "" if target == "ignore" else target
        if target not in allowed:
            raise ImportError_(
                _("%(target)s is not a field or question here.") % {"target": target}
            )
        if title not in header:
            raise ImportError_(_("The file has no column %(title)s.") % {"title": title})
        for i, other in enumerate(mapping):
            if other == target:
                mapping[i] = ""
        mapping[header.index(title)] = target
    return mapping


@dataclass
class Preview:
    mapping: list[str]
    rows: list[Row]
    problems: list[str]  # of the mapping as a whole

    @property
    def good(self) -> list[Row]:
        return [r for r in self.rows if r.data is not None]

    @property
    def bad(self) -> list[Row]:
        return [r for r in self.rows if r.data is None]

    @property
    def ready(self) -> bool:
        return not self.problems and bool(self.good)


def _rows(upload: SignatureImport) -> list[list[str]]:
    rows = contacts.open_rows(upload.rows) if upload.is_open else None
    if rows is None:
        raise ImportError_(_("This upload is no longer here: upload the file again."))
    return rows


def preview(upload: SignatureImport) -> Preview:
    """Every row checked with the upload's mapping; nothing is written."""
    rows = _rows(upload)
    problems = columns.mapping_problems(upload, upload.mapping)
    checked = [] if problems else columns.check_rows(upload.statement, upload, rows, upload.mapping)
    return Preview(mapping=upload.mapping, rows=checked, problems=problems)


def _started(upload: SignatureImport) -> bool:
    return upload.queued_at is not None or upload.done > 0


def change_mapping(upload: SignatureImport, mapping: list[str]) -> None:
    if _started(upload):
        # `done` counts rows of the list this mapping makes: another mapping, another list.
        raise ImportError_(_("The import has started: its columns cannot change any more."))
    allowed = {t.key for t in columns.targets(upload.statement)}
    if len(mapping) != len(upload.columns) or not set(mapping) <= allowed:
        raise ImportError_(_("Choose a field for each column from the list."))
    SignatureImport.objects.filter(pk=upload.pk).update(mapping=mapping)
    upload.mapping = mapping


def discard_import(upload: SignatureImport, *, actor: Any = None) -> None:
    with transaction.atomic():
        # Not while the worker imports it (a failed import may be discarded: what it brought
        # in stays).
        running = Q(queued_at__isnull=False, failed_at__isnull=True)
        if (
            not SignatureImport.objects.filter(pk=upload.pk, imported_at__isnull=True)
            .exclude(running)
            .update(rows="", discarded_at=timezone.now())
        ):
            raise ImportError_(_("This sheet is being imported: it cannot be discarded now."))
        log_action(
            "signatures.import_discard",
            actor=actor,
            obj=upload.statement,
            data={"import": upload.pk, "rows": upload.row_count},
        )


def forget_stale_uploads() -> int:
    """Erase the rows of uploads left in the preview for more than a day."""
    return (
        SignatureImport.objects.filter(
            created_at__lt=timezone.now() - KEPT, imported_at__isnull=True
        )
        .exclude(rows="")
        .exclude(queued_at__isnull=False, failed_at__isnull=True)  # the worker is on it
        .update(rows="", discarded_at=timezone.now())
    )


Progress = Callable[[int], None]


def queue_import(upload: SignatureImport, *, actor: Any = None) -> None:
    """The workspace's "Import N rows" (and "Resume"): hand the import to the worker, which
    runs `run_import` and goes on from the last chunk written. A second press while it runs
    queues nothing. Only the quick checks happen here; the rows are checked by the job."""
    from undersign.signatures.tasks import import_sheet

    statement = upload.statement
    problem = blocker(upload)
    if problem:
        raise ImportError_(problem)
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        waiting = Q(queued_at__isnull=True) | Q(failed_at__isnull=False)
        if not SignatureImport.objects.filter(
            waiting, pk=upload.pk, imported_at__isnull=True, discarded_at__isnull=True
        ).update(queued_at=timezone.now(), failed_at=None):
            raise ImportBusy
        import_sheet.enqueue(upload.pk, actor_id)  # ids only: no row sits in the queue
        log_action(
            "signatures.import_start",
            actor=actor,
            obj=statement,
            data={"import": upload.pk, "rows": upload.row_count, "from": upload.done},
        )
    upload.refresh_from_db()


def blocker(upload: SignatureImport) -> str:
    """Why the import cannot run now, if the quick checks can tell; "" otherwise."""
    statement = upload.statement
    if not statement.is_open or statement.current_revision_id is None:
        return _("Signing of this statement is closed.")
    problems = columns.mapping_problems(upload, upload.mapping)
    return problems[0] if problems else ""


def import_failed(upload_id: int) -> None:
    """The job stopped on an error: the workspace says so and offers to resume."""
    SignatureImport.objects.filter(
        pk=upload_id, imported_at__isnull=True, queued_at__isnull=False
    ).update(failed_at=timezone.now())


def run_import(
    upload: SignatureImport, *, actor: Any = None, progress: Progress | None = None
) -> dict[str, int]:
    """Bring in the rows without a problem; returns the counts (also on the import and in
    the audit log): `mailed` (pending, a confirmation mail queued), `already` (the address
    had signed or was pending: left as it was, no mail), `paper` (counted at once),
    `skipped` (rows with a problem). `progress` is called with each row handled."""
    upload.refresh_from_db()
    statement = upload.statement
    if not statement.is_open or statement.current_revision_id is None:
        raise ImportError_(_("Signing of this statement is closed."))
    checked = preview(upload)
    if checked.problems:
        raise ImportError_(checked.problems[0])
    counts = dict(upload.counts) or {"mailed": 0, "already": 0, "paper": 0, "skipped": 0}
    good = checked.good
    counts["skipped"] = len(checked.bad)
    # An import cut short goes on where it stopped: `done` moved with each chunk's rows.
    start = upload.done
    if start == 0:  # the progress page shows the skipped rows from the start
        SignatureImport.objects.filter(pk=upload.pk, done=0, imported_at__isnull=True).update(
            counts=counts
        )
    for begin in range(start, len(good), CHUNK):
        chunk = good[begin : begin + CHUNK]
        prepared = [(row, *_prepared(statement, row)) for row in chunk]
        with transaction.atomic():
            for row, digest, choices, box in prepared:
                counts[_write(statement, upload, row, digest, choices, box)] += 1
            # Only the run that finds `done` where it left it writes the chunk: a second
            # press of the button (or a second command) rolls back instead of doubling the
            # paper rows.
            moved = SignatureImport.objects.filter(
                pk=upload.pk, done=begin, imported_at__isnull=True
            ).update(done=begin + len(chunk), counts=counts)
            if not moved:
                raise ImportBusy
        if progress is not None:
            for _row in chunk:
                progress(1)
    with transaction.atomic():
        if not SignatureImport.objects.filter(pk=upload.pk, imported_at__isnull=True).update(
            rows="", imported_at=timezone.now(), counts=counts, done=len(good)
        ):
            raise ImportBusy
        log_action(
            "signatures.import",
            actor=actor,
            obj=statement,
            data={"import": upload.pk, "kind": upload.kind, "rows": upload.row_count, **counts},
        )
    upload.refresh_from_db()
    logger.info("import %s into statement %s: %s", upload.pk, statement.pk, counts)
    return counts


def _prepared(statement: Statement, row: Row):
    assert row.data is not None
    try:
        return prepare_signature(statement, row.data)
    except SigningError as error:
        raise ImportError_(error.message) from None


def _write(
    statement: Statement,
    upload: SignatureImport,
    row: Row,
    digest: str,
    choices: dict[str, Any],
    box: contacts.Prepared,
) -> str:
    """One row, inside the chunk's transaction; returns which count it adds to."""
    from undersign.signatures.tasks import send_confirmation

    if not digest:
        # Paper: counted at once, no mail, no transit box (nothing needs an address).
        signature = Signature.objects.create(
            statement=statement,
            ref=secrets.token_urlsafe(18),
            email_digest=None,
            status=Signature.Status.CONFIRMED,
            confirmed_at=timezone.now(),
            source=Signature.Source.PAPER,
            imported_in=upload,
            **choices,
        )
        contacts.store_contact(signature, contacts.Prepared(contact=box.contact, transit=""))
        tallies.count(tallies.counted_row(signature.pk), +1)  # type: ignore[arg-type]
        return "paper"
    if Signature.objects.filter(statement=statement, email_digest=digest).exists():
        return "already"
    try:
        with transaction.atomic():  # a savepoint: a signer on the site may win the race
            signature = Signature.objects.create(
                statement=statement,
                ref=secrets.token_urlsafe(18),
                email_digest=digest,
                source=Signature.Source.IMPORT,
                imported_in=upload,
                **choices,
            )
            contacts.store_contact(signature, box)
            send_confirmation.enqueue(signature.pk)
    except IntegrityError:
        return "already"
    return "mailed"


def imports_of(statement: Statement) -> list[SignatureImport]:
    return list(SignatureImport.objects.filter(statement=statement).select_related("created_by"))


def confirmed_share(upload: SignatureImport) -> int:
    """How many of an import's mailed rows were confirmed so far."""
    return Signature.objects.filter(
        imported_in=upload, source=Signature.Source.IMPORT, status=Signature.Status.CONFIRMED
    ).count()
