"""Translations side by side with the original, and the preview of the working copy."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from undersign.statements import services
from undersign.statements.access import statement_for
from undersign.statements.models import Statement, StatementTranslation
from undersign.statements.services import StatementError, original_hash
from undersign.statements.texts import working_text
from undersign.workspace.forms import NewTranslationForm, TranslationForm, language_code
from undersign.workspace.pages import language_name, workspace_view


def _initial(translation: StatementTranslation | None) -> dict:
    if translation is None:
        return {}
    initial = {
        "title": translation.title,
        "preamble": translation.preamble,
        "postscript": translation.postscript,
    }
    initial.update({f"clause_{c.clause_id}": c.text for c in translation.clauses.all()})
    return initial


def _checked_language(statement: Statement, language: str) -> str:
    try:
        language_code(language)
    except Exception:
        raise Http404 from None
    if language == statement.language:
        raise Http404
    return language


@workspace_view
def translation(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "edit")
    language = _checked_language(statement, language)
    existing = statement.translations.filter(language=language).first()
    originals = list(statement.clauses.all())
    data = request.POST if request.method == "POST" else None
    form = TranslationForm(data, initial=_initial(existing), clauses=originals, language=language)
    if data is not None and form.is_valid():
        try:
            services.set_translation(
                statement, language=language, **form.text(), actor=request.user
            )
        except StatementError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The translation is saved."))
            return redirect("workspace:translation", slug=statement.slug, language=language)
    # Which clauses were translated from an earlier wording of the original.
    made_from = {c.clause_id: c.original for c in existing.clauses.all()} if existing else {}
    context = {
        "statement": statement,
        "form": form,
        "language": language,
        "language_name": language_name(language),
        "original_name": language_name(statement.language),
        "is_new": existing is None,
        "outdated": existing is not None and existing.original_hash != original_hash(statement),
        "pairs": [
            (c, form.clause_field(c), c.pk in made_from and made_from[c.pk] != c.text)
            for c in originals
        ],
        "missing": sum(1 for c in originals if c.pk not in made_from),
    }
    return render(request, "workspace/translation.html", context, status=400 if data else 200)


@workspace_view
def delete_translation(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    """The GET asks, the POST deletes."""
    statement = statement_for(request.user, slug, "edit")
    language = _checked_language(statement, language)
    if not statement.translations.filter(language=language).exists():
        raise Http404
    name = language_name(language)
    if request.method == "POST":
        try:
            services.delete_translation(statement, language, actor=request.user)
        except StatementError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("The %(language)s translation is deleted.") % {"language": name}
            )
        return redirect("workspace:edit", slug=statement.slug)
    context = {
        "statement": statement,
        "question": _("Delete the %(language)s translation?") % {"language": name},
        "explanation": _("A published statement keeps showing it until you publish the changes."),
        "button": _("Delete the translation"),
    }
    return render(request, "workspace/confirm.html", context)


@workspace_view
def new_translation(request: HttpRequest, slug: str) -> HttpResponse:
    """The small "add a translation" form: a GET that only leads to the translation's page."""
    statement = statement_for(request.user, slug, "edit")
    form = NewTranslationForm(request.GET)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if language != statement.language:
            return redirect("workspace:translation", slug=statement.slug, language=language)
        form.add_error("language", _("This is the original language; edit the original instead."))
    messages.error(request, " ".join(str(e) for e in form.errors.get("language", [])))
    return redirect("workspace:edit", slug=statement.slug)


@workspace_view
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The working copy as the public page would show it once published."""
    statement = statement_for(request.user, slug, "view")
    wanted = request.GET.get("lang", "").strip().lower()[:10] or statement.language
    text = working_text(statement, wanted)
    context = {
        "statement": statement,
        "text": text,
        "missing_language": wanted != text.language,
        "wanted_language_name": language_name(wanted),
        "text_language_name": language_name(text.language),
        "other_languages": [
            (code, language_name(code)) for code in text.languages if code != text.language
        ],
        "unpublished": services.has_unpublished_changes(statement),
    }
    return render(request, "workspace/preview.html", context)
