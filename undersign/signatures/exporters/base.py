"""What every export shares: the rows, the spreadsheet guard, the audit entry, the file.

A format subclass names itself and turns rows into bytes (`render`); everything else is
here once. Rows stream from the database in chunks, so a million of them take the memory of
a few thousand.
"""

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from undersign.organisers.services import log_action
from undersign.signatures import contacts, fields, questions
from undersign.signatures.models import Question, Signature
from undersign.signatures.reporting.signers import SignerFilter, public_only, signers
from undersign.signatures.text import clean_line
from undersign.statements.models import Statement

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# One row's values, in the order of the export's columns.
Row = list[Any]
Progress = Callable[[Iterable[Row], int], Iterable[Row]]

# The declared fields the whole team may see, in the export without contacts; those only
# contacts viewers may see (`SeenBy.CONTACTS`) go in the export with contacts.
TEAM_FIELDS = tuple(
    f for f in fields.SIGNATURE_FIELDS if f.export and f.seen_by != fields.SeenBy.CONTACTS
)
PRIVATE_FIELDS = tuple(
    f for f in fields.SIGNATURE_FIELDS if f.export and f.seen_by == fields.SeenBy.CONTACTS
)
# What the public list shows of each signer, plus what organisers filter by.
PUBLIC_COLUMNS = [
    "signed_at",
    "shown_as",
    *(f.export for f in TEAM_FIELDS),
    "language",
    "revision",
    "source",
]
CONTACT_COLUMNS = [
    *PUBLIC_COLUMNS,
    "moderation",
    *(f.export for f in PRIVATE_FIELDS),
    *(f.export for f in fields.CONTACT_FIELDS if f.export),
    "sealed",
]
# Where each public column comes from, in `PUBLIC_COLUMNS` order.
VALUES = (
    "confirmed_at",
    "public_name",
    *(f.db_column for f in TEAM_FIELDS),
    "language",
    "revision__number",
    "source",
)
CHUNK = 2000

# A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets.
_FORMULA_CHARS = frozenset("=+-@\t\r\n|%")
# A phone number as people write it: a plus, digits and the usual separators. Not a formula
# that can do anything (no names, no references), and it must stay dialable.
_PHONE = re.compile(r"\+[0-9][0-9 ()./-]*")


class ExportError(Exception):
    """The export cannot be made; the message says why, in one line."""


def spreadsheet_cell(value: object) -> object:
    """A value a spreadsheet shows as written and never runs: text that would start a
    formula gets a leading apostrophe (OWASP's advice); line breaks and invisible
    characters go; numbers stay numbers; phone numbers stay as they are.

    Called for every cell of an export, so the common case (clean text) is kept cheap."""
    if value.__class__ is str:
        text: str = value  # type: ignore[assignment]
    elif value is None:
        return ""
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return value
    else:
        text = str(value)
    if (
        not text.isprintable()  # line breaks, controls, zero-width and bidi characters
        or text[:1] == " "
        or text[-1:] == " "
        or "  " in text
        or not unicodedata.is_normalized("NFC", text)
    ):
        text = clean_line(text)
    if text[:1] in _FORMULA_CHARS and text and not _PHONE.fullmatch(text):
        return "'" + text
    return text


