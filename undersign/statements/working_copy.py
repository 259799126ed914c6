"""The working copy of a statement: its text, clauses and translations as organisers edit
them. Nothing here changes what the public reads; services.publish_changes does that.

Clauses keep their identity: every edit updates the clause rows in place (matched by id),
inserts new ones and deletes removed ones, so translations (and later assembly positions)
stay attached to their clause whatever happens to its wording, number or neighbours.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from undersign.organisers.services import log_action
from undersign.statements.models import Clause, ClauseTranslation, Statement, StatementTranslation
from undersign.statements.texts import original_hash

Actor = AbstractBaseUser | AnonymousUser | None


class StatementError(Exception):
    """A statement rule refused the change; `message` is shown to the organiser."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def plain_lines(text: str) -> str:
    """Text with `\n` line ends: browsers send `\r\n` from text areas, files may have them."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_not_frozen(statement: Statement) -> None:
    if statement.status == Statement.Status.CLOSED:
        raise StatementError(
            _("Signing is closed, so the text is frozen. Reopen the statement to change it.")
        )


METADATA_FIELDS = {
    "team",
    "authors",
    "addressee",
    "based_on",
    "first_published",
    "published_at",
    "sources",
    "goal",
    "deadline",
}
# What a revision records besides the wording (see texts.canonical_text). The other metadata
# (goal, deadline, sources, dates, based on) is not part of the text signed and takes effect
# when saved.
STAGED_METADATA = {"language", "addressee", "authors"}


def plain_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    return {k: plain_lines(v) if isinstance(v, str) else v for k, v in metadata.items()}


def changed_meanwhile() -> StatementError:
    return StatementError(_("The clauses changed while you were editing. Please reload."))


def save_clauses(statement: Statement, rows: list[tuple[int | None, int, str]]) -> None:
    """Make the clauses exactly `rows` — (id of an existing clause or None for a new one,
    number, text) — updating rows in place, so every kept clause keeps its identity (and its
    translations); clauses left out are deleted."""
    existing = {c.pk: c for c in statement.clauses.all()}
    kept = [pk for pk, _n, _t in rows if pk is not None]
    if len(set(kept)) != len(kept) or not set(kept) <= set(existing):
        raise changed_meanwhile()
    numbers = [n for _pk, n, _t in rows]
    if len(set(numbers)) != len(numbers) or min(numbers, default=1) < 1:
        raise StatementError(_("Every clause needs its own number."))
    statement.clauses.exclude(pk__in=kept).delete()
    moved = {pk for pk, n, _t in rows if pk is not None and existing[pk].number != n}
    if moved:
        # (statement, number) is unique and checked row by row: first lift the renumbered
        # clauses above every number in use, then put them in their places.
        above = max([*numbers, *(c.number for c in existing.values())]) + 1
        Clause.objects.filter(pk__in=moved).update(number=F("number") + above)
    changed = []
    for pk, number, text in rows:
        if pk is None:
            continue
        clause, text = existing[pk], plain_lines(text)
        if pk in moved or clause.text != text:
            clause.number, clause.text = number, text
            changed.append(clause)
    Clause.objects.bulk_update(changed, ["number", "text"])
    Clause.objects.bulk_create(
        Clause(statement=statement, number=n, text=plain_lines(text))
        for pk, n, text in rows
        if pk is None
    )


def _save_working_copy(
    statement: Statement,
    rows: list[tuple[int | None, int, str]],
    *,
    title: str,
    preamble: str,
    postscript: str,
    actor: Actor,
    metadata: dict[str, Any],
) -> Statement:
    unknown = set(metadata) - METADATA_FIELDS - STAGED_METADATA
    if unknown:
        raise TypeError(f"unknown statement fields: {sorted(unknown)}")
    check_not_frozen(statement)
    statement.title = plain_lines(title)
    statement.preamble = plain_lines(preamble)
    statement.postscript = plain_lines(postscript)
    for name, value in plain_metadata(metadata).items():
        setattr(statement, name, value)
    statement.save()
    save_clauses(statement, rows)
    log_action("statement.edit", actor=actor, obj=statement)
    return statement


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
    """Change the working copy with the clauses given by number (as Markdown has them).

    A clause whose number exists keeps its identity (and its translations) with the new
    wording; new numbers are new clauses; numbers left out are deleted. Nothing public
    changes until `publish_changes`.
    """
    by_number = dict(statement.clauses.values_list("number", "pk"))
    rows = [(by_number.get(n), n, text) for n, text in sorted(clauses.items())]
    return _save_working_copy(
        statement,
        rows,
        title=title,
        preamble=preamble,
        postscript=postscript,
        actor=actor,
        metadata=metadata,
    )


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
    """Change the working copy clause by clause, as the workspace editor does.

    `clauses` lists the clauses in their new order as (clause id, text), with None for a new
    clause; a clause left out is deleted. They are numbered 1..N again. Each clause keeps its
    identity and its translations, whatever happens to its wording or its neighbours.
    Nothing public changes until `publish_changes`.
    """
    rows = [(pk, n, text) for n, (pk, text) in enumerate(clauses, 1)]
    return _save_working_copy(
        statement,
        rows,
        title=title,
        preamble=preamble,
        postscript=postscript,
        actor=actor,
        metadata=metadata,
    )


@transaction.atomic
def move_clause(statement: Statement, clause_id: int, by: int, *, actor: Actor = None) -> None:
    """Move a clause up (`by` = -1) or down (+1) in the working copy; the numbers follow."""
    check_not_frozen(statement)
    order = list(statement.clauses.values_list("pk", "text"))
    at = next((i for i, (pk, _text) in enumerate(order) if pk == clause_id), None)
    if at is None:
        raise changed_meanwhile()
    to = at + by
    if by not in (-1, 1) or not 0 <= to < len(order):
        return  # already first or last
    order[at], order[to] = order[to], order[at]
    save_clauses(statement, [(pk, n, text) for n, (pk, text) in enumerate(order, 1)])
    log_action("statement.reorder", actor=actor, obj=statement, data={"clause": clause_id})


@transaction.atomic
def set_translation(
    statement: Statement,
    *,
    language: str,
    title: str,
    preamble: str = "",
    postscript: str = "",
    clauses: dict[int, str] | None = None,
    by_clause: dict[int, str] | None = None,
    actor: Actor = None,
) -> StatementTranslation:
    """Add or replace the working copy's text in `language`, made from the original as it
    is now.

    The clauses come by the original's number (`clauses`) or by clause id (`by_clause`).
    A translation may be partial: a clause left out or left empty has no translation, and
    readers get the original's wording for it, marked. Nothing public changes until
    `publish_changes`.
    """
    check_not_frozen(statement)
    if language == statement.language:
        raise StatementError(_("This is the original language; edit the original instead."))
    originals = list(statement.clauses.all())
    if by_clause is None:
        by_number = {c.number: c.pk for c in originals}
        given = clauses or {}
        unknown = sorted(set(given) - set(by_number))
        if unknown:
            raise StatementError(
                _("The original has no clause %(number)d.") % {"number": unknown[0]}
            )
        by_clause = {by_number[n]: text for n, text in given.items()}
    elif not set(by_clause) <= {c.pk for c in originals}:
        raise changed_meanwhile()
    translation, _created = StatementTranslation.objects.update_or_create(
        statement=statement,
        language=language,
        defaults={
            "title": plain_lines(title),
            "preamble": plain_lines(preamble),
            "postscript": plain_lines(postscript),
            "original_hash": original_hash(statement),
        },
    )
    translation.clauses.all().delete()
    ClauseTranslation.objects.bulk_create(
        ClauseTranslation(
            translation=translation,
            clause=clause,
            text=plain_lines(by_clause[clause.pk]),
            original=clause.text,
        )
        for clause in originals
        if by_clause.get(clause.pk, "").strip()
    )
    log_action("statement.translate", actor=actor, obj=statement, data={"language": language})
    return translation


@transaction.atomic
def delete_translation(statement: Statement, language: str, *, actor: Actor = None) -> None:
    """Delete the working copy's translation in `language` (gone from the public text with
    the next `publish_changes`)."""
    check_not_frozen(statement)
    deleted, _rows = statement.translations.filter(language=language).delete()
    if deleted:
        log_action(
            "statement.translation_delete", actor=actor, obj=statement, data={"language": language}
        )


def restore_translations(statement: Statement, text: dict[str, Any]) -> None:
    recorded = text.get("translations", {})
    statement.translations.exclude(language__in=list(recorded)).delete()
    clauses = {c.number: c for c in statement.clauses.all()}
    made_from = original_hash(statement)
    for language, part in recorded.items():
        translation, _created = StatementTranslation.objects.update_or_create(
            statement=statement,
            language=language,
            defaults={
                "title": part["title"],
                "preamble": part["preamble"],
                "postscript": part["postscript"],
                "original_hash": "" if part.get("outdated") else made_from,
            },
        )
        translation.clauses.all().delete()
        ClauseTranslation.objects.bulk_create(
            ClauseTranslation(
                translation=translation,
                clause=clauses[c["number"]],
                text=c["text"],
                original="" if c.get("outdated") else clauses[c["number"]].text,
            )
            for c in part["clauses"]
            if c["number"] in clauses
        )


def statement_saved(statement: Statement, *, created: bool = False, actor: Actor = None) -> None:
    """Called after an organiser saved the working copy in the admin: logged. The public text
    changes only with `publish_changes`."""
    log_action("statement.create" if created else "statement.edit", actor=actor, obj=statement)


def translation_saved(translation: StatementTranslation, *, actor: Actor = None) -> None:
    """Called after an organiser saved a translation in the admin: it now counts as made from
    the current original."""
    with transaction.atomic():
        statement = translation.statement
        StatementTranslation.objects.filter(pk=translation.pk).update(
            original_hash=original_hash(statement)
        )
        for row in translation.clauses.select_related("clause"):
            ClauseTranslation.objects.filter(pk=row.pk).update(original=row.clause.text)
        log_action(
            "statement.translate",
            actor=actor,
            obj=statement,
            data={"language": translation.language},
        )
