"""The text of a statement in one language, from a revision or from the working copy.

Reading only: what the page, the API and the exporter show. Writes live in services.py.

The live rows (Statement, Clause, StatementTranslation, ClauseTranslation) are the organisers'
working copy. What the public reads is the statement's current revision: `text_in` reads it,
so saving the working copy changes nothing public until the changes are published.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from undersign.statements.models import Revision, Statement, StatementTranslation

# Why a clause of a translation is shown in the original language instead.
UNTRANSLATED = "untranslated"  # the translation does not have this clause (yet)
OUTDATED = "outdated"  # it was translated from an earlier wording of the clause


@dataclass(frozen=True)
class Clause:
    number: int
    text: str
    # The clause's identity (Clause.pk); None only in revisions recorded before clauses had one.
    id: int | None = None
    # UNTRANSLATED or OUTDATED when `text` is the original's wording inside a translation;
    # `language` is then the original's language.
    fallback: str = ""
    language: str = ""


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
    addressee: str = ""
    authors: str = ""
    original_language: str = ""
    # "preamble" and/or "postscript" when they are shown in the original because the
    # translation lacks them.
    untranslated: frozenset[str] = frozenset()

    @property
    def fallback_clauses(self) -> int:
        return sum(1 for c in self.clauses if c.fallback)


def content_hash(text: dict[str, Any]) -> str:
    """SHA-256 of a text in the canonical shape, clause ids left out.

    The hash stands for the wording a signer agreed to: it changes when anything a reader
    sees changes (a word, a number, the order, a translation), not when only the database's
    bookkeeping does. It also keeps the hashes of revisions recorded before clauses had ids.
    """
    blob = json.dumps(_without_ids(text), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _without_ids(text: dict[str, Any]) -> dict[str, Any]:
    out = dict(text)
    if "clauses" in out:
        out["clauses"] = [{k: v for k, v in c.items() if k != "id"} for c in out["clauses"]]
    if "translations" in out:
        out["translations"] = {lang: _without_ids(t) for lang, t in out["translations"].items()}
    return out


def original_part(statement: Statement) -> dict[str, Any]:
    """The original language's text in the canonical shape (see canonical_text)."""
    return {
        "language": statement.language,
        "title": statement.title,
        "preamble": statement.preamble,
        "clauses": [
            {"id": c.pk, "number": c.number, "text": c.text} for c in statement.clauses.all()
        ],
        "postscript": statement.postscript,
    }


def original_hash(statement: Statement) -> str:
    """Hash of the original language's wording alone: what a translation was made from."""
    return content_hash(original_part(statement))


def translation_part(translation: StatementTranslation, statement: Statement) -> dict[str, Any]:
    """A translation in the canonical shape: only the clauses it has, each under its clause's
    id and current number, flagged when translated from an earlier wording."""
    originals = list(statement.clauses.all())
    translated = {t.clause_id: t for t in translation.clauses.all()}
    clauses = []
    for clause in originals:
        row = translated.get(clause.pk)
        if row is None or not row.text:
            continue
        item: dict[str, Any] = {"id": clause.pk, "number": clause.number, "text": row.text}
        if row.original != clause.text:
            item["outdated"] = True
        clauses.append(item)
    part: dict[str, Any] = {
        "title": translation.title,
        "preamble": translation.preamble,
        "clauses": clauses,
        "postscript": translation.postscript,
    }
    if translation.original_hash != original_hash(statement):
        part["outdated"] = True
    return part


def canonical_text(statement: Statement) -> dict[str, Any]:
    """The working copy in the shape a revision records: the text a signer agrees to.

    The original language's text at the top level, every translation under "translations";
    every clause with its id, number and wording. Keys that would be empty are left out, so
    statements without translations or authors keep the hash they had before those existed.
    """
    text = original_part(statement)
    if statement.addressee:
        text["addressee"] = statement.addressee
    if statement.authors:
        text["authors"] = statement.authors
    translations = {
        t.language: translation_part(t, statement)
        for t in statement.translations.prefetch_related("clauses")
        if t.language != statement.language
    }
    if translations:
        text["translations"] = translations
    return text


def titles_of(text: dict[str, Any]) -> list[list[str]]:
    """[[language, title], …] of a text in the canonical shape, the original first."""
    translations = sorted(text.get("translations", {}).items())
    return [[text["language"], text["title"]], *([lang, t["title"]] for lang, t in translations)]