def private_file(path: Path):
    """Open `path` for writing bytes, readable by its owner only; never overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


class Exporter:
    """One export of a statement's signers under a filter: public fields, or with contacts.

    Public exports hold what the public list shows (names as each signer chose to appear,
    none hidden by moderators) and need the "view" permission; exports with contacts hold
    every counted signer of the filter and need "contacts". The caller asks the access
    helper with `permission_for(contacts)` before making one.
    """

    identifier: ClassVar[str]
    verbose_name: "ClassVar[StrOrPromise]"
    extension: ClassVar[str]
    content_type: ClassVar[str]
    # Cells pass the formula guard (CSV, XLSX).
    spreadsheet: ClassVar[bool] = False
    can_hold_contacts: ClassVar[bool] = True

    def __init__(
        self,
        statement: Statement,
        *,
        where: SignerFilter | None = None,
        contacts: bool = False,
        language: str | None = None,
        actor: Any = None,
        who: str = "",
    ) -> None:
        if contacts and not self.can_hold_contacts:
            raise ExportError(f"a {self.identifier.upper()} export never holds contacts")
        self.statement = statement
        self.where = where or SignerFilter()
        self.contacts = contacts
        self.language = language
        self.actor = actor
        self.who = who or (actor.get_username() if actor is not None else "")
        self.total = 0
        self.sealed_rows = 0

    @staticmethod
    def permission_for(contacts: bool) -> str:
        return "contacts" if contacts else "view"

    # What to export ---------------------------------------------------------------------

    def queryset(self):
        rows = signers(self.statement, self.where)
        return rows if self.contacts else public_only(rows)

    def questions(self) -> list[Question]:
        """The statement's questions with a column here: the public ones, and with contacts
        all of them (answers for the organisers or contacts viewers are contact data)."""
        found = questions.of_statement(self.statement.pk)
        if self.contacts:
            return found
        return [q for q in found if q.visibility == Question.Visibility.PUBLIC]

    def columns(self) -> list[str]:
        asked = [questions.export_column(q) for q in self.questions()]
        if self.contacts:
            return [*CONTACT_COLUMNS[:-1], *asked, CONTACT_COLUMNS[-1]]
        return [*PUBLIC_COLUMNS, *asked]

    def rows(self) -> Iterator[Row]:
        """Every row of the export in `columns()` order, oldest first, streamed from the
        database as tuples (model instances would cost several times as much at a million
        rows)."""
        queryset = self.queryset().select_related(None).order_by("confirmed_at", "id")
        tz = timezone.get_current_timezone()
        asked = self.questions()
        # The answers column only where there are questions: a million JSON values cost.
        answers = ("answers",) if asked else ()
        if not self.contacts:
            for values in queryset.values_list(*VALUES, *answers).iterator(chunk_size=CHUNK):
                row = _public_row(values, tz)
                if asked:
                    given = values[-1] or {}
                    row.extend(questions.readable(q, given.get(q.key)) for q in asked)
                yield row
            return
        private = tuple(f.db_column for f in PRIVATE_FIELDS)
        exported = [f.name for f in fields.CONTACT_FIELDS if f.export]
        columns = (*VALUES, "status", "hidden_at", *private, *answers)
        for values, card in contacts.with_contacts(queryset, columns, chunk=CHUNK):
            row = _public_row(values, tz, public=False)
            status, hidden_at = values[len(VALUES) : len(VALUES) + 2]
            row.append(
                "invalid" if status == Signature.Status.INVALID else "hidden" if hidden_at else ""
            )
            tail = values[len(VALUES) + 2 : len(VALUES) + 2 + len(PRIVATE_FIELDS)]
            row.extend(_cell(f, v) for f, v in zip(PRIVATE_FIELDS, tail, strict=True))
            row.extend(card.values.get(name, "") for name in exported)
            if asked:
                # Public answers from the row; the others from the clear contact (a sealed
                # one keeps them in its box).
                given = {**(values[-1] or {}), **card.answers}
                row.extend(questions.readable(q, given.get(q.key)) for q in asked)
            row.append(card.sealed)
            yield row

    # Making it ----------------------------------------------------------------------------

    def export(self, progress: Progress | None = None) -> Iterator[bytes]:
        """Record the export in the audit log now, then return its bytes as they are made.

        The entry is committed before a row is read, so no export goes unrecorded; it is
        not held open for the whole download, which on SQLite would stop every signer.
        Raises `contacts.ContactsErased` after the statement's contacts deletion date.
        """
        if self.contacts:
            contacts.ensure_contacts_kept(self.statement)
        self.prepare()
        self._audit()
        rows: Iterable[Row] = self.rows()
        if progress is not None:
            rows = progress(rows, self.total)
        if self.spreadsheet:
            rows = ([spreadsheet_cell(v) for v in row] for row in rows)
        return self.render(self.columns(), rows)

    def prepare(self) -> None:
        """Refuse early (`ExportError`) what this format cannot make, before the audit."""

    def render(self, columns: list[str], rows: Iterable[Row]) -> Iterator[bytes]:
        raise NotImplementedError

    def write(self, path: Path, progress: Progress | None = None) -> int:
        """Write the export to a new file readable by its owner only; returns the rows.
        The file is made first, so a refused overwrite (FileExistsError) records nothing;
        a failed export leaves no file."""
        with private_file(path) as f:
            try:
                for chunk in self.export(progress):
                    f.write(chunk)
            except BaseException:
                path.unlink(missing_ok=True)
                raise
        return self.total

    def filename(self) -> str:
        parts = [self.statement.slug, "contacts" if self.contacts else "signatures"]
        parts += [slugify(f"{k}-{v}") for k, v in self.where.described().items()]
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        return f"{'-'.join(p for p in parts if p)}-{stamp}.{self.extension}"

    def _audit(self) -> None:
        if self.contacts:
            self.total, self.sealed_rows = contacts.sealed_share(self.queryset())
        else:
            self.total = self.queryset().count()
        data: dict[str, Any] = {
            "who": self.who,
            "format": self.identifier,
            "filter": self.where.described(),
            "rows": self.total,
        }
        if self.contacts:
            # Honest: sealed only when every row is; a mixed export says how many are.
            data["sealed"] = self.sealed_rows == self.total
            data["sealed_rows"] = self.sealed_rows
        if self.language:
            data["language"] = self.language
        action = "contacts.export" if self.contacts else "signatures.export"
        with transaction.atomic():
            log_action(action, actor=self.actor, obj=self.statement, data=data)


def _cell(declared: fields.SignerField, value: Any) -> Any:
    if declared.kind == fields.Kind.BOOL:
        return "yes" if value else ""
    return value or ""


_TEAM = len(TEAM_FIELDS)
_POSITION = {f.name: i for i, f in enumerate(TEAM_FIELDS)}
# (column, the column of the box that makes it public): the place, shown in an export
# without contacts only where the signer asked for it, as on the public page.
_GATES = [
    (i, _POSITION[f.public_if]) for i, f in enumerate(TEAM_FIELDS) if f.public_if in _POSITION
]
assert len(_GATES) == sum(1 for f in TEAM_FIELDS if f.public_if), "export the public_if box"


def _public_row(values: tuple, tz, *, public: bool = True) -> Row:
    """The public columns of a row; `public`: the place only where the signer asked."""
    when, name = values[0], values[1]
    language, revision, source = values[2 + _TEAM : len(VALUES)]
    declared = [_cell(f, v) for f, v in zip(TEAM_FIELDS, values[2 : 2 + _TEAM], strict=True)]
    if public:
        for column, gate in _GATES:
            if not declared[gate]:
                declared[column] = ""
    return [
        when.astimezone(tz).isoformat(timespec="seconds") if when else "",
        name,
        *declared,
        language,
        revision,
        source,
    ]
