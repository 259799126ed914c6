"""Forms of the organisers' assembly pages."""

import csv
import io
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from undersign.assemblies.models import Assembly, AssemblyText
from undersign.assemblies.services import MAX_CODES
from undersign.assemblies.tallies import CLAUSE_COUNTS, MAX_COUNT, TEXT_COUNTS, Counts
from undersign.organisers.models import Team
from undersign.statements.models import Clause, Statement
from undersign.statements.texts import language_code
from undersign.workspace.forms import LanguageField

MAX_LIST_BYTES = 1_000_000


class LanguagesField(forms.CharField):
    """Language codes separated by commas or spaces: "ru, uk, de"."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        codes = [part for part in text.replace(",", " ").split() if part]
        wrong = [code for code in codes if language_code(code) != code.lower()]
        if wrong:
            raise forms.ValidationError(
                _("Not a language code: %(code)s. Use codes such as ru, uk, en or de.")
                % {"code": wrong[0][:20]}
            )
        return list(dict.fromkeys(code.lower() for code in codes))

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value


class AssemblyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    starts_on = forms.DateField(
        label=_("First day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    languages = LanguagesField(
        label=_("Languages"),
        max_length=100,
        required=False,
        help_text=_("Of the texts and the room, e.g. ru, uk, de. The cards print in the first."),
    )
    secret = forms.BooleanField(
        label=_("Secret positions"),
        required=False,
        initial=True,
        help_text=_(
            "Nobody, the organisers included, can see who marked what. Without it, positions "
            "are named; participants are told before voting opens. Fixed once voting opens."
        ),
    )

    def __init__(self, *args: Any, assembly: Assembly | None = None, **kwargs: Any) -> None:
        if assembly is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": assembly.name,
                    "place": assembly.place,
                    "starts_on": assembly.starts_on,
                    "ends_on": assembly.ends_on,
                    "languages": assembly.languages,
                    "secret": assembly.secret,
                },
            )
        super().__init__(*args, **kwargs)
        if assembly is not None and assembly.status != Assembly.Status.DRAFT:
            self.fields["secret"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The assembly cannot end before it starts."))
        return data


class CreateAssemblyForm(AssemblyForm):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), empty_label=None)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=80,
        required=False,
        help_text=_("Participants sign in at /a/<address>/. Left empty, it is made from the name."),
    )
    field_order = ["team", "name", "slug", "place", "starts_on", "ends_on", "languages", "secret"]

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        only = list(teams[:2])
        self.only_team = only[0] if len(only) == 1 else None
        if self.only_team is not None:
            self.fields["team"].required = False
            self.fields["team"].initial = self.only_team

    def clean_team(self) -> Team | None:
        return self.cleaned_data.get("team") or self.only_team

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug and Assembly.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("Another assembly already has this address."))
        return slug


class AddStatementForm(forms.Form):
    statement = forms.ModelChoiceField(
        label=_("A statement of the team"), queryset=Statement.objects.none()
    )

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = assembly.texts.values("statement")
        self.fields["statement"].queryset = (  # type: ignore[attr-defined]
            Statement.objects.filter(team=assembly.team).exclude(pk__in=taken).order_by("title")
        )


class NewTextForm(forms.Form):
    title = forms.CharField(label=_("Title of a new draft"), max_length=300)
    language = LanguageField(label=_("Its language"), initial="en")


class CodesForm(forms.Form):
    count = forms.IntegerField(
        label=_("How many codes"),
        min_value=1,
        max_value=MAX_CODES,
        help_text=_("Numbered on from the last card."),
    )


class ImportForm(forms.Form):
    names = forms.FileField(
        label=_("A list of participants (CSV)"),
        help_text=_("With a column headed “name”; each row gets a code."),
    )

    def clean_names(self) -> list[str]:
        upload = self.cleaned_data["names"]
        if upload.size > MAX_LIST_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel  # type: ignore[assignment]
        rows = csv.DictReader(io.StringIO(text), dialect=dialect)
        column = next((f for f in rows.fieldnames or [] if f and f.strip().lower() == "name"), None)
        if column is None:
            raise forms.ValidationError(_("The list has no column headed “name”."))
        names = [(row.get(column) or "").strip() for row in rows]
        names = [name for name in names if name]
        if not names:
            raise forms.ValidationError(_("The list has no names."))
        if len(names) > MAX_CODES:
            raise forms.ValidationError(_("At most %(max)d codes at a time.") % {"max": MAX_CODES})
        return names


def _count_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_COUNT,
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
    )


class TallyForm(forms.Form):
    """The paper counts of one text: support/oppose/abstain, then per clause
    agree/disagree/pass. Empty means 0."""

    LABELS = {
        "support": _("Support"),
        "oppose": _("Oppose"),
        "abstain": _("Abstain"),
        "agree": _("Agree"),
        "disagree": _("Disagree"),
        "pass_count": _("Pass"),
    }

    def __init__(self, *args: Any, text: AssemblyText, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clauses = list(text.statement.clauses.order_by("number"))
        existing = {t.clause_id: t for t in text.paper_tallies.all()}
        for name in TEXT_COUNTS:
            self.fields[name] = _count_field(self.LABELS[name])
            if None in existing:
                self.fields[name].initial = getattr(existing[None], name)
        for clause in self.clauses:
            for name in CLAUSE_COUNTS:
                field = _count_field(self.LABELS[name])
                if clause.pk in existing:
                    field.initial = getattr(existing[clause.pk], name)
                self.fields[f"{name}-{clause.pk}"] = field

    def text_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in TEXT_COUNTS]

    def clause_rows(self) -> list[tuple[Clause, list[forms.BoundField]]]:
        return [(c, [self[f"{name}-{c.pk}"] for name in CLAUSE_COUNTS]) for c in self.clauses]

    def rows(self) -> list[Counts]:
        data = self.cleaned_data
        rows = [Counts(None, {name: data.get(name) or 0 for name in TEXT_COUNTS})]
        rows += [
            Counts(c, {name: data.get(f"{name}-{c.pk}") or 0 for name in CLAUSE_COUNTS})
            for c in self.clauses
        ]
        return rows


class AcceptForm(forms.Form):
    wording = forms.CharField(
        label=_("Wording that goes into the text"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "In the text's original language. Proposed in another language? Translate it here."
        ),
    )


class LinkForm(forms.Form):
    a = forms.TypedChoiceField(label=_("This clause"), coerce=int)
    b = forms.TypedChoiceField(label=_("says the same as"), coerce=int)

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = []
        for text in assembly.texts.select_related("statement").order_by("position", "pk"):
            clauses = text.statement.clauses.order_by("number")
            groups.append(
                (
                    text.statement.title,
                    [(c.pk, f"{c.number}. {_short(c.text)}") for c in clauses],
                )
            )
        self.fields["a"].choices = groups  # type: ignore[attr-defined]
        self.fields["b"].choices = groups  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("a", "b"):
            pk = data.get(name)
            data[f"clause_{name}"] = Clause.objects.filter(pk=pk).first() if pk else None
        return data


def _short(text: str, length: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"
