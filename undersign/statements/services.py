"""Rules for statements: creating, publishing, closing, and recording revisions."""

import hashlib
import json
import re
from datetime import UTC, date, datetime, time
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from undersign.organisers.services import log_action
from undersign.statements import markdown
from undersign.statements.models import (
    Clause,
    ClauseTranslation,
    Revision,
    Statement,
    StatementTranslation,
)
from undersign.statements.texts import original_part, text_in, translation_part

Actor = AbstractBaseUser | AnonymousUser | None


class StatementError(Exception):
    """A statement rule refused the change; `message` is shown to the organiser."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def canonical_text(statement: Statement) -> dict[str, Any]:
    """The text a signer agrees to, in a stable shape that the content hash covers.

    The original language's text at the top level, every translation under "translations".
    Keys that would be empty are left out, so statements without translations or authors keep
    the hash they had before those existed.
    """
    text = original_part(statement)
    if statement.addressee:
        text["addressee"] = statement.addressee
    if statement.authors:
        text["authors"] = statement.authors
    translations = {
        t.language: translation_part(t)
        for t in statement.translations.prefetch_related("clauses")
        if t.language != statement.language
    }
    if translations:
        text["translations"] = translations
    return text


def original_hash(statement: Statement) -> str:
    """Hash of the original language's wording alone: what a translation was made from."""
    return content_hash(original_part(statement))


