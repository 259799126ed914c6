"""The statement's own questions, as its editors write and translate them (issue 12)."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from undersign.signatures import questions
from undersign.signatures.models import Question
from undersign.statements.access import statement_for
from undersign.statements.models import Statement
from undersign.statements.texts import languages_of
from undersign.workspace.pages import language_name, workspace_view


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


class QuestionForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Question"), max_length=300)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of answer"),
        choices=Question.Kind.choices,
        initial=Question.Kind.YES_NO,
        widget=forms.RadioSelect,
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who sees the answers"),
        choices=Question.Visibility.choices,
        initial=Question.Visibility.ORGANISERS,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Answers for the organisers are kept like contacts: sealed on a sealed statement, "
            "erased with the contacts. The organisers count and filter by them while the "
            "server can read them; answers for contacts viewers are never counted."
        ),
    )
    choices = forms.CharField(
        label=gettext_lazy("Choices, one a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "For one or several choices. Once people have answered, reword a choice in its "
            "line or add new ones at the end; do not move or remove them."
        ),
    )
    required = forms.BooleanField(label=gettext_lazy("An answer is required"), required=False)
    asked = forms.BooleanField(
        label=gettext_lazy("Ask it on the signing form"), required=False, initial=True
    )
    position = forms.IntegerField(
        label=gettext_lazy("Position on the form"), min_value=1, max_value=1000, required=False
    )
    translations_checked = forms.BooleanField(
        label=gettext_lazy("The translations below still say what this wording says"),
        required=False,
        help_text=gettext_lazy(
            "A translation you do not change stays marked out of date after the question "
            "changed, and readers get the original, until you tick this or change it."
        ),
    )

    def __init__(
        self, *args: Any, languages: list[tuple[str, str]], locked: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.languages = languages
        for code, name in languages:
            # What is typed there is in that language (screen readers, spelling).
            self.fields[f"label_{code}"] = forms.CharField(
                label=_("Question in %(language)s") % {"language": name},
                max_length=300,
                required=False,
                widget=forms.TextInput(attrs={"lang": code}),
            )
            self.fields[f"choices_{code}"] = forms.CharField(
                label=_("Choices in %(language)s, in the same order") % {"language": name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 5, "lang": code}),
            )
        for name in ("kind", "visibility"):
            self.fields[name].widget_kind = "radios"  # type: ignore[attr-defined]
        self.fields["translations_checked"].widget_kind = "checkbox"  # type: ignore[attr-defined]
        if locked:
            for name in ("kind", "visibility"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "People have answered since this question was added: this stays as it is."
                )

    @property
    def translation_fields(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (name, self[f"label_{code}"], self[f"choices_{code}"]) for code, name in self.languages
        ]

    def question_input(self) -> questions.QuestionInput:
        data = self.cleaned_data
        return questions.QuestionInput(
            label=data["label"],
            kind=data["kind"],
            visibility=data["visibility"],
            required=data["required"],
            asked=data["asked"],
            position=data.get("position"),
            choices=_lines(data.get("choices") or ""),
            translations={
                code: (data.get(f"label_{code}") or "", _lines(data.get(f"choices_{code}") or ""))
                for code, _n in self.languages
            },
            translations_checked=data["translations_checked"],
        )


def other_languages(statement: Statement) -> list[tuple[str, str]]:
    """The languages a question may be translated into: the site's and the statement's,
    but not its original."""
    codes = [code for code, _n in settings.LANGUAGES]
    codes += [code for code in languages_of(statement) if code not in codes]
    return [(code, language_name(code)) for code in codes if code != statement.language]


def _initial(question: Question) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "label": question.label,
        "kind": question.kind,
        "visibility": question.visibility,
        "choices": "\n".join(c["label"] for c in question.choices),
        "required": question.required,
        "asked": question.asked,
        "position": question.position,
    }
    for translation in question.translations.all():
        initial[f"label_{translation.language}"] = translation.label
        initial[f"choices_{translation.language}"] = "\n".join(
            translation.choices.get(c["key"], "") for c in question.choices
        )
    return initial


def _page(request, statement, form, question=None, status=200) -> HttpResponse:
    outdated = []
    if question is not None:
        current = questions.original_of(question)
        outdated = [
            language_name(t.language) for t in question.translations.all() if t.original != current
        ]
    context = {
        "statement": statement,
        "form": form,
        "question": question,
        "original_name": language_name(statement.language),
        "outdated": outdated,
    }
    return render(request, "workspace/question.html", context, status=status)


@workspace_view
def question_new(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "edit")
    languages = other_languages(statement)
    form = QuestionForm(request.POST or None, languages=languages)
    if request.method == "POST" and form.is_valid():
        try:
            questions.add_question(statement, form.question_input(), actor=request.user)
        except questions.QuestionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The question is on the signing form."))
            return redirect("workspace:signing_form", slug=statement.slug)
    return _page(request, statement, form, status=400 if form.errors else 200)


@workspace_view
def question(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    statement = statement_for(request.user, slug, "edit")
    try:
        found = questions.question_of(statement, question_id)
    except Question.DoesNotExist:
        raise Http404 from None
    locked = questions.is_answered(found)
    languages = other_languages(statement)
    if request.method == "POST" and "delete" in request.POST:
        try:
            questions.delete_question(found, actor=request.user)
        except questions.QuestionError as error:
            messages.error(request, error.message)
            return redirect("workspace:question", slug=statement.slug, question_id=found.pk)
        messages.success(request, _("The question is deleted."))
        return redirect("workspace:signing_form", slug=statement.slug)
    form = QuestionForm(
        request.POST or None, initial=_initial(found), languages=languages, locked=locked
    )
    if request.method == "POST" and form.is_valid():
        try:
            questions.change_question(found, form.question_input(), actor=request.user)
        except questions.QuestionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The question is saved."))
            return redirect("workspace:signing_form", slug=statement.slug)
    return _page(request, statement, form, found, status=400 if form.errors else 200)
