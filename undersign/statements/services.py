"""Rules for statements: creating, publishing, closing, and recording revisions."""

import hashlib
import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from undersign.organisers.services import log_action
from undersign.statements.models import Clause, Revision, Statement

Actor = AbstractBaseUser | AnonymousUser | None


def canonical_text(statement: Statement) -> dict[str, Any]:
    """The text a signer agrees to, in a stable shape that the content hash covers."""
    return {
        "language": statement.language,
        "title": statement.title,
        "preamble": statement.preamble,
        "clauses": [{"number": c.number, "text": c.text} for c in statement.clauses.all()],
        "postscript": statement.postscript,
    }


def content_hash(text: dict[str, Any]) -> str:
    blob = json.dumps(text, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@transaction.atomic
def create_statement(
    *,
    slug: str,
    title: str,
    clauses: list[str],
    preamble: str = "",
    postscript: str = "",
    language: str = "en",
    actor: Actor = None,
) -> Statement:
    """Create a draft statement with its clauses numbered from 1."""
    statement = Statement.objects.create(
        slug=slug, title=title, preamble=preamble, postscript=postscript, language=language
    )
    Clause.objects.bulk_create(
        Clause(statement=statement, number=n, text=text) for n, text in enumerate(clauses, 1)
    )
    log_action("statement.create", actor=actor, obj=statement)
    return statement


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


def public_statements():
    return Statement.objects.filter(
        status__in=[Statement.Status.PUBLISHED, Statement.Status.CLOSED]
    ).select_related("current_revision")


def public_statement(slug: str) -> Statement:
    """The published or closed statement at `slug`; drafts do not exist for the public."""
    statement = public_statements().filter(slug=slug).first()
    if statement is None:
        raise Http404
    return statement
