"""Statements in and out of Markdown, the way letters are really written and republished.

Parsing walks markdown-it-py's block tokens (never regular expressions over Markdown): optional
YAML front matter; the first heading is the title; paragraphs before the ordered list are the
preamble; the list items are the clauses, keeping their numbers even when the list is split;
a thematic break or a "P.S." paragraph starts the postscript; "Source: <https://…>" lines and
"Date first published: 7 November 2024" lines and a republication's byline ("Thursday 23
January 2025, by … (Date first published: 7 November 2024)") become metadata (dates.py reads
them); a link to "#" becomes its text. Regular expressions are used only to read a date
inside one line of plain text.
"""

import re
import textwrap
from dataclasses import dataclass, field
from datetime import date
from html import unescape
from typing import Any

import nh3
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from undersign.statements.dates import FIRST_PUBLISHED_WORDS, find_byline, find_date


class MarkdownError(ValueError):
    pass


@dataclass
class Document:
    """A statement's text in one language, with the metadata a document may carry."""

    title: str = ""
    language: str = ""
    preamble: str = ""
    clauses: dict[int, str] = field(default_factory=dict)
    postscript: str = ""
    authors: str = ""
    addressee: str = ""
    first_published: date | None = None
    published: date | None = None
    sources: list[str] = field(default_factory=list)


_HERE_WORDS = ("here", "здесь", "тут", "hier", "republished", "перепечат", "передрук")
_SOURCE_LABELS = (
    "source",
    "sources",
    "источник",
    "источники",
    "джерело",
    "джерела",
    "quelle",
    "quellen",
    "original",
    "оригинал",
    "оригінал",
)
_AUTHOR_LABELS = ("authors", "author", "авторы", "автор", "автори", "autoren", "autor")
_PS_STARTS = ("p.s.", "p. s.", "ps:", "p.p.s.", "п.с.", "п. с.")
_BARE_PS = {"p.s.", "ps", "p.p.s.", "п.с.", "пс", "postscriptum", "postskriptum"}


def parse_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    found = find_date(str(value))
    if found is None:
        raise MarkdownError(f"not a date: {value!r}")
    return found[0]


_md = MarkdownIt("commonmark")
# For pages: a single newline stays a line break, as in texts written before Markdown; raw
# HTML goes through nh3's allow-list below and nothing else of it does.
_md_html = MarkdownIt("commonmark", {"breaks": True, "html": True})
SAFE_TAGS = {
    "p", "br", "em", "strong", "b", "i", "u", "s", "a", "ul", "ol", "li", "blockquote",
    "code", "pre", "h2", "h3", "h4", "hr", "sub", "sup",
}  # fmt: skip


def _plain(inline: Token) -> str:
    """The text of an inline token without emphasis or link markup."""
    out = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out).strip()


def _label(line: str) -> tuple[str, str]:
    label, colon, rest = line.partition(":")
    return (label.strip().lower(), rest.strip()) if colon else ("", line.strip())


def _link(text: str) -> str | None:
    """The address in `text`: an autolink, a Markdown link or a bare http(s) address."""
    for token in _md.parseInline(text):
        for child in token.children or []:
            if child.type == "link_open":
                return str(child.attrs.get("href", ""))
    bare = text.strip().strip("<>")
    return bare if bare.startswith(("http://", "https://")) and " " not in bare else None


def _metadata_line(line: str, doc: Document, apply: bool) -> bool:
    """Whether `line` is a source, author or date line; record it in `doc` when `apply`."""
    label, rest = _label(line)
    if label in _SOURCE_LABELS:
        url = _link(rest)
        if url and apply:
            doc.sources.append(url)
        return url is not None
    if label in _AUTHOR_LABELS and rest:
        if apply:
            doc.authors = rest
        return True
    found = find_date(line)
    if found is None:
        return False
    when, start, end = found
    before = line[:start].strip()
    prefix = before.rstrip(":").strip().lower()
    suffix = line[end:].strip().strip(".").strip()
    # "Label: date" or a date alone; a sentence that mentions a date is text.
    if (before and not before.endswith(":")) or len(prefix) > 60:
        return False
    if suffix not in ("", "г", "р", "года", "року"):
        return False
    if apply:
        if any(w in prefix for w in _HERE_WORDS) or (
            doc.first_published and not any(w in prefix for w in FIRST_PUBLISHED_WORDS)
        ):
            doc.published = when
        else:
            doc.first_published = when
    return True


def _is_bare_ps(block: str) -> bool:
    """A "P.S." with nothing after it (a heading or a paragraph of its own)."""
    return "".join(c for c in block.lower() if c not in "#*_: \t\n") in _BARE_PS


def _is_metadata(content: str, doc: Document) -> bool:
    """Whether every line of a paragraph is metadata (a bare "P.S." above a "Source:" line
    counts as nothing); record it in `doc` when so."""
    lines = [line for line in content.splitlines() if line.strip()]
    meta = [line for line in lines if not _is_bare_ps(line)]
    if meta and all(_metadata_line(line, doc, apply=False) for line in meta):
        for line in meta:
            _metadata_line(line, doc, apply=True)
        return True
    return False