def content_hash(text: dict[str, Any]) -> str:
    blob = json.dumps(text, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@transaction.atomic
def create_statement(
    *,
    slug: str = "",
    title: str,
    clauses: list[str],
    preamble: str = "",
    postscript: str = "",
    language: str = "en",
    actor: Actor = None,
    numbers: list[int] | None = None,
    **metadata: Any,
) -> Statement:
    """Create a draft statement with its clauses numbered from 1 (or by `numbers`).

    Without a `slug`, one is made from the title. `metadata` takes the other fields of
    Statement (authors, addressee, sources, goal, …).
    """
    unknown = set(metadata) - METADATA_FIELDS
    if unknown:
        raise TypeError(f"unknown statement fields: {sorted(unknown)}")
    if slug and Statement.objects.filter(slug=slug).exists():
        raise StatementError(_("Another statement already has this address."))
    statement = Statement.objects.create(
        slug=slug or _free_slug(title),
        title=title,
        preamble=preamble,
        postscript=postscript,
        language=language,
        **metadata,
    )
    _replace_clauses(statement, _numbered(clauses, numbers))
    log_action("statement.create", actor=actor, obj=statement)
    return statement


METADATA_FIELDS = {
    "authors",
    "addressee",
    "based_on",
    "first_published",
    "published_at",
    "sources",
    "goal",
    "deadline",
}


def _numbered(texts: list[str], numbers: list[int] | None) -> dict[int, str]:
    numbers = numbers or list(range(1, len(texts) + 1))
    if len(numbers) != len(texts) or len(set(numbers)) != len(numbers):
        raise StatementError(_("Every clause needs its own number."))
    return dict(zip(numbers, texts, strict=True))


def _replace_clauses(statement: Statement, clauses: dict[int, str]) -> None:
    statement.clauses.all().delete()
    Clause.objects.bulk_create(
        Clause(statement=statement, number=n, text=text) for n, text in sorted(clauses.items())
    )


@transaction.atomic
def edit_statement(
    statement: Statement,
    *,
    title: str,
    preamble: str,
    postscript: str,
    clauses: dict[int, str],
    actor: Actor = None,
    **metadata: Any,
) -> Statement:
    """Change the original text (and metadata). A public statement gets a new revision when
    the wording changed; translations made from the old wording then show as out of date."""
    unknown = set(metadata) - METADATA_FIELDS - {"language"}
    if unknown:
        raise TypeError(f"unknown statement fields: {sorted(unknown)}")
    statement.title, statement.preamble, statement.postscript = title, preamble, postscript
    for name, value in metadata.items():
        setattr(statement, name, value)
    statement.save()
    _replace_clauses(statement, clauses)
    statement_saved(statement, actor=actor)
    return statement


@transaction.atomic
def revise_statement(
    statement: Statement,
    *,
    title: str,
    preamble: str,
    postscript: str,
    clauses: list[tuple[int | None, str]],
    actor: Actor = None,
    **metadata: Any,
) -> Statement:
    """Change the original text clause by clause, as the workspace editor does.

    `clauses` lists the clauses in their new order as (number they had, text), with None for
    a new clause; a clause left out is deleted. They are numbered 1..N again, and every
    translation's clauses follow their originals to the new numbers (a deleted clause's
    translations go with it), so clause N stays clause N in every language. The
    translations then show as out of date, since the original changed.
    """
    old_numbers = set(statement.clauses.values_list("number", flat=True))
    kept = [old for old, _text in clauses if old is not None]
    if len(set(kept)) != len(kept) or not set(kept) <= old_numbers:
        raise StatementError(_("The clauses changed while you were editing. Please reload."))
    moves = {old: new for new, (old, _text) in enumerate(clauses, 1) if old is not None}
    if any(old != new for old, new in moves.items()) or len(moves) != len(old_numbers):
        _renumber_translations(statement, moves)
    return edit_statement(
        statement,
        title=title,
        preamble=preamble,
        postscript=postscript,
        clauses={n: text for n, (_old, text) in enumerate(clauses, 1)},
        actor=actor,
        **metadata,
    )


def _renumber_translations(statement: Statement, moves: dict[int, int]) -> None:
    for translation in statement.translations.prefetch_related("clauses"):
        moved = [
            ClauseTranslation(translation=translation, number=moves[c.number], text=c.text)
            for c in translation.clauses.all()
            if c.number in moves
        ]
        # Delete, then create: renumbering in place would collide with the unique numbers.
        translation.clauses.all().delete()
        ClauseTranslation.objects.bulk_create(moved)


@transaction.atomic
def set_translation(
    statement: Statement,
    *,
    language: str,
    title: str,
    preamble: str = "",
    postscript: str = "",
    clauses: dict[int, str],
    actor: Actor = None,
) -> StatementTranslation:
    """Add or replace the text in `language`, made from the original as it is now.

    Clause N translates clause N, so the numbers must be the original's.
    """
    if language == statement.language:
        raise StatementError(_("This is the original language; edit the original instead."))
    expected = set(statement.clauses.values_list("number", flat=True))
    if set(clauses) != expected:
        raise StatementError(_("A translation has the same clause numbers as the original."))
    translation, _created = StatementTranslation.objects.update_or_create(
        statement=statement,
        language=language,
        defaults={
            "title": title,
            "preamble": preamble,
            "postscript": postscript,
            "original_hash": original_hash(statement),
        },
    )
    translation.clauses.all().delete()
    ClauseTranslation.objects.bulk_create(
        ClauseTranslation(translation=translation, number=n, text=text)
        for n, text in sorted(clauses.items())
    )
    log_action("statement.translate", actor=actor, obj=statement, data={"language": language})
    if statement.is_public:
        record_revision(statement, actor=actor)
    return translation


def record_revision(statement: Statement, *, actor: Actor = None) -> Revision:
    """Make the current text the statement's current revision, creating one if it changed.

    Signatures bind to `statement.current_revision`, so this runs whenever a public text
    changes.
    """
    text = canonical_text(statement)
    digest = content_hash(text)
    current = statement.current_revision
    if current is not None and current.content_hash == digest:
        return current
    number = (current.number if current else 0) + 1
    revision = Revision.objects.create(
        statement=statement, number=number, content_hash=digest, text=text
    )
    Statement.objects.filter(pk=statement.pk).update(current_revision=revision)
    statement.current_revision = revision
    log_action(
        "statement.revision", actor=actor, obj=statement, data={"revision": number, "hash": digest}
    )
    return revision


@transaction.atomic
def publish_statement(statement: Statement, *, actor: Actor = None) -> Statement:
    """Open a statement for signing (again, if it was closed)."""
    statement.status = Statement.Status.PUBLISHED
    statement.published_at = statement.published_at or timezone.now()
    statement.closed_at = None
    statement.save(update_fields=["status", "published_at", "closed_at"])
    record_revision(statement, actor=actor)
    log_action("statement.publish", actor=actor, obj=statement)
    return statement


@transaction.atomic
def close_statement(statement: Statement, *, actor: Actor = None) -> Statement:
    """Stop signing; the text, counter and list stay public."""
    if not statement.is_public:
        raise StatementError(_("A draft cannot be closed: it was never open for signing."))
    statement.status = Statement.Status.CLOSED
    statement.closed_at = timezone.now()
    statement.save(update_fields=["status", "closed_at"])
    log_action("statement.close", actor=actor, obj=statement)
    return statement


def statement_saved(statement: Statement, *, created: bool = False, actor: Actor = None) -> None:
    """Called after an organiser saved the text: logged, and a public text gets a new
    revision if its wording changed."""
    with transaction.atomic():
        log_action("statement.create" if created else "statement.edit", actor=actor, obj=statement)
        if statement.is_public:
            record_revision(statement, actor=actor)


def translation_saved(translation: StatementTranslation, *, actor: Actor = None) -> None:
    """Called after an organiser saved a translation in the admin: it now counts as made from
    the current original, and a public text gets a new revision."""
    with transaction.atomic():
        statement = translation.statement
        StatementTranslation.objects.filter(pk=translation.pk).update(
            original_hash=original_hash(statement)
        )
        log_action(
            "statement.translate",
            actor=actor,
            obj=statement,
            data={"language": translation.language},
        )
        if statement.is_public:
            record_revision(statement, actor=actor)


_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


def public_statements():
    # The revision's full text (every language) is read only where a page shows it.
    return (
        Statement.objects.filter(status__in=[Statement.Status.PUBLISHED, Statement.Status.CLOSED])
        .select_related("current_revision")
        .defer("current_revision__text")
    )


def public_statement(slug: str) -> Statement:
    """The published or closed statement at `slug`; drafts do not exist for the public."""
    if not _SLUG.fullmatch(slug):
        raise Http404  # not a slug (the API takes any string): no query with it
    statement = public_statements().filter(slug=slug).first()
    if statement is None:
        raise Http404
    return statement


# Enough to make readable addresses from Russian and Ukrainian titles.
_LATIN = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфхцыэіїєґ", "abvgdezijklmnoprstufhcyeiieg", strict=True)),
        **{"ё": "e", "ж": "zh", "ч": "ch", "ш": "sh", "щ": "sch", "ю": "yu", "я": "ya"},
        **{"ь": "", "ъ": "", "'": "", "’": ""},
    }
)


