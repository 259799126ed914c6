"""What changed between two texts of a statement: pure functions, no database.

Clauses are matched by identity, so an inserted clause shows as inserted (not as every later
clause changed) and a reworded one as changed even when its number moved. Inside a clause,
and in the title, preamble and postscript, the change is shown word by word. Used by the
public diff page and by the workspace's preview of unpublished changes.
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from undersign.statements.texts import Clause, StatementText, read_text

SAME, ADDED, REMOVED, CHANGED = "same", "added", "removed", "changed"


@dataclass(frozen=True)
class Piece:
    kind: str  # SAME, ADDED or REMOVED
    text: str
    # Set when this piece is in another language than the page (a clause shown in the
    # original because the translation lacks it).
    language: str = ""


@dataclass(frozen=True)
class Part:
    """One part of the text (the title, the preamble, one clause, …) in both versions."""

    kind: str  # SAME, CHANGED, ADDED (only in the new text) or REMOVED (only in the old)
    pieces: list[Piece]
    old_number: int | None = None
    new_number: int | None = None
    clause_id: int | None = None
    # The clause is shown in the original in the new (or old) text: "untranslated"/"outdated".
    fallback: str = ""

    @property
    def renumbered(self) -> bool:
        return None not in (self.old_number, self.new_number) and self.old_number != self.new_number

    @property
    def changed(self) -> bool:
        return self.kind != SAME or self.renumbered


@dataclass(frozen=True)
class TextDiff:
    title: Part
    addressee: Part
    authors: Part
    preamble: Part
    clauses: list[Part]
    postscript: Part

    @property
    def changed(self) -> bool:
        parts = [self.title, self.addressee, self.authors, self.preamble, self.postscript]
        return any(p.changed for p in [*parts, *self.clauses])

    @property
    def changed_clauses(self) -> int:
        return sum(1 for c in self.clauses if c.changed)

    def clause_rows(self) -> list["Part | Unchanged"]:
        """The clauses to show: each changed one, and each run of unchanged ones as one row,
        so a one-word change in a long text stays short."""
        rows: list[Part | Unchanged] = []
        for part in self.clauses:
            if part.changed:
                rows.append(part)
                continue
            number = part.new_number or 0
            last = rows[-1] if rows else None
            if isinstance(last, Unchanged):
                rows[-1] = Unchanged(last.first, number)
            else:
                rows.append(Unchanged(number, number))
        return rows


@dataclass(frozen=True)
class Unchanged:
    """A run of clauses that stayed as they were, numbered first to last."""

    first: int
    last: int


@dataclass(frozen=True)
class Comparison:
    """Two revisions compared in one language."""

    diff: TextDiff
    language: str  # the language compared
    original_language: str
    # Whether the original changed; and whether only it did, the translation read here not.
    original_changed: bool = False
    only_original_changed: bool = False
    languages: list[str] = field(default_factory=list)  # those both versions have


# Words, runs of white space, and single other characters (punctuation): a changed comma
# shows as a changed comma, not as a changed word.
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def words(old: str, new: str) -> list[Piece]:
    """`old` turned into `new` as pieces that are the same, removed or added."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    pieces: list[Piece] = []
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        gap = "".join(a[i1:i2])
        # A lone space between two changes belongs to the change: "<del>red cat</del>"
        # reads better than "<del>red</del> <del>cat</del>".
        inside = 0 < n < len(ops) - 1
        if tag == "equal" and not (inside and gap.isspace()):
            _add(pieces, SAME, gap)
        else:
            _add(pieces, REMOVED, "".join(a[i1:i2]))
            _add(pieces, ADDED, "".join(b[j1:j2]))
    return _grouped(pieces)


def _add(pieces: list[Piece], kind: str, text: str) -> None:
    if text:
        pieces.append(Piece(kind, text))


def _grouped(pieces: list[Piece]) -> list[Piece]:
    """Neighbouring pieces of one kind joined; within a change, all removed words before
    all added ones."""
    out: list[Piece] = []
    run: list[Piece] = []

    def flush() -> None:
        for kind in (REMOVED, ADDED):
            text = "".join(p.text for p in run if p.kind == kind)
            if text:
                out.append(Piece(kind, text))
        run.clear()

    for piece in pieces:
        if piece.kind == SAME:
            flush()
            if out and out[-1].kind == SAME:
                out[-1] = Piece(SAME, out[-1].text + piece.text)
            else:
                out.append(piece)
        else:
            run.append(piece)
    flush()
    return out


