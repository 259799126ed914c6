"""The text of a statement in one language, from the live statement or from a revision.

Reading only: what the page, the API and the exporter show. Writes live in services.py.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from undersign.statements.models import Revision, Statement, StatementTranslation


@dataclass(frozen=True)
class Clause:
    number: int
    text: str


@dataclass(frozen=True)
class StatementText:
    language: str
    title: str
    preamble: str
    clauses: list[Clause]
    postscript: str
    is_original: bool = True
    # Made from an earlier wording of the original, and not updated since.
    outdated: bool = False
    languages: list[str] = field(default_factory=list)


def original_part(statement: Statement) -> dict[str, Any]:
    """The original language's text in the canonical shape (see services.canonical_text)."""
    return {
        "language": statement.language,
        "title": statement.title,
        "preamble": statement.preamble,
        "clauses": [{"number": c.number, "text": c.text} for c in statement.clauses.all()],
        "postscript": statement.postscript,
    }


def translation_part(translation: StatementTranslation) -> dict[str, Any]:
    return {
        "title": translation.title,
        "preamble": translation.preamble,
        "clauses": [{"number": c.number, "text": c.text} for c in translation.clauses.all()],
        "postscript": translation.postscript,
    }


def languages_of(statement: Statement) -> list[str]:
    """The original language first, then the translations'."""
    others = [t.language for t in statement.translations.all() if t.language != statement.language]
    return [statement.language, *sorted(others)]


def _from_parts(part: dict[str, Any], language: str, **extra: Any) -> StatementText:
    return StatementText(
        language=language,
        title=part["title"],
        preamble=part["preamble"],
        clauses=[Clause(c["number"], c["text"]) for c in part["clauses"]],
        postscript=part["postscript"],
        **extra,
    )


_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8}){0,3}")


def language_code(value: str | None) -> str | None:
    """`value` when it has the shape of a language code (`de`, `pt-br`), else None.

    Whatever a reader puts in `?lang=` reaches a query; a NUL byte there would make
    PostgreSQL fail, and nothing but a code can name a translation anyway.
    """
    value = (value or "").strip().lower()
    return value if _LANGUAGE_CODE.fullmatch(value) else None


def text_in(statement: Statement, language: str | None) -> StatementText:
    """The text in `language` when there is a translation, else the original."""
    from undersign.statements.services import original_hash

    language = language_code(language)
    languages = languages_of(statement)
    translation = None
    if language and language != statement.language:
        translation = (
            statement.translations.filter(language=language).prefetch_related("clauses").first()
        )
    if translation is None:
        return _from_parts(original_part(statement), statement.language, languages=languages)
    return _from_parts(
        translation_part(translation),
        translation.language,
        is_original=False,
        outdated=translation.original_hash != original_hash(statement),
        languages=languages,
    )


def revision_languages(revision: Revision) -> list[str]:
    text = revision.text
    return [text["language"], *sorted(text.get("translations", {}))]


def text_of_revision(revision: Revision, language: str | None) -> StatementText:
    """The wording as it was at `revision`, in `language` when it had that translation."""
    text = revision.text
    languages = revision_languages(revision)
    translations = text.get("translations", {})
    if language and language in translations:
        return _from_parts(translations[language], language, is_original=False, languages=languages)
    return _from_parts(text, text["language"], languages=languages)


@dataclass(frozen=True)
class Title:
    """A statement's title in one language; prints as its text."""

    text: str
    language: str

    def __str__(self) -> str:
        return self.text


def revision_title(revision: Revision, language: str | None) -> Title:
    """The title as it was at `revision`, in `language` when it had that translation."""
    text = text_of_revision(revision, language)
    return Title(text.title, text.language)


def title_in(statement: Statement, language: str | None) -> Title:
    """The public title in `language` where a translation exists, else the original's.

    Read from the current revision, as the public pages read the text; a draft (no revision
    yet) from its live text.
    """
    if statement.current_revision_id is None:
        text = text_in(statement, language)
        return Title(text.title, text.language)
    return revision_title(statement.current_revision, language)  # type: ignore[arg-type]


def titles_in(statements: list[Statement], language: str | None) -> dict[int, Title]:
    """`title_in` for a list of statements, with one query for their revisions."""
    revisions = Revision.objects.in_bulk(
        [s.current_revision_id for s in statements if s.current_revision_id]
    )
    titles = {}
    for statement in statements:
        revision = revisions.get(statement.current_revision_id)  # type: ignore[arg-type]
        titles[statement.pk] = (
            revision_title(revision, language) if revision else title_in(statement, language)
        )
    return titles
