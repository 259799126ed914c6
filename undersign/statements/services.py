"""Rules for statements: creating, publishing, closing, and recording revisions.

The live rows are the working copy (edited through working_copy.py, re-exported here); the
public reads the current revision, which only `publish_statement` and `publish_changes` make.
"""

import re
from datetime import UTC, date, datetime, time
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from undersign.organisers.models import Team
from undersign.organisers.services import log_action
from undersign.statements import markdown
from undersign.statements.lookup import public_statement_row
from undersign.statements.models import Clause, Revision, Statement
from undersign.statements.texts import canonical_text as canonical_text
from undersign.statements.texts import content_hash as content_hash
from undersign.statements.texts import original_hash as original_hash
from undersign.statements.texts import titles_of, working_text
from undersign.statements.working_copy import (
    METADATA_FIELDS,
    Actor,
    StatementError,
    check_not_frozen,
    plain_lines,
    plain_metadata,
    restore_translations,
    save_clauses,
)
from undersign.statements.working_copy import delete_translation as delete_translation
from undersign.statements.working_copy import edit_statement as edit_statement
from undersign.statements.working_copy import move_clause as move_clause
from undersign.statements.working_copy import revise_statement as revise_statement
from undersign.statements.working_copy import set_translation as set_translation
from undersign.statements.working_copy import statement_saved as statement_saved
from undersign.statements.working_copy import translation_saved as translation_saved


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
        title=plain_lines(title),
        preamble=plain_lines(preamble),
        postscript=plain_lines(postscript),
        language=language,
        **plain_metadata(metadata),
    )
    save_clauses(statement, [(None, n, text) for n, text in _numbered(clauses, numbers).items()])
    log_action("statement.create", actor=actor, obj=statement)
    return statement


def _numbered(texts: list[str], numbers: list[int] | None) -> dict[int, str]:
    numbers = numbers or list(range(1, len(texts) + 1))
    if len(numbers) != len(texts) or len(set(numbers)) != len(numbers):
        raise StatementError(_("Every clause needs its own number."))
    return dict(zip(numbers, texts, strict=True))


def has_unpublished_changes(statement: Statement) -> bool:
    """Whether the working copy's text differs from the current revision's (drafts: False)."""
    current = statement.current_revision
    return current is not None and content_hash(canonical_text(statement)) != current.content_hash


def record_revision(statement: Statement, *, actor: Actor = None) -> Revision:
    """Make the working copy the statement's current revision, creating one if it changed.

    Signatures bind to `statement.current_revision`, and the public pages read it.
    """
    text = canonical_text(statement)
    digest = content_hash(text)
    current = statement.current_revision
    if current is not None and current.content_hash == digest:
        return current
    number = (current.number if current else 0) + 1
    revision = Revision.objects.create(
        statement=statement, number=number, content_hash=digest, text=text, titles=titles_of(text)
    )
    Statement.objects.filter(pk=statement.pk).update(current_revision=revision)
    statement.current_revision = revision
    log_action(
        "statement.revision", actor=actor, obj=statement, data={"revision": number, "hash": digest}
    )
    return revision


@transaction.atomic
def publish_changes(statement: Statement, *, actor: Actor = None) -> Revision:
    """Publish the saved changes of a published statement as its new revision, in one step.

    The public page, the API, the card and the feed show it from then on, and new
    signatures bind to it; earlier signatures keep the revision they signed.
    """
    check_not_frozen(statement)
    if statement.current_revision is None:
        raise StatementError(_("This statement is not published yet."))
    if not has_unpublished_changes(statement):
        raise StatementError(_("There are no unpublished changes."))
    return record_revision(statement, actor=actor)


