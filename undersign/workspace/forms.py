"""The workspace's input: every field an organiser types goes through one of these forms."""

from typing import Any

from django import forms
from django.core.validators import RegexValidator, URLValidator, validate_email
from django.utils.translation import gettext_lazy as _

from undersign.statements import markdown
from undersign.statements.models import Clause, Statement

MAX_MARKDOWN_BYTES = 1_000_000

language_code = RegexValidator(
    r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$",
    _("Enter a language code such as ru, uk, en, de or pt-br."),
)


class LanguageField(forms.CharField):
    default_validators = [language_code]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("widget", forms.TextInput(attrs={"size": 6, "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return (super().to_python(value) or "").lower()


def _text(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def safe_links(value: str) -> None:
    """Markdown whose links lead to web pages and mail addresses only (no `javascript:`)."""
    bad = markdown.unsafe_links(value)
    if bad:
        raise forms.ValidationError(
            _(
                "Links may lead only to web pages (https://…) and mail addresses (mailto:…): "
                "“%(link)s” does not."
            ),
            params={"link": bad[0][:80]},
        )


class CreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=80,
        required=False,
        help_text=_(
            "The statement's address: /s/<address>/. Left empty, it is made from the title."
        ),
    )
    language = LanguageField(
        label=_("Original language"),
        required=False,
        help_text=_("A code such as ru, uk, en or de. Left empty: the Markdown's lang, else en."),
    )
    markdown = forms.CharField(
        label=_("Markdown document"),
        required=False,
        widget=_text(12),
        help_text=_(
            "Paste a letter: its first heading becomes the title, a numbered list the clauses."
        ),
    )
    markdown_file = forms.FileField(label=_("or upload a Markdown file"), required=False)

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug and Statement.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("Another statement already has this address."))
        return slug

    def clean_markdown_file(self) -> str:
        upload = self.cleaned_data.get("markdown_file")
        if not upload:
            return ""
        if upload.size > MAX_MARKDOWN_BYTES:
            raise forms.ValidationError(_("The file is too large for a statement."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("markdown") and data.get("markdown_file"):
            self.add_error("markdown_file", _("Paste a document or upload one, not both."))
        elif not (data.get("title") or data.get("markdown") or data.get("markdown_file")):
            self.add_error("title", _("Give a title, or paste or upload a Markdown document."))
        return data

    @property
    def document(self) -> str:
        return self.cleaned_data.get("markdown") or self.cleaned_data.get("markdown_file") or ""


class SourcesField(forms.CharField):
    """Source links, one a line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        lines = (super().to_python(value) or "").splitlines()
        return [line.strip() for line in lines if line.strip()]

    def validate(self, value: list[str]) -> None:  # type: ignore[override]
        super().validate("\n".join(value))
        check = URLValidator(schemes=["http", "https"])
        for link in value:
            try:
                if link.lower().startswith("mailto:"):
                    validate_email(link[len("mailto:") :])
                else:
                    check(link)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("“%(link)s” is not a web address (https://…)."), params={"link": link}
                ) from None

    def prepare_value(self, value: Any) -> str:
        return "\n".join(value) if isinstance(value, list) else value


class StatementForm(forms.Form):
    """The original text and the metadata; the clauses come in a ClauseFormSet beside it."""

    title = forms.CharField(label=_("Title"), max_length=300)
    language = LanguageField(label=_("Original language"))
    addressee = forms.CharField(
        label=_("Addressed to"),
        max_length=300,
        required=False,
        help_text=_("For example: To the …"),
    )
    authors = forms.CharField(label=_("Authors"), required=False, widget=_text(2))
    preamble = forms.CharField(
        label=_("Preamble"), required=False, widget=_text(6), validators=[safe_links]
    )
    postscript = forms.CharField(
        label=_("Postscript"), required=False, widget=_text(4), validators=[safe_links]
    )
    first_published = forms.DateField(
        label=_("First published"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sources = SourcesField(label=_("Source links"), required=False, help_text=_("One a line."))
    based_on = forms.ModelChoiceField(
        label=_("Based on"), queryset=Statement.objects.none(), required=False
    )
    goal = forms.IntegerField(
        label=_("Goal"), min_value=1, required=False, help_text=_("A number of signatures.")
    )
    deadline = forms.DateTimeField(
        label=_("Signing deadline"),
        required=False,
        help_text=_("Signing closes by itself at this moment (UTC)."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    METADATA = ["language", "addressee", "authors", "first_published", "sources", "based_on"]
    METADATA += ["goal", "deadline"]

    def __init__(self, *args: Any, statement: Statement, **kwargs: Any) -> None:
        self.statement = statement
        kwargs.setdefault("initial", self.initial_from(statement))
        super().__init__(*args, **kwargs)
        based_on = self.fields["based_on"]
        assert isinstance(based_on, forms.ModelChoiceField)
        based_on.queryset = Statement.objects.exclude(pk=statement.pk).order_by("title")

    @classmethod
    def initial_from(cls, statement: Statement) -> dict[str, Any]:
        names = ["title", "preamble", "postscript", *cls.METADATA]
        return {name: getattr(statement, name) for name in names}

    def clean_language(self) -> str:
        language = self.cleaned_data["language"]
        if self.statement.translations.filter(language=language).exists():
            raise forms.ValidationError(
                _("There is a translation in this language; delete it or choose another.")
            )
        return language

    def text(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ["title", "preamble", "postscript"]}

    def metadata(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.METADATA}


class ClauseForm(forms.Form):
    # The clause's identity, so the service updates that clause (and keeps its translations)
    # whatever else moved; empty for a new clause.
    clause = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    text = forms.CharField(
        label=_("Text"), required=False, widget=_text(3), validators=[safe_links]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("text") and not data.get("DELETE"):
            self.add_error("text", _("A clause needs its text. To remove it, tick “Delete”."))
        return data


class BaseClauseFormSet(forms.BaseFormSet):
    def clauses(self) -> list[tuple[int | None, str]]:
        """The clauses in order as (clause id, text), without the deleted ones."""
        kept = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or not data.get("text"):
                continue  # a deleted clause, or the empty "new clause" box
            kept.append((data.get("clause"), data["text"]))
        return kept


ClauseFormSet = forms.formset_factory(
    ClauseForm, formset=BaseClauseFormSet, extra=1, can_delete=True, can_delete_extra=False
)


def clause_formset(statement: Statement, data: Any = None) -> BaseClauseFormSet:
    initial = [{"clause": c.pk, "text": c.text} for c in statement.clauses.all()]
    formset = ClauseFormSet(data, initial=initial, prefix="clauses")
    assert isinstance(formset, BaseClauseFormSet)
    return formset


class TranslationForm(forms.Form):
    """A translation: title, preamble, postscript, and one box for each original clause.

    Only the title is needed: a clause left empty is shown to readers in the original,
    marked, until someone translates it.
    """

    title = forms.CharField(label=_("Title"), max_length=300)
    preamble = forms.CharField(
        label=_("Preamble"), required=False, widget=_text(6), validators=[safe_links]
    )
    postscript = forms.CharField(
        label=_("Postscript"), required=False, widget=_text(4), validators=[safe_links]
    )

    def __init__(self, *args: Any, clauses: list[Clause], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clauses = clauses
        # Each box points screen readers at the original it translates, shown beside it, and
        # carries its language for spelling checks.
        for name in ("title", "preamble", "postscript"):
            self.fields[name].widget.attrs.update(
                {"aria-describedby": f"original-{name}", "lang": language}
            )
        for clause in clauses:
            widget = _text(3)
            widget.attrs.update(
                {"aria-describedby": f"original-clause-{clause.pk}", "lang": language}
            )
            self.fields[f"clause_{clause.pk}"] = forms.CharField(
                label=_("Clause %(number)d") % {"number": clause.number},
                widget=widget,
                required=False,
                validators=[safe_links],
            )

    def clause_field(self, clause: Clause) -> forms.BoundField:
        return self[f"clause_{clause.pk}"]

    def text(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "preamble": data["preamble"],
            "postscript": data["postscript"],
            "by_clause": {c.pk: data[f"clause_{c.pk}"] for c in self.clauses},
        }


class NewTranslationForm(forms.Form):
    language = LanguageField(label=_("Language of the new translation"))
