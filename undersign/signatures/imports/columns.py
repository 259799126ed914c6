"""What a sheet's columns mean, and what each row says in the signing form's terms.

A Google Form's export names its columns by the form's questions, in whatever language the
group wrote them: "Отметка времени", "Адрес электронной почты", "Ваше имя", "Город"… Each
header is recognised where it can be (the statement's own questions by their text in any of
their translations first, then words for each signer's field in ru, uk, en and de), and the
organiser changes the rest in the preview. Each row is then put in the signing form's terms
(a "да" ticks a box, "Германия" is DE, a choice's label in any language is its key) and
checked by the signing form itself, so an imported row meets the rules a signer meets.
"""

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from undersign.signatures import fields, questions
from undersign.signatures.fields import Kind
from undersign.signatures.models import Question, Signature, SignatureImport
from undersign.signatures.services import SignatureInput
from undersign.signatures.text import normalise_email
from undersign.statements.models import Statement

IGNORE = ""
TIMESTAMP = "timestamp"
LANGUAGE = "language"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _norm(text: str) -> str:
    text = text.casefold().replace("ё", "е").replace("’", "'").replace("ʼ", "'")
    return re.sub(r"[\s*:?.!]+", " ", text).strip()


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", _norm(text))


# Words that name each column, in ru, uk, en and de: a header names a target when one of its
# words begins with one of these (or holds a phrase of several words). Checked in this order:
# "Как показывать имя" names the display before "имя" could name the name.
RULES: list[tuple[str, list[str]]] = [
    (TIMESTAMP, ["отметка времени", "timestamp", "позначка часу", "zeitstempel"]),
    (
        "show_place",
        ["show my city", "показывать мой город", "показувати моє місто", "stadt und land anzeigen"],
    ),
    (
        "display",
        [
            "показ",
            "shown",
            "show",
            "display",
            "публик",
            "публік",
            "public",
            "öffentlich",
            "anzeig",
            "erschein",
            "відображ",
        ],
    ),
    ("phone", ["телефон", "phone", "telefon", "handy"]),
    ("telegram", ["telegram", "телеграм"]),
    ("signal", ["signal", "сигнал"]),
    # A consent is a sentence that may name the email ("may we contact you by email?").
    ("contact_consent", ["связаться", "связ", "contact me", "contact", "зв'яз", "kontakt"]),
    ("consent", ["соглас", "consent", "agree", "згод", "einverst", "zustimm", "einwillig"]),
    ("email", ["email", "e-mail", "почт", "пошт", "mail", "электрон", "електрон"]),
    ("volunteer_where", ["где и как", "where", "де і як", "wo und wie"]),
    ("volunteer", ["готов", "ready", "bereit", "волонт", "volunteer", "mitmach"]),
    ("took_part", ["участвовал", "участие", "took part", "участь", "teilgenommen", "teilnahme"]),
    ("country", ["стран", "country", "країн", "land"]),
    ("city", ["город", "city", "місто", "міст", "stadt", "ort", "wohnort"]),
    (LANGUAGE, ["язык", "language", "мова", "sprache"]),
    (
        "name",
        ["имя", "фио", "фамил", "name", "ім'я", "імя", "піб", "прізвищ", "vorname", "nachname"],
    ),
]

YES = {"да", "yes", "y", "так", "ja", "j", "1", "true", "x", "✓", "✔", "+", "on", "истина", "wahr"}
NO = {
    "нет",
    "no",
    "n",
    "ні",
    "нi",
    "nein",
    "0",
    "false",
    "-",
    "—",
    "off",
    "не",
    "not",
    "kein",
    "ложь",
    "falsch",
}
DISPLAY_WORDS = [
    (
        Signature.Display.HIDDEN,
        [
            "не показ",
            "не публик",
            "не публік",
            "не показув",
            "hidden",
            "not public",
            "anonym",
            "аноним",
            "анонім",
            "nicht",
            "скрыт",
            "никак",
            "ніяк",
        ],
    ),
    (Signature.Display.INITIALS, ["инициал", "initial", "ініціал"]),
    (Signature.Display.FULL, ["полност", "full", "повн", "voll", "полное", "имя и фамил", "ganz"]),
]
LANGUAGE_NAMES = {
    "ru": ["русский", "russian", "російська", "russisch", "рус"],
    "uk": ["украинский", "ukrainian", "українська", "ukrainisch", "укр", "ua"],
    "en": ["английский", "english", "англійська", "englisch", "англ"],
    "de": ["немецкий", "german", "німецька", "deutsch", "нем", "нім"],
}


@dataclass(frozen=True)
class Target:
    """Where a column may go: a signer's field, a question, the row's language, or
    nowhere."""

    key: str
    label: str


