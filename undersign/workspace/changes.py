"""A published statement's unpublished changes: review them (the text as it would be
published, and what changed word by word), then publish them as the next revision in one
step, or discard them."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from undersign.statements import services
from undersign.statements.access import can, statement_for
from undersign.statements.diff import compare
from undersign.statements.services import StatementError
from undersign.statements.texts import canonical_text, language_code
from undersign.workspace.pages import language_name, workspace_view


@workspace_view
def changes(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "view")
    current = statement.current_revision
    if current is None:
        return redirect("workspace:preview", slug=statement.slug)
    working = canonical_text(statement)
    wanted = language_code(request.GET.get("lang")) or statement.language
    comparison = compare(current.text, working, wanted)
    context = {
        "statement": statement,
        "revision": current,
        "comparison": comparison,
        "unpublished": services.has_unpublished_changes(statement),
        "language_name": language_name(comparison.language),
        "original_language_name": language_name(comparison.original_language),
        "compare_languages": [(code, language_name(code)) for code in comparison.languages],
        "may_publish": can(request.user, statement, "publish"),
        "may_edit": can(request.user, statement, "edit"),
    }
    return render(request, "workspace/changes.html", context)


@workspace_view
@require_POST
def publish_changes(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "publish")
    try:
        revision = services.publish_changes(statement, actor=request.user)
    except StatementError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Published. The public page shows revision %(number)d.")
            % {"number": revision.number},
        )
    return redirect("workspace:edit", slug=statement.slug)


@workspace_view
def discard_changes(request: HttpRequest, slug: str) -> HttpResponse:
    """The GET asks, the POST discards."""
    statement = statement_for(request.user, slug, "edit")
    if request.method == "POST":
        try:
            services.discard_changes(statement, actor=request.user)
        except StatementError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The changes are discarded: the text is as published."))
        return redirect("workspace:edit", slug=statement.slug)
    context = {
        "statement": statement,
        "question": _("Discard the unpublished changes?"),
        "explanation": _(
            "The text and translations go back to the published revision. This cannot be undone."
        ),
        "button": _("Discard the changes"),
    }
    return render(request, "workspace/confirm.html", context)