def _part(old: str, new: str) -> Part:
    if old == new:
        return Part(SAME, [Piece(SAME, new)] if new else [])
    return Part(CHANGED, words(old, new))


def _clause(old: Clause | None, new: Clause | None) -> Part:
    if old is None and new is not None:
        return Part(
            ADDED,
            [Piece(ADDED, new.text, new.language)],
            new_number=new.number,
            clause_id=new.id,
            fallback=new.fallback,
        )
    if new is None and old is not None:
        return Part(
            REMOVED,
            [Piece(REMOVED, old.text, old.language)],
            old_number=old.number,
            clause_id=old.id,
        )
    assert old is not None and new is not None
    numbers = {"old_number": old.number, "new_number": new.number, "clause_id": new.id}
    if old.language != new.language:
        # One side is a translation, the other the original shown in its place: not
        # comparable word by word.
        pieces = [Piece(REMOVED, old.text, old.language), Piece(ADDED, new.text, new.language)]
        return Part(CHANGED, pieces, fallback=new.fallback or old.fallback, **numbers)
    part = _part(old.text, new.text)
    return Part(part.kind, part.pieces, fallback=new.fallback, **numbers)


def _pairs(old: list[Clause], new: list[Clause]) -> dict[int, int]:
    """{index in new: index in old} for the clauses that are the same clause."""
    old_ids = {c.id: i for i, c in enumerate(old) if c.id is not None}
    pairs = {j: old_ids[c.id] for j, c in enumerate(new) if c.id in old_ids}
    # Revisions recorded before clauses had ids: there, the number was the identity.
    used = set(pairs.values())
    by_number = {c.number: i for i, c in enumerate(old) if i not in used}
    for j, clause in enumerate(new):
        i = by_number.get(clause.number)
        if j in pairs or i is None or i in used:
            continue
        if clause.id is None or old[i].id is None:
            pairs[j] = i
            used.add(i)
    return pairs


def diff_texts(old: StatementText, new: StatementText) -> TextDiff:
    """`old` and `new` (in one language) compared part by part."""
    pairs = _pairs(old.clauses, new.clauses)
    gone = sorted(set(range(len(old.clauses))) - set(pairs.values()))
    clauses: list[Part] = []
    for j, clause in enumerate(new.clauses):
        i = pairs.get(j)
        if i is not None:
            # A removed clause shows where it stood: before the next clause that stayed.
            while gone and gone[0] < i:
                clauses.append(_clause(old.clauses[gone.pop(0)], None))
            clauses.append(_clause(old.clauses[i], clause))
        else:
            clauses.append(_clause(None, clause))
    clauses += [_clause(old.clauses[i], None) for i in gone]
    return TextDiff(
        title=_part(old.title, new.title),
        addressee=_part(old.addressee, new.addressee),
        authors=_part(old.authors, new.authors),
        preamble=_part(old.preamble, new.preamble),
        clauses=clauses,
        postscript=_part(old.postscript, new.postscript),
    )


def _own_words(text: dict[str, Any], language: str) -> Any:
    """A translation's own wording, without the marks of what the original did meanwhile."""
    part = text.get("translations", {}).get(language, {})
    clauses = [(c.get("id") or c["number"], c["text"]) for c in part.get("clauses", [])]
    return [part.get("title"), part.get("preamble"), part.get("postscript"), clauses]


def compare(old: dict[str, Any], new: dict[str, Any], language: str | None) -> Comparison:
    """Two texts in the canonical shape (revisions, or a revision and the working copy)
    compared in `language` when both have it, else in the original language."""
    original = diff_texts(read_text(old, None), read_text(new, None))
    original_language = new["language"]
    both = sorted(set(old.get("translations", {})) & set(new.get("translations", {})))
    languages = [original_language, *both] if old["language"] == original_language else both
    if not language or language == original_language or language not in both:
        return Comparison(
            original,
            original_language,
            original_language,
            original_changed=original.changed,
            languages=languages,
        )
    translated = diff_texts(read_text(old, language), read_text(new, language))
    own_changed = _own_words(old, language) != _own_words(new, language)
    return Comparison(
        translated,
        language,
        original_language,
        original_changed=original.changed,
        only_original_changed=original.changed and not own_changed,
        languages=languages,
    )