def languages_of(statement: Statement) -> list[str]:
    """The working copy's languages: the original first, then the translations'."""
    # Their codes alone (the rows hold whole texts), with a written-out query: the signers
    # page asks on every request, and the ORM's query cost more than the rest of this.
    table = StatementTranslation._meta.db_table
    sql = f'SELECT "language" FROM "{table}" WHERE "statement_id" = %s'  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [statement.pk])
        codes = [code for (code,) in cursor.fetchall()]
    others = [code for code in codes if code != statement.language]
    return [statement.language, *sorted(others)]


def _languages(text: dict[str, Any]) -> list[str]:
    return [text["language"], *sorted(text.get("translations", {}))]


def read_text(text: dict[str, Any], language: str | None) -> StatementText:
    """`text` (canonical shape) in `language` when it has that translation, else the original.

    A translation lacks clauses, or has some made from an earlier wording: those come in the
    original's wording, marked, so nobody reads (and signs) a text with a clause missing.
    """
    original = text["language"]
    common: dict[str, Any] = {
        "languages": _languages(text),
        "addressee": text.get("addressee", ""),
        "authors": text.get("authors", ""),
        "original_language": original,
    }
    originals = [Clause(c["number"], c["text"], c.get("id")) for c in text["clauses"]]
    part = text.get("translations", {}).get(language) if language != original else None
    if part is None:
        return StatementText(
            original, text["title"], text["preamble"], originals, text["postscript"], **common
        )
    by_id = {c["id"]: c for c in part["clauses"] if c.get("id") is not None}
    by_number = {c["number"]: c for c in part["clauses"]}
    clauses = []
    for clause in originals:
        # Revisions recorded before clauses had ids match by number, as they were made.
        found = by_id.get(clause.id) if clause.id is not None else by_number.get(clause.number)
        if found is None or found.get("outdated"):
            why = OUTDATED if found else UNTRANSLATED
            clauses.append(
                Clause(clause.number, clause.text, clause.id, fallback=why, language=original)
            )
        else:
            clauses.append(Clause(clause.number, found["text"], clause.id))
    untranslated = frozenset(
        name for name in ("preamble", "postscript") if text[name] and not part[name]
    )
    return StatementText(
        language=str(language),
        title=part["title"],
        preamble=part["preamble"] or text["preamble"],
        clauses=clauses,
        postscript=part["postscript"] or text["postscript"],
        is_original=False,
        outdated=bool(part.get("outdated")),
        untranslated=untranslated,
        **common,
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
    """The public text in `language` when it has that translation, else the original.

    That is the current revision; a draft, which has none yet, is read from its working copy.
    """
    revision = statement.current_revision
    if revision is not None:
        return text_of_revision(revision, language)
    return working_text(statement, language)


def working_text(statement: Statement, language: str | None) -> StatementText:
    """The working copy in `language`, as `publish` would make it public."""
    return read_text(canonical_text(statement), language_code(language))


def revision_languages(revision: Revision) -> list[str]:
    return _languages(revision.text)


def text_of_revision(revision: Revision, language: str | None) -> StatementText:
    """The wording as it was at `revision`, in `language` when it had that translation."""
    return read_text(revision.text, language_code(language))


@dataclass(frozen=True)
class Title:
    """A statement's title in one language; prints as its text."""

    text: str
    language: str

    def __str__(self) -> str:
        return self.text


def revision_title(revision: Revision, language: str | None) -> Title:
    """The title as it was at `revision`, in `language` when it had that translation, read
    from the revision's list of titles rather than its whole text."""
    titles = revision.titles or titles_of(revision.text)
    code = language_code(language) or ""
    for lang, title in titles:
        if lang == code:
            return Title(title, lang)
    return Title(titles[0][1], titles[0][0])


def title_in(statement: Statement, language: str | None) -> Title:
    """The public title in `language` where a translation exists, else the original's.

    Read from the current revision, as the public pages read the text; a draft (no revision
    yet) from its working copy.
    """
    if statement.current_revision_id is None:
        text = working_text(statement, language)
        return Title(text.title, text.language)
    return revision_title(statement.current_revision, language)  # type: ignore[arg-type]


def titles_in(statements: list[Statement], language: str | None) -> dict[int, Title]:
    """`title_in` for a list of statements, with one query for their revisions' titles."""
    ids = [s.current_revision_id for s in statements if s.current_revision_id]
    revisions = Revision.objects.defer("text").in_bulk(ids)
    titles = {}
    for statement in statements:
        revision = revisions.get(statement.current_revision_id)  # type: ignore[arg-type]
        titles[statement.pk] = (
            revision_title(revision, language) if revision else title_in(statement, language)
        )
    return titles