def _apply_byline(inline: Token, doc: Document) -> bool:
    byline = find_byline(_plain(inline))
    if byline is None:
        return False
    # Front matter, when given, has the last word.
    doc.published = doc.published or byline.published
    doc.authors = doc.authors or byline.authors
    doc.first_published = doc.first_published or byline.first_published
    return True


# A link to "#" (an author's page lost in copying) becomes its text. Only where markdown-it
# found such a link in the paragraph, so code and plain brackets are never touched.
_EMPTY_LINK = re.compile(r"\[([^\[\]]*)\]\(\s*#?\s*\)")


def _without_empty_links(inline: Token) -> str:
    content = inline.content
    children = inline.children or []
    if any(c.type == "link_open" and c.attrGet("href") in ("#", "") for c in children):
        content = _EMPTY_LINK.sub(r"\1", content)
    return content


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    for i, line in enumerate(lines[1:], 1):
        if line.strip() in ("---", "..."):
            try:
                data = yaml.safe_load("\n".join(lines[1:i])) or {}
            except yaml.YAMLError as error:
                raise MarkdownError(f"front matter is not valid YAML: {error}") from None
            if not isinstance(data, dict):
                raise MarkdownError("front matter must be a mapping of keys to values")
            return data, "\n".join(lines[i + 1 :])
    return {}, text


def _source(lines: list[str], token: Token) -> str:
    assert token.map is not None
    start, end = token.map
    return textwrap.dedent("\n".join(lines[start:end])).strip()


