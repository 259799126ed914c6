"""The signing form of a statement, as its organisers shape it: what it asks besides every
signer's fields."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from undersign.signatures import fields, questions
from undersign.statements.access import statement_for
from undersign.statements.services import set_signing_options
from undersign.workspace.pages import workspace_view


class OptionsForm(forms.Form):
    ask_took_part = forms.BooleanField(
        label=gettext_lazy("Ask “I took part in the assembly”"),
        required=False,
        help_text=gettext_lazy(
            "For a statement that came out of an assembly: signers who took part can say so, "
            "and the dashboard counts them. Seen only by the organisers."
        ),
    )


def _who_sees(declared: fields.SignerField) -> str:
    if declared.seen_by == fields.SeenBy.PUBLIC:
        return _("everyone")
    if declared.seen_by == fields.SeenBy.ORGANISERS:
        return _("the organisers")
    return _("the organisers who may see contacts")


@workspace_view
def signing_form(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "edit")
    if request.method == "POST":
        form = OptionsForm(request.POST)
        if form.is_valid():
            set_signing_options(
                statement, ask_took_part=form.cleaned_data["ask_took_part"], actor=request.user
            )
            messages.success(request, _("The signing form is saved."))
            return redirect("workspace:signing_form", slug=statement.slug)
    else:
        form = OptionsForm(initial={"ask_took_part": statement.ask_took_part})
    current = {q.pk: questions.original_of(q) for q in questions.of_statement(statement.pk)}
    context = {
        "statement": statement,
        "form": form,
        "questions": [
            (
                q,
                questions.wording(q, get_language()).label,
                [(t.language, t.original != current[q.pk]) for t in q.translations.all()],
            )
            for q in questions.of_statement(statement.pk)
        ],
        "asked": [
            (declared.label, declared.required, _who_sees(declared))
            for declared in fields.asked(statement)
            if declared.kind not in (fields.Kind.DISPLAY, fields.Kind.CONSENT)
        ],
    }
    return render(request, "workspace/signing_form.html", context)