@transaction.atomic
def discard_changes(statement: Statement, *, actor: Actor = None) -> None:
    """Put the working copy back to the current revision's text, clause ids included: a
    clause deleted since comes back as the same clause."""
    check_not_frozen(statement)
    current = statement.current_revision
    if current is None:
        raise StatementError(_("This statement is not published yet."))
    text = current.text
    statement.language = text["language"]
    statement.title, statement.preamble = text["title"], text["preamble"]
    statement.postscript = text["postscript"]
    statement.addressee = text.get("addressee", "")
    statement.authors = text.get("authors", "")
    statement.save()
    recorded = text["clauses"]
    alive = set(statement.clauses.values_list("pk", flat=True))
    lost = [c for c in recorded if c.get("id") and c["id"] not in alive]
    # Recreated above every number in use; save_clauses then puts them in place.
    top = max([0, *statement.clauses.values_list("number", flat=True)]) + len(recorded) + 1
    Clause.objects.bulk_create(
        Clause(pk=c["id"], statement=statement, number=top + i, text="") for i, c in enumerate(lost)
    )
    save_clauses(statement, [(c.get("id"), c["number"], c["text"]) for c in recorded])
    restore_translations(statement, text)
    log_action("statement.discard", actor=actor, obj=statement, data={"revision": current.number})


@transaction.atomic
def publish_statement(statement: Statement, *, actor: Actor = None) -> Statement:
    """Open a draft for signing: its working copy becomes revision 1.

    A published statement stays as it is (its changes go public with `publish_changes`); a
    closed one opens again only through `reopen_statement`.
    """
    if statement.status == Statement.Status.CLOSED:
        raise StatementError(_("Signing is closed. Reopen the statement to open it again."))
    if statement.status == Statement.Status.PUBLISHED:
        return statement
    statement.status = Statement.Status.PUBLISHED
    statement.published_at = statement.published_at or timezone.now()
    statement.save(update_fields=["status", "published_at"])
    record_revision(statement, actor=actor)
    log_action("statement.publish", actor=actor, obj=statement)
    return statement


@transaction.atomic
def close_statement(statement: Statement, *, actor: Actor = None) -> Statement:
    """Stop signing; the text, counter and list stay public, and the text is frozen."""
    if not statement.is_public:
        raise StatementError(_("A draft cannot be closed: it was never open for signing."))
    statement.status = Statement.Status.CLOSED
    statement.closed_at = timezone.now()
    statement.save(update_fields=["status", "closed_at"])
    log_action("statement.close", actor=actor, obj=statement)
    return statement


@transaction.atomic
def reopen_statement(statement: Statement, *, actor: Actor = None) -> Statement:
    """Open a closed statement for signing again; its text may be changed again."""
    if statement.status != Statement.Status.CLOSED:
        raise StatementError(_("Only a closed statement can be reopened."))
    statement.status = Statement.Status.PUBLISHED
    statement.closed_at = None
    statement.save(update_fields=["status", "closed_at"])
    log_action("statement.reopen", actor=actor, obj=statement)
    return statement


@transaction.atomic
def set_signing_options(statement: Statement, *, ask_took_part: bool, actor: Actor = None) -> None:
    """Choose what the signing form asks besides every signer's fields: whether the signer
    took part in the assembly the statement came from."""
    if statement.ask_took_part == ask_took_part:
        return
    statement.ask_took_part = ask_took_part
    statement.save(update_fields=["ask_took_part"])
    log_action(
        "statement.signing_form", actor=actor, obj=statement, data={"ask_took_part": ask_took_part}
    )


@transaction.atomic
def delete_statement(statement: Statement, *, actor: Actor = None) -> None:
    """Delete a draft that was never published (a published one has revisions people read
    and signed)."""
    if statement.status != Statement.Status.DRAFT or statement.current_revision_id:
        raise StatementError(_("Only a draft that was never published can be deleted."))
    log_action("statement.delete", actor=actor, obj=statement, data={"slug": statement.slug})
    statement.delete()


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
    statement = public_statement_row(slug)
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
    team: Team | None = None,
) -> Statement:
    """Create a statement from Markdown, or update one: at an existing `slug`, a document in
    the original language replaces the original text (a clause keeps its identity where its
    number stays), one in another language becomes (or replaces) that translation. With
    `publish`, a draft is published, a published statement's changes are published."""
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
            team=team,
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
    if publish and statement.current_revision is None:
        publish_statement(statement, actor=actor)
    elif publish and has_unpublished_changes(statement):
        publish_changes(statement, actor=actor)
    return statement


def document_of(statement: Statement, language: str | None = None) -> markdown.Document:
    """The statement in one language (the original by default) with its metadata."""
    text = working_text(statement, language or statement.language)
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