def targets(statement: Statement) -> list[Target]:
    """Every place a column may go, for the preview's choices."""
    found = [
        Target(IGNORE, _("(ignore this column)")),
        Target(TIMESTAMP, _("Time stamp (not kept)")),
    ]
    for declared in fields.asked(statement):
        label = declared.short_label or declared.label
        if declared.name == "consent":
            label = _("Agreed to sign")
        found.append(Target(declared.name, str(label)))
    found.append(Target(LANGUAGE, _("Language of the mail")))
    for question in questions.asked(statement.pk):
        said = questions.wording(question, translation.get_language())
        found.append(Target(question.key, _("Question: %(label)s") % {"label": said.label}))
    return found


def _labels_of(question: Question) -> set[str]:
    labels = {_norm(question.label)}
    labels |= {_norm(t.label) for t in question.translations.all()}
    return labels


def _field_labels() -> dict[str, str]:
    """Our own form's labels in every language, by normalised label: a sheet made from our
    form (or our export) is recognised whole."""
    found: dict[str, str] = {}
    for code in LANGUAGES:
        with translation.override(code):
            for declared in fields.FIELDS:
                found.setdefault(_norm(str(declared.label)), declared.name)
                if declared.short_label:
                    found.setdefault(_norm(str(declared.short_label)), declared.name)
    return found


def guess(statement: Statement, header: list[str]) -> list[str]:
    """A target for each column: what its header names, each target at most once."""
    asked = questions.asked(statement.pk)
    allowed = {t.key for t in targets(statement)}
    own = _field_labels()
    taken: set[str] = set()
    mapping: list[str] = []
    for title in header:
        norm = _norm(title)
        found = IGNORE
        for question in asked:
            if any(
                norm == label or (label and norm.startswith(label))
                for label in _labels_of(question)
            ):
                found = question.key
                break
        else:
            found = own[norm] if own.get(norm) in allowed else _by_words(norm, allowed - taken)
        if found in taken:
            found = IGNORE
        if found:
            taken.add(found)
        mapping.append(found)
    return mapping


def _by_words(norm: str, allowed: set[str]) -> str:
    words = _words(norm)
    for target, keywords in RULES:
        if target not in allowed:
            continue
        for keyword in keywords:
            if (" " in keyword and keyword in norm) or any(w.startswith(keyword) for w in words):
                return target
    return IGNORE


# Reading the cells ---------------------------------------------------------------------------


def _first_word(value: str) -> str:
    words = _words(value)
    return words[0] if words else ""


def ticked(value: str) -> bool:
    """A box's cell: "да", "yes", "x"… tick it; "нет", "no", empty leave it; a Google Form's
    ticked box holds the option's own text, which ticks it too unless it begins with a no."""
    norm = _norm(value)
    return bool(norm) and norm not in NO and _first_word(norm) not in NO


@functools.cache
def _display_labels() -> dict[str, str]:
    """The choices' labels in every language, read once (per row, the translation lookups
    were a quarter of a large sheet's preview)."""
    labels: dict[str, str] = {}
    for code in reversed(LANGUAGES):  # the first language wins, as before
        with translation.override(code):
            for choice, label in Signature.Display.choices:
                labels[_norm(str(label))] = choice
    return labels


def display_of(value: str) -> str:
    """ "hidden" for an empty cell: a name is public only where the sheet says how."""
    norm = _norm(value)
    if not norm:
        return Signature.Display.HIDDEN
    found = _display_labels().get(norm)
    if found:
        return found
    for choice, words in DISPLAY_WORDS:
        if any(w in norm for w in words):
            return choice
    return value  # the form says it is not a valid choice


_countries_by_name: dict[str, str] = {}
# Short names people write that the country list spells otherwise.
ALIASES = {"рф": "RU", "сша": "US", "usa": "US", "uk": "GB", "англия": "GB", "беларусь": "BY"}


def country_of(value: str) -> str:
    if not value:
        return ""
    if value.upper() in countries.countries:
        return value.upper()
    if not _countries_by_name:
        for code in LANGUAGES:
            with translation.override(code):
                for country_code, name in countries:
                    _countries_by_name.setdefault(_norm(str(name)), str(country_code))
        _countries_by_name.update(ALIASES)  # fmt: skip
    return _countries_by_name.get(_norm(value), value)


def language_of(value: str, default: str) -> str | None:
    """The language a row's mail goes in; None when the cell names none we speak."""
    norm = _norm(value)
    if not norm:
        return default
    if norm[:2] in LANGUAGES and len(norm) in (2, 5):  # "ru", "ru-RU"
        return norm[:2]
    for code, names in LANGUAGE_NAMES.items():
        if norm in names or any(norm.startswith(n) for n in names if len(n) > 3):
            return code
    return None


