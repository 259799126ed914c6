"""The signing form: the door for HTML input, and the rules the API applies too.

Its fields are made from the declaration in `signatures.fields`.
"""

import copy
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.forms import BoundField
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from undersign.signatures import fields, questions
from undersign.signatures.fields import Kind, SignerField
from undersign.signatures.models import Question, Signature
from undersign.signatures.services import SignatureInput
from undersign.signatures.text import clean_line, is_readable


def _country_choices() -> list[tuple[str, str]]:
    # Evaluated per form, so names follow the reader's language. The common countries come
    # first, then a separator (itself an empty value), then all countries.
    language = get_language()
    if language not in _choices_by_language:
        _choices_by_language[language] = [
            ("", str(_("(not given)"))),
            *((str(code), str(name)) for code, name in countries),
        ]
    return _choices_by_language[language]


_choices_by_language: dict[str | None, list[tuple[str, str]]] = {}


class CountrySelect(forms.Select):
    """A select of ~250 countries, rendered once per language while nothing is chosen.

    Rendering it option by option through the widget templates cost more than all the rest
    of the statement page together.
    """

    _rendered: ClassVar[dict[tuple, SafeString]] = {}

    def render(self, name, value, attrs=None, renderer=None):
        if value not in (None, "", [], [""]):
            return super().render(name, value, attrs, renderer)
        key = (get_language(), name, tuple(sorted((attrs or {}).items())))
        if key not in self._rendered:
            self._rendered[key] = super().render(name, value, attrs, renderer)
        return self._rendered[key]


class _Declared:
    """A form field made from a `SignerField`: after the field's own checks, text is made
    one clean line and the declaration's own cleaning runs."""

    declared: SignerField | None = None
    question: Question | None = None
    widget_kind = "input"

    def clean(self, value):
        value = super().clean(value)  # type: ignore[misc]
        declared = self.declared
        if declared is None:
            return value
        if declared.kind in (Kind.TEXT, Kind.PHONE, Kind.HANDLE):
            value = clean_line(value or "")
        if declared.clean is not None:
            value = declared.clean(value)
        return value


class _Readable:
    """Refuses text that is not text: a lone surrogate (JSON can carry one) or the U+FFFD a
    decoder leaves where a form's bytes were not UTF-8. Refused before anything stores it."""

    def to_python(self, value):
        value = super().to_python(value)  # type: ignore[misc]
        if isinstance(value, str) and not is_readable(value):
            raise forms.ValidationError(
                _("Some characters here could not be read. Please type it again."),
                code="unreadable",
            )
        return value


class TextField(_Declared, _Readable, forms.CharField):
    pass


class EmailField(_Declared, _Readable, forms.EmailField):
    pass


class ChoiceField(_Declared, forms.ChoiceField):
    pass


class BooleanField(_Declared, forms.BooleanField):
    pass


class MultipleChoiceField(_Declared, forms.MultipleChoiceField):
    pass


class CountryField(ChoiceField):
    """A choice of country, checked against the set of codes rather than the list of names."""

    codes: ClassVar[frozenset[str]] = frozenset(countries.countries)

    def valid_value(self, value) -> bool:
        return value == "" or value in self.codes


def form_field(declared: SignerField) -> forms.Field:
    """The form field of a declared signer's field."""
    common: dict[str, Any] = {
        "label": declared.label,
        "required": declared.required,
        "help_text": declared.help,
    }
    if declared.error_messages:
        common["error_messages"] = dict(declared.error_messages)
    attrs = dict(declared.widget_attrs)
    made: forms.Field
    if declared.kind == Kind.EMAIL:
        made = EmailField(
            max_length=declared.max_length, widget=forms.EmailInput(attrs=attrs), **common
        )
    elif declared.kind in (Kind.TEXT, Kind.PHONE, Kind.HANDLE):
        made = TextField(
            max_length=declared.max_length, widget=forms.TextInput(attrs=attrs), **common
        )
    elif declared.kind == Kind.DISPLAY:
        made = ChoiceField(
            choices=Signature.Display.choices,
            initial=Signature.Display.FULL,
            widget=forms.RadioSelect,
            **common,
        )
    elif declared.kind == Kind.COUNTRY:
        made = CountryField(choices=_country_choices, widget=CountrySelect, **common)
    else:  # BOOL, CONSENT
        made = BooleanField(**common)
    return _marked(made, declared=declared, widget_kind=WIDGET_KINDS.get(declared.kind, "input"))