def _blocks(tokens: list[Token], level: int) -> list[tuple[Token, list[Token]]]:
    """The blocks at `level`, each as its opening token and the tokens inside it."""
    blocks: list[tuple[Token, list[Token]]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.level == level and token.nesting == 1:
            j = i + 1
            while not (tokens[j].level == level and tokens[j].nesting == -1):
                j += 1
            blocks.append((token, tokens[i + 1 : j]))
            i = j
        elif token.level == level and token.nesting == 0:
            blocks.append((token, []))
        i += 1
    return blocks


# Links lead to web pages and mail addresses only: one with another scheme (`javascript:`,
# `data:`, …) is refused on import and in the editor, and dropped from any HTML rendered.
LINK_SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_HTML_LINK = re.compile(
    r"""\b(?:href|src|action|formaction)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))""", re.I
)


class _EveryLink(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        return True  # see every link, so as to refuse the bad ones


_md_links = _EveryLink("commonmark", {"html": True})


def link_allowed(url: str, *, relative: bool = True) -> bool:
    """Whether `url` leads to a web page or a mail address (or, if `relative`, somewhere on
    this site). Browsers ignore blanks and controls inside a scheme: so do we."""
    found = _SCHEME.match(re.sub(r"[\x00-\x20]", "", url))
    if found is None:
        return relative and bool(url.strip())
    return found.group(1).lower() in LINK_SCHEMES


def unsafe_links(text: str) -> list[str]:
    """The link targets in Markdown `text` (links, images, raw HTML) that `link_allowed`
    refuses."""
    urls: list[str] = []
    for token in _md_links.parse(text or ""):
        if token.type == "html_block":
            urls += ["".join(parts) for parts in _HTML_LINK.findall(token.content)]
        for child in token.children or []:
            if child.type == "link_open":
                urls.append(str(child.attrs.get("href", "")))
            elif child.type == "image":
                urls.append(str(child.attrs.get("src", "")))
            elif child.type == "html_inline":
                urls += ["".join(parts) for parts in _HTML_LINK.findall(child.content)]
    return [url for url in urls if url and not link_allowed(url)]


def clean_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=SAFE_TAGS,
        link_rel="noopener noreferrer nofollow",
        allowed_classes={"a": {"url"}},
        url_schemes=LINK_SCHEMES,
    )


def _bare(address: str) -> str:
    return address.strip().removeprefix("mailto:").split("://", 1)[-1].rstrip("/")


def _mark_bare_links(tokens: list[Token]) -> None:
    """Give class "url" to links whose text is their own address (`<https://…>`), so print
    does not repeat the address after them."""
    for token in tokens:
        children = token.children or []
        for i, child in enumerate(children):
            if child.type != "link_open":
                continue
            label = []
            for inner in children[i + 1 :]:
                if inner.type == "link_close":
                    break
                label.append(inner.content)
            if _bare("".join(label)) == _bare(str(child.attrGet("href") or "")):
                child.attrSet("class", "url")


def token_stream(text: str) -> list[Token]:
    """markdown-it-py's tokens of a text, as the parser reads it."""
    return _md.parse(text or "")


def plain_text(text: str) -> str:
    """A Markdown text's words, without markup; raw HTML (and a script's content) dropped
    as on the page."""
    html = re.sub(r"(</(p|li|h[2-4]|blockquote|pre)>|<br>)", r"\1 ", to_html(text))
    return " ".join(unescape(nh3.clean(html, tags=set())).split())


def to_html(text: str) -> str:
    """A statement's Markdown text as HTML that is safe to put on a page."""
    tokens = _md_html.parse(text or "")
    _mark_bare_links(tokens)
    return clean_html(_md_html.renderer.render(tokens, _md_html.options, {}))


def _block_text(opening: Token, inner: list[Token], lines: list[str]) -> str:
    if opening.type == "paragraph_open":
        inline = inner[0]
        if any(c.type == "html_inline" for c in inline.children or []):
            return clean_html(inline.content).strip()  # raw HTML is never kept as typed
        return _without_empty_links(inline).strip()
    if opening.type == "html_block":
        return clean_html(opening.content).strip()
    return _source(lines, opening)


def _item_text(item: Token, inner: list[Token], lines: list[str]) -> str:
    parts = [_block_text(opening, rest, lines) for opening, rest in _blocks(inner, item.level + 1)]
    return "\n\n".join(p for p in parts if p)


def parse(text: str) -> Document:
    """Read a statement from Markdown. Raises MarkdownError when it has no title."""
    front, body = _split_front_matter(text.replace("\r\n", "\n"))
    doc = Document(
        title=str(front.get("title") or "").strip(),
        language=str(front.get("lang") or front.get("language") or "").strip(),
        authors=str(front.get("authors") or "").strip(),
        addressee=str(front.get("addressee") or front.get("to") or "").strip(),
        first_published=parse_date(front.get("first_published")),
        published=parse_date(front.get("published")),
    )
    sources = front.get("sources") or []
    doc.sources = [str(s) for s in ([sources] if isinstance(sources, str) else sources)]
    if isinstance(front.get("authors"), list):
        doc.authors = ", ".join(str(a) for a in front["authors"])

    lines = body.split("\n")
    preamble: list[str] = []
    postscript: list[str] = []
    pending: list[str] = []  # text after a list: more clause text, or the postscript
    phase = "preamble"
    title_slot_open = True
    last = 0
    for opening, inner in _blocks(_md.parse(body), 0):
        kind = opening.type
        if (
            kind == "heading_open"
            and title_slot_open
            and not preamble
            and (not doc.title or opening.tag == "h1")
        ):
            title_slot_open = False
            doc.title = doc.title or _plain(inner[0])
            continue
        if kind == "ordered_list_open" and phase != "postscript":
            if pending and doc.clauses:
                doc.clauses[last] += "\n\n" + "\n\n".join(pending)
            pending = []
            phase = "clauses"
            for item, rest in _blocks(inner, 1):
                number = int(item.info) if item.info.isdigit() else 0
                # The author's numbers, unless they restart (a list split in two, or "1."
                # written everywhere): then the numbering continues.
                last = number if number > last else last + 1
                doc.clauses[last] = _item_text(item, rest, lines)
            continue
        if kind == "hr":
            if phase == "preamble" and not preamble and not doc.clauses:
                continue  # a rule under the title is decoration
            phase = "postscript"
            postscript.extend(pending)
            pending = []
            continue
        if kind == "paragraph_open" and (
            _is_metadata(inner[0].content, doc) or _apply_byline(inner[0], doc)
        ):
            continue
        block = _block_text(opening, inner, lines)
        if not block:
            continue
        if phase != "postscript" and block.lower().startswith(_PS_STARTS):
            phase = "postscript"
            postscript.extend(pending)
            pending = []
        if phase == "preamble":
            preamble.append(block)
        elif phase == "clauses":
            pending.append(block)
        else:
            postscript.append(block)
    postscript = pending + postscript
    if all(_is_bare_ps(block) for block in postscript):
        postscript = []  # its "Source:" line became a source: nothing of it is left
    doc.preamble = "\n\n".join(preamble)
    doc.postscript = "\n\n".join(postscript)
    if not doc.title:
        raise MarkdownError("the document has no title: add a heading or `title:` front matter")
    bad = [s for s in doc.sources if not link_allowed(s, relative=False)] + unsafe_links(body)
    if bad:
        raise MarkdownError(
            f"links may lead only to http(s) and mailto addresses, not to {bad[0][:80]!r}"
        )
    return doc


def _indent(text: str, width: int) -> str:
    pad = " " * width
    return "\n".join(pad + line if line.strip() else "" for line in text.split("\n"))


def render(doc: Document) -> str:
    """Markdown that `parse` reads back into the same Document."""
    front: dict[str, Any] = {"title": doc.title}
    if doc.language:
        front["lang"] = doc.language
    for key in ("authors", "addressee", "first_published", "published"):
        if getattr(doc, key):
            front[key] = getattr(doc, key)
    if doc.sources:
        front["sources"] = list(doc.sources)
    head = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    parts = [f"---\n{head}---", f"# {doc.title}"]
    if doc.preamble:
        parts.append(doc.preamble)
    for number, text in sorted(doc.clauses.items()):
        marker = f"{number}. "
        parts.append(marker + _indent(text, len(marker))[len(marker) :])
    if doc.postscript:
        parts.extend(["---", doc.postscript])
    return "\n\n".join(parts) + "\n"