def answer_of(question: Question, value: str) -> Any:
    """A question's cell as the form takes it: "on" for a yes, a choice's key (or keys)."""
    if question.kind == Question.Kind.TEXT:
        return value
    if question.kind == Question.Kind.YES_NO:
        if not value:
            return ""
        return "on" if _norm(value) in _labels_of(question) or ticked(value) else ""
    labels: dict[str, str] = {}
    for choice in question.choices:
        labels[_norm(choice["label"])] = choice["key"]
        labels[_norm(choice["key"])] = choice["key"]
    for t in question.translations.all():
        for key, label in (t.choices or {}).items():
            labels.setdefault(_norm(label), key)
    norm = _norm(value)
    if question.kind == Question.Kind.ONE:
        return labels.get(norm, value) if norm else ""
    # Several: a Google Form joins the ticked options with ", "; an option may hold a comma.
    keys: list[str] = []
    rest = f", {norm} ,"
    for label in sorted(labels, key=len, reverse=True):
        pattern = f"[,;] {re.escape(label)} ?(?=[,;])"
        if label and re.search(pattern, rest):
            keys.append(labels[label])
            rest = re.sub(pattern, "", rest)
    order = [c["key"] for c in question.choices]
    keys = sorted(set(keys), key=order.index)  # in the question's order, as the form sends
    if re.sub(r"[,; ]", "", rest):
        keys.append(value)  # what is left names no choice: the form says so
    return keys


# Checking the rows ---------------------------------------------------------------------------


@dataclass
class Row:
    """One row of the sheet: its number in the spreadsheet, what it is, what is wrong."""

    number: int
    problems: list[str] = field(default_factory=list)
    data: SignatureInput | None = None
    name: str = ""
    email: str = ""

    @property
    def shown_as(self) -> str:
        """How the name will be listed: full, initials, or not at all."""
        return str(Signature.Display(self.data.display).label) if self.data is not None else ""

    @property
    def is_paper(self) -> bool:
        return self.data is not None and not self.data.email


def check_rows(
    statement: Statement,
    upload: SignatureImport,
    rows: list[list[str]],
    mapping: list[str],
) -> list[Row]:
    """Every row as the signing form sees it, with its problems (bad email, missing name, an
    address twice in the file, an answer that is no choice of its question…). A row with a
    problem is not imported."""
    from undersign.signatures.forms import SignatureForm

    by_key = {q.key: q for q in questions.asked(statement.pk)}
    seen: dict[str, int] = {}
    checked = []
    for index, cells in enumerate(rows):
        row = Row(number=index + 2)  # the spreadsheet's own numbering, under its header
        values = dict(zip(mapping, cells, strict=False))
        values.pop(IGNORE, None)
        language = language_of(values.get(LANGUAGE, ""), upload.language)
        if language is None:
            row.problems.append(_("The language is not one of ru, uk, en, de."))
        data: dict[str, Any] = {}
        for name, value in values.items():
            declared = fields.BY_NAME.get(name)
            if name in by_key:
                data[name] = answer_of(by_key[name], value)
            elif declared is None:
                continue
            elif declared.kind == Kind.DISPLAY:
                data[name] = display_of(value)
            elif declared.kind == Kind.COUNTRY:
                data[name] = country_of(value)
            elif declared.is_flag:
                if ticked(value):
                    data[name] = "on"
            else:
                data[name] = value
        data.setdefault("display", Signature.Display.HIDDEN)
        refused = "consent" in values and "consent" not in data
        data["consent"] = "on"  # they signed: on paper, or in the form
        if refused:
            row.problems.append(_("This row did not agree to sign."))
        email = str(data.get("email") or "")
        if not email and upload.kind == SignatureImport.Kind.FORM:
            row.problems.append(
                _("No email address. Import the sheet as paper to count rows without one.")
            )
        form = SignatureForm(data, statement=statement)
        form.fields["email"].required = False
        for key in by_key:
            form.fields[key].required = False  # an older form did not ask it
        valid = form.is_valid()
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else name
            row.problems += [f"{label}: {e}" for e in errors]
        row.name = str(data.get("name") or "")
        row.email = email
        if email:
            normal = normalise_email(email)
            if normal in seen:
                row.problems.append(_("The same address as row %(row)s.") % {"row": seen[normal]})
            else:
                seen[normal] = row.number
        if valid and not row.problems:
            row.data = form.signature_input(language or upload.language)
            version = upload.kind  # what was agreed to: the paper or the form, not our text
            row.data.values["consent"] = version
            if row.data.values["contact_consent"]:
                row.data.values["contact_consent"] = version
        checked.append(row)
    return checked


NO_NAME_COLUMN = gettext_lazy("No column holds the names: choose one.")
NO_EMAIL_COLUMN = gettext_lazy(
    "No column holds the email addresses: choose one, or import the sheet as paper."
)


def mapping_problems(upload: SignatureImport, mapping: list[str]) -> list[str]:
    """What is wrong with the mapping as a whole."""
    found = []
    if "name" not in mapping:
        found.append(str(NO_NAME_COLUMN))
    if "email" not in mapping and upload.kind == SignatureImport.Kind.FORM:
        found.append(str(NO_EMAIL_COLUMN))
    taken = [m for m in mapping if m]
    if len(taken) != len(set(taken)):
        found.append(_("Two columns go to the same field: choose one of them."))
    return found