def _marked(made: forms.Field, **marks: Any) -> forms.Field:
    """A field with what the templates and the form ask of it beside Django's own:
    `declared` (its SignerField), `question`, `widget_kind` (how to draw it)."""
    for name, value in marks.items():
        setattr(made, name, value)
    return made


# How the templates draw a field (public/signer_field.html).
WIDGET_KINDS = {Kind.DISPLAY: "radios", Kind.BOOL: "checkbox", Kind.CONSENT: "consent"}

# Who sees an answer, said beside each question.
SEEN_BY = {
    Question.Visibility.PUBLIC: _("Public: shown in the list of signatures next to your name."),
    Question.Visibility.ORGANISERS: _("Seen only by the organisers."),
    Question.Visibility.CONTACTS: _("Seen only by the organisers who handle contacts."),
}


def question_field(question: Question, language: str | None) -> forms.Field:
    """The form field of one of the statement's questions, worded in `language` (or the
    original, where it has no current translation there)."""
    said = questions.wording(question, language)
    common: dict[str, Any] = {
        "label": said.label,
        "required": question.required,
        "help_text": SEEN_BY[Question.Visibility(question.visibility)],
    }
    made: forms.Field
    kind = "input"
    if question.kind == Question.Kind.YES_NO:
        made, kind = BooleanField(**common), "checkbox"
    elif question.kind == Question.Kind.ONE:
        blank = [] if question.required else [("", str(_("No answer")))]
        made = ChoiceField(
            choices=[*blank, *said.choices],
            widget=forms.RadioSelect,
            initial="" if blank else None,
            error_messages={"invalid_choice": fields.CHOOSE},
            **common,
        )
        kind = "radios"
    elif question.kind == Question.Kind.SEVERAL:
        made = MultipleChoiceField(
            choices=said.choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": fields.CHOOSE, "invalid_list": fields.CHOOSE},
            **common,
        )
        kind = "checks"
    else:
        made = TextField(
            max_length=questions.TEXT_LENGTH, widget=forms.TextInput(attrs={}), **common
        )
        _marked(made, declared=fields.ANSWER)
    return _marked(made, question=question, widget_kind=kind)


