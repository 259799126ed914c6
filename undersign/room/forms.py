"""The participants' input: the code at the door, a text's ballot, an amendment."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from undersign.assemblies import codes
from undersign.assemblies.ballots import MAX_REASON, MAX_WORDING
from undersign.assemblies.models import Amendment, ClausePosition, TextPosition
from undersign.statements.texts import StatementText


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Access code"),
        max_length=64,
        help_text=_("The code on your card, for example 7KQ2-M9XD-4HTB-PW3E."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = codes.normalise(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("A code has 16 letters and digits, as printed on your card.")
            )
        return code


class BallotForm(forms.Form):
    """One text's ballot: support/oppose/abstain on the text, agree/disagree/pass on each
    of its clauses. Nothing is required: a participant may save a part and come back."""

    position = forms.ChoiceField(
        label=_("Your position on this text"),
        choices=TextPosition.Value.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args: Any, text: StatementText, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clause_texts = [c for c in text.clauses if c.id is not None]
        for clause in self.clause_texts:
            self.fields[f"clause-{clause.id}"] = forms.ChoiceField(
                label=_("Clause %(number)d") % {"number": clause.number},
                choices=ClausePosition.Value.choices,
                widget=forms.RadioSelect,
                required=False,
            )

    def clause_rows(self) -> list[tuple[Any, forms.BoundField]]:
        return [(c, self[f"clause-{c.id}"]) for c in self.clause_texts]

    def positions(self) -> tuple[str | None, dict[int, str]]:
        data = self.cleaned_data
        clauses = {
            c.id: data[f"clause-{c.id}"]
            for c in self.clause_texts
            if c.id is not None and data.get(f"clause-{c.id}")
        }
        return data.get("position") or None, clauses


class AmendmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you propose?"),
        choices=Amendment.Kind.choices,
        widget=forms.RadioSelect,
        initial=Amendment.Kind.REWORD,
    )
    wording = forms.CharField(
        label=_("Your wording"),
        max_length=MAX_WORDING,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=MAX_REASON,
        help_text=_("A sentence or two for the others and the organisers."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
