"""Dates and bylines as letters write them, in English, Russian, Ukrainian and German.

Regular expressions read a date inside one line of plain text (never Markdown).
"""

import re
from dataclasses import dataclass
from datetime import date

# Month names by their first letters, in the four languages (Russian and Ukrainian in the
# genitive as in "7 ноября", and the nominative where its start differs).
_MONTHS = {
    **{
        m: i
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
        )
    },
    **{
        m: i
        for i, m in enumerate(
            ["jan", "feb", "mär", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "dez"], 1
        )
    },
    **{
        m: i
        for i, m in enumerate(
            ["янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"], 1
        )
    },
    "май": 5,
    **{
        m: i
        for i, m in enumerate(
            ["січ", "лют", "бер", "кві", "тра", "чер", "лип", "сер", "вер", "жов", "лис", "гру"], 1
        )
    },
    "maerz": 3,
}
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\.?\s+([^\W\d_]+)\.?,?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")

FIRST_PUBLISHED_WORDS = (
    "first",
    "впервые",
    "первой",
    "вперше",
    "першої",
    "erst",
    "ursprünglich",
    "originally",
)

_WEEKDAYS = {
    *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    *("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"),
    *("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
    *("понеділок", "вівторок", "середа", "четвер", "пʼятниця", "п'ятниця", "п’ятниця"),
    *("субота", "неділя"),
}
# After the date in a byline: "by", "von", "автор:", "авторы:", "автори:", "авторка:".
_BY = re.compile(r"\s*,?\s*(?:by|von|автор[ыи]?|авторка)\s*:?\s+(?P<authors>.+)$", re.IGNORECASE)
_TRAILING_PARENTHESIS = re.compile(r"\(([^()]*)\)$")


def _month(word: str) -> int | None:
    word = word.lower()
    return _MONTHS.get(word[:3]) or _MONTHS.get(word[:5])


def find_date(line: str) -> tuple[date, int, int] | None:
    """A date written in `line` (7 November 2024, 7 ноября 2024, 7. November 2024,
    November 7, 2024, 2024-11-07, 07.11.2024) with where it starts and ends."""
    for pattern, order in (
        (_ISO, "ymd"),
        (_DOTTED, "dmy"),
        (_DAY_MONTH_YEAR, "dMy"),
        (_MONTH_DAY_YEAR, "Mdy"),
    ):
        m = pattern.search(line)
        if not m:
            continue
        parts = dict(zip(order, m.groups(), strict=True))
        month = _month(parts["M"]) if "M" in parts else int(parts["m"])
        if not month:
            continue
        try:
            return date(int(parts["y"]), month, int(parts["d"])), m.start(), m.end()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class Byline:
    published: date
    authors: str
    first_published: date | None


def find_byline(line: str) -> Byline | None:
    """A republication's byline, as plain text:
    "Thursday 23 January 2025, by Name (Date first published: 7 November 2024).",
    "23 января 2025, автор: Name (впервые опубликовано 7 ноября 2024)",
    "Donnerstag, 23. Januar 2025, von Name (Erstveröffentlichung: 7. November 2024)".
    """
    text = " ".join(line.split()).rstrip(".").strip()
    first = None
    parenthesis = _TRAILING_PARENTHESIS.search(text)
    if parenthesis:
        inner = parenthesis.group(1)
        found = find_date(inner)
        if found is None or not any(w in inner[: found[1]].lower() for w in FIRST_PUBLISHED_WORDS):
            return None
        first = found[0]
        text = text[: parenthesis.start()].rstrip(" ,")
    found = find_date(text)
    if found is None:
        return None
    published, start, end = found
    before = text[:start].strip().rstrip(",").strip().lower()
    if before and before not in _WEEKDAYS:
        return None
    by = _BY.match(text[end:])
    if by is None:
        return None
    return Byline(published, by.group("authors").strip(" ,"), first)