class SignatureForm(forms.Form):
    """The signer's fields as declared (`signatures.fields.FIELDS`), in that order: those
    the statement asks (`fields.asked`); without a statement, those every statement asks."""

    def __init__(self, *args: Any, statement: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.statement = statement
        for declared in fields.FIELDS:
            if not declared.is_asked(statement):
                del self.fields[declared.name]
        # The statement's own questions, in the reader's language, before the consents.
        self.questions = (
            [q for q in questions.of(statement) if q.asked] if statement is not None else []
        )
        language = get_language()
        asked = {q.key: question_field(q, language) for q in self.questions}
        before = {k: f for k, f in self.fields.items() if not _is_consent(f)}
        after = {k: f for k, f in self.fields.items() if _is_consent(f)}
        self.fields = {**before, **asked, **after}

    @property
    def cache_key(self) -> str:
        """What the rendered empty form depends on besides the language: the statement's
        choice of fields and its questions."""
        if self.statement is None:
            return "-"
        asked = "".join("1" if f.is_asked(self.statement) else "0" for f in fields.FIELDS)
        return f"{self.statement.pk}.{asked}.{questions.version(self.questions)}"

    def _clean_fields(self) -> None:
        """Django's `BaseForm._clean_fields`, reading each posted value from the widget
        directly. Django makes a bound field per field to read it (its label translated,
        its names worked out), which for these fifteen fields was a twentieth of a
        signing's time in a surge (issue 13); the page makes them when it is shown.
        No field here is a file field; a disabled one takes its initial value, as there."""
        for name, field in self.fields.items():
            try:
                if field.disabled:
                    value = self.get_initial_for_field(field, name)
                else:
                    value = field.widget.value_from_datadict(
                        self.data, self.files, self.add_prefix(name)
                    )
                self.cleaned_data[name] = field.clean(value)
                if hasattr(self, f"clean_{name}"):
                    self.cleaned_data[name] = getattr(self, f"clean_{name}")()
            except forms.ValidationError as error:
                self.add_error(name, error)

    @property
    def question_fields(self) -> list[BoundField]:
        return [self[q.key] for q in self.questions]

    def clean(self):
        data = super().clean()
        for declared in fields.FIELDS:
            if declared.name not in self.fields:
                continue
            if data and declared.implied_by and data.get(declared.implied_by):
                data[declared.name] = True  # writing where one can help says yes by itself
        return data

    def sections(self, *, widget: bool = False) -> list["Section"]:
        """The form's declared fields in order, those of one group together, for the
        templates to loop over; `widget`: only those on the widget's short form."""
        found: list[Section] = []
        for declared in fields.FIELDS:
            if declared.name not in self.fields or (widget and not declared.in_widget):
                continue
            if (
                declared.kind == Kind.CONSENT
                and self.questions
                and not any(s.group == "questions" for s in found)
            ):
                found.append(Section("questions", self.question_fields))
            if not found or found[-1].group != declared.group:
                found.append(Section(declared.group, []))
            found[-1].fields.append(self[declared.name])
        return found

    def widget_sections(self) -> list["Section"]:
        return self.sections(widget=True)

    def signature_input(self, language: str, revision_number: int | None = None) -> SignatureInput:
        """What the signing service takes, from a valid form."""
        values: dict[str, Any] = {}
        for declared in fields.FIELDS:
            value = self.cleaned_data.get(declared.name, declared.empty)
            if declared.kind == Kind.CONSENT:
                value = getattr(settings, declared.version_setting) if value else ""
            elif declared.kind == Kind.COUNTRY:
                value = str(value or "")
            values[declared.name] = value
        answers = {
            q.key: self.cleaned_data[q.key]
            for q in self.questions
            if self.cleaned_data.get(q.key) not in (None, "", [], False)
        }
        return SignatureInput(
            language=language, revision_number=revision_number, answers=answers, **values
        )


def _is_consent(field: forms.Field) -> bool:
    declared = getattr(field, "declared", None)
    return declared is not None and declared.kind == Kind.CONSENT


@dataclass
class Section:
    """Fields that share a frame on the form: "contacts" (folded), "place" (a row), the
    statement's "questions", or ""."""

    group: str
    fields: list[BoundField]

    @property
    def is_open(self) -> bool:
        """A folded group opens when one of its fields is filled in or wrong."""
        return any(f.value() or f.errors for f in self.fields)


def _copy_field(field: forms.Field) -> forms.Field:
    """What Django's `Field.__deepcopy__` gives for these fields, made without `copy`'s
    generic machinery: the field and its widget copied, with their own attrs, error
    messages, validators and widget choices; the choices themselves (never changed per
    form) shared."""
    new = object.__new__(type(field))
    new.__dict__.update(field.__dict__)
    widget = object.__new__(type(field.widget))
    widget.__dict__.update(field.widget.__dict__)
    widget.attrs = field.widget.attrs.copy()
    if hasattr(widget, "choices"):
        widget.choices = copy.copy(widget.choices)  # as ChoiceWidget.__deepcopy__
    new.widget = widget
    new.error_messages = field.error_messages.copy()
    new.validators = field.validators[:]
    return new


class CopiedFields(dict):
    """A form class's `base_fields`, which every new form copies (`BaseForm.__init__`
    deep-copies them). The generic deep copy of the signing form's 15 fields was a tenth of
    a signing's cost (issue 13); `_copy_field` does the same work directly. (The signers
    list's filter form uses it too.)"""

    def __deepcopy__(self, memo: dict) -> dict:
        return {name: _copy_field(field) for name, field in self.items()}


# The form's fields come from the declaration; subclasses add theirs after them.
SignatureForm.base_fields = CopiedFields({f.name: form_field(f) for f in fields.FIELDS})
SignatureForm.declared_fields = dict(SignatureForm.base_fields)


class PublicSignatureForm(SignatureForm):
    """The form on the page: the same fields, plus a honeypot for robots.

    The honeypot is hidden from people (CSS) and from screen readers (aria-hidden), out of
    the tab order, and labelled so that anyone who still meets it leaves it empty.
    """

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))


PublicSignatureForm.base_fields = CopiedFields(PublicSignatureForm.base_fields)


class SharedFields(dict):
    """`base_fields` that a new form shares instead of copying: for a form that is only
    validated, never shown. Cleaning reads a field and changes nothing on it; copies exist
    so that a form being drawn may change its own."""

    def __deepcopy__(self, memo: dict) -> dict:
        return dict(self)


class SigningCheck(PublicSignatureForm):
    """The signing form as the signing lane validates a post (`public.signing_lane`): the
    same fields and rules, shared rather than copied, since a lane never draws it (a post
    with mistakes goes on to the view, which makes the form it shows). Copying the fields
    was a tenth of a signing's time in a surge (issue 13)."""


SigningCheck.base_fields = SharedFields(PublicSignatureForm.base_fields)
