"""The signers of a statement under the organisers' filters, page by page.

The same filtered set is what the workspace list shows and what the exporters write, so a
filter means one thing everywhere. Newest first, paged by a keyset cursor like the public
list; each selective filter has an index in that order (see `Signature.Meta.indexes`).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from undersign.signatures import contacts, fields, questions
from undersign.signatures.models import Question, Signature
from undersign.signatures.places import place_key
from undersign.signatures.services import BadCursor, _decode_cursor, _encode_cursor
from undersign.statements.models import Revision, Statement

# What a moderator may look at beside the counted signers.
MODERATION_VIEWS = ("", "hidden", "invalid")


@dataclass(frozen=True, init=False)
class SignerFilter:
    """Which signers: every field left empty means "any". Each declared yes/no filter
    (`fields.FILTERS`, named in `flags` or as `SignerFilter(volunteers=True)`) keeps only
    those who ticked that box."""

    flags: frozenset[str]
    country: str
    city: str  # as typed; matches every spelling of the city (`places.place_key`)
    revision: int | None  # the revision's number
    language: str
    since: date | None
    until: date | None
    name: str  # a part of the name as shown
    # "" every counted signer; "hidden": those whose name a moderator hid; "invalid".
    moderation: str
    # ((question key, wanted), …): "yes", a choice's key, or a part of a text answer.
    answers: tuple[tuple[str, str], ...]

    def __init__(
        self,
        *,
        country: str = "",
        city: str = "",
        revision: int | None = None,
        language: str = "",
        since: date | None = None,
        until: date | None = None,
        name: str = "",
        moderation: str = "",
        flags: Iterable[str] = (),
        answers: Iterable[tuple[str, str]] = (),
        **named: bool,
    ) -> None:
        chosen = {*flags, *(k for k, v in named.items() if v)}
        unknown = chosen - set(fields.FILTERS)
        if unknown:
            raise TypeError(f"no such filter: {', '.join(sorted(unknown))}")
        if moderation not in MODERATION_VIEWS:
            raise ValueError(f"unknown moderation view {moderation!r}")
        values = {
            "flags": frozenset(chosen),
            "country": country.strip().upper(),
            "city": city,
            "revision": revision,
            "language": language.strip().lower(),
            "since": since,
            "until": until,
            "name": name,
            "moderation": moderation,
            "answers": tuple(sorted((str(k), str(v)) for k, v in answers if v)),
        }
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def described(self) -> dict[str, Any]:
        """The filters in use, for the audit log and the export's file name."""
        used: dict[str, Any] = {flag: True for flag in fields.FILTERS if flag in self.flags}
        used.update(self.answers)
        for f in dataclass_fields(self):
            value = getattr(self, f.name)
            if f.name in ("flags", "answers"):
                continue
            if value not in ("", None, False):
                used[f.name] = value.isoformat() if isinstance(value, date) else value
        return used

    @property
    def is_empty(self) -> bool:
        return not self.described()


def signers(statement: Statement, where: SignerFilter | None = None) -> QuerySet[Signature]:
    """The statement's signers matching `where`, newest first; public fields only."""
    where = where or SignerFilter()
    invalid = where.moderation == "invalid"
    status = Signature.Status.INVALID if invalid else Signature.Status.CONFIRMED
    rows = Signature.objects.filter(statement=statement, status=status)
    if where.moderation == "hidden":
        rows = rows.filter(hidden_at__isnull=False)
    for flag in sorted(where.flags):
        rows = rows.filter(fields.FILTERS[flag].ticked())
    if where.country:
        rows = rows.filter(country=where.country)
    if where.city:
        rows = rows.filter(city_key=place_key(where.city))
    if where.revision is not None:
        # Its id first: a subquery would keep the database from the revision's index.
        revision = Revision.objects.filter(statement=statement, number=where.revision)
        rows = rows.filter(revision_id=revision.values_list("id", flat=True).first() or 0)
    if where.language:
        rows = rows.filter(language=where.language)
    if where.since:
        rows = rows.filter(confirmed_at__gte=_midnight(where.since))
    if where.until:
        rows = rows.filter(confirmed_at__lt=_midnight(where.until + timedelta(days=1)))
    if where.name:
        rows = rows.filter(public_name__icontains=where.name)
    if where.answers:
        rows = rows.filter(answers_condition(statement, where.answers))
    return rows.select_related("revision").order_by("-confirmed_at", "-id")


def answers_condition(statement: Statement, wanted: Iterable[tuple[str, str]]) -> Q:
    """Signers whose answers match: public answers on the row, answers for the organisers
    in clear contact data (through `contacts`). A question only contacts viewers see, or
    one that is gone, filters nobody out: it is never offered."""
    by_key = {q.key: q for q in questions.of_statement(statement.pk)}
    condition = Q()
    for key, value in wanted:
        question = by_key.get(key)
        if question is None or question.visibility == Question.Visibility.CONTACTS:
            continue
        if question.visibility == Question.Visibility.PUBLIC:
            condition &= questions.answer_condition("answers", question, value)
        else:
            condition &= contacts.answer_condition(question, value)
    return condition


def private_answers_in(statement: Statement, where: SignerFilter) -> bool:
    """Whether `where` filters by answers meant for the organisers (contact data)."""
    private = {
        q.key
        for q in questions.of_statement(statement.pk)
        if q.visibility != Question.Visibility.PUBLIC
    }
    return any(key in private for key, _value in where.answers)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def signer_page(
    statement: Statement, where: SignerFilter, *, cursor: str = "", limit: int = 50
) -> tuple[list[Signature], str]:
    """One page of `signers`; returns the rows and the next page's cursor ("" at the end).
    Raises `BadCursor` for a cursor that is not one of ours."""
    rows = signers(statement, where).only(
        "public_name",
        "answers",
        *(f.db_column for f in fields.SIGNATURE_FIELDS),
        "language",
        "status",
        "source",
        "confirmed_at",
        "hidden_at",
        "hidden_reason",
        "revision__number",
    )
    if cursor:
        position = _decode_cursor(cursor)
        if position is None:
            raise BadCursor(cursor)
        when, pk = position
        rows = rows.filter(confirmed_at__lte=when).filter(
            Q(confirmed_at__lt=when) | Q(confirmed_at=when, id__lt=pk)
        )
    page = list(rows[: limit + 1])
    next_cursor = _encode_cursor(page[limit - 1]) if len(page) > limit else ""
    return page[:limit], next_cursor


def iterate(rows: QuerySet[Signature], chunk: int = 2000) -> Iterator[Signature]:
    """Every row of a (possibly huge) filtered set, oldest first, in flat memory."""
    return rows.order_by("confirmed_at", "id").iterator(chunk_size=chunk)


def public_only(rows: QuerySet[Signature]) -> QuerySet[Signature]:
    """The rows the public list shows: a name the signer chose to show, not hidden."""
    return rows.exclude(display=Signature.Display.HIDDEN).filter(
        hidden_at__isnull=True, status=Signature.Status.CONFIRMED
    )