def _free_slug(title: str) -> str:
    base = slugify(title.lower().translate(_LATIN))
    if len(base) > 60:
        # Cut at a word, not inside one ("…-without-annexat").
        cut = base[:61]
        base = cut.rsplit("-", 1)[0] if "-" in cut else base[:60]
    base = base.strip("-") or "statement"
    slug, n = base, 1
    while Statement.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=UTC) if day else None


@transaction.atomic
def import_markdown(
    text: str,
    *,
    slug: str | None = None,
    language: str | None = None,
    publish: bool = False,
    actor: Actor = None,
) -> Statement:
    """Create a statement from Markdown, or update one: at an existing `slug`, a document in
    the original language replaces the original text, one in another language becomes (or
    replaces) that translation."""
    try:
        doc = markdown.parse(text)
    except markdown.MarkdownError as error:
        raise StatementError(str(error)) from None
    statement = Statement.objects.filter(slug=slug).first() if slug else None
    language = language or doc.language or (statement.language if statement else "en")
    metadata = {
        "authors": doc.authors,
        "addressee": doc.addressee,
        "first_published": doc.first_published,
        "sources": doc.sources,
    }
    if doc.published:
        metadata["published_at"] = _midnight(doc.published)
    if statement is None:
        statement = create_statement(
            slug=slug or _free_slug(doc.title),
            title=doc.title,
            preamble=doc.preamble,
            postscript=doc.postscript,
            language=language,
            clauses=list(doc.clauses.values()),
            numbers=list(doc.clauses),
            actor=actor,
            **metadata,
        )
    elif language == statement.language:
        edit_statement(
            statement,
            title=doc.title,
            preamble=doc.preamble,
            postscript=doc.postscript,
            clauses=doc.clauses,
            actor=actor,
            **metadata,
        )
    else:
        set_translation(
            statement,
            language=language,
            title=doc.title,
            preamble=doc.preamble,
            postscript=doc.postscript,
            clauses=doc.clauses,
            actor=actor,
        )
    if publish and not statement.is_public:
        publish_statement(statement, actor=actor)
    return statement


def document_of(statement: Statement, language: str | None = None) -> markdown.Document:
    """The statement in one language (the original by default) with its metadata."""
    text = text_in(statement, language or statement.language)
    return markdown.Document(
        title=text.title,
        language=text.language,
        preamble=text.preamble,
        clauses={c.number: c.text for c in text.clauses},
        postscript=text.postscript,
        authors=statement.authors,
        addressee=statement.addressee,
        first_published=statement.first_published,
        published=statement.published_at.date() if statement.published_at else None,
        sources=list(statement.sources or []),
    )


def export_markdown(statement: Statement, language: str | None = None) -> str:
    return markdown.render(document_of(statement, language))
