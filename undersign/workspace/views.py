"""The organisers' statement editor: thin views that read a form and call a service.

The editor changes the working copy only; a published statement's changes go public with
"Publish changes" (see changes.py), so nothing goes public by saving.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from undersign.statements import services
from undersign.statements.access import (
    can,
    creation_teams,
    may_create,
    permissions_on,
    statement_for,
    statements_for,
)
from undersign.statements.models import Statement
from undersign.statements.services import StatementError
from undersign.workspace.forms import StatementForm, clause_formset
from undersign.workspace.pages import last_changes, translation_states, workspace_view
from undersign.workspace.team_forms import CreateInTeamForm
from undersign.workspace.warnings import warn_third_party_links


@workspace_view
def statement_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    statements = list(
        statements_for(user)
        .select_related("team")
        .prefetch_related("clauses", "translations")
        .order_by("-created_at", "-id")
    )
    changed = last_changes(statements)
    permissions = permissions_on(user, statements)
    rows = [
        {
            "statement": s,
            "translations": translation_states(s),
            "updated": changed.get(s.pk, s.created_at),
            "editable": "edit" in permissions[s.pk],
            "movable": "manage" in permissions[s.pk],
        }
        for s in statements
    ]
    context = {"rows": rows, "may_create": may_create(user)}
    return render(request, "workspace/list.html", context)


@workspace_view
def create(request: HttpRequest) -> HttpResponse:
    teams = creation_teams(request.user)
    if not teams.exists():
        raise Http404
    posted = request.method == "POST"
    form = CreateInTeamForm(
        request.POST if posted else None, request.FILES if posted else None, teams=teams
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            if form.document:
                statement = services.import_markdown(
                    form.document,
                    slug=data["slug"] or None,
                    language=data["language"] or None,
                    actor=request.user,
                    team=data["team"],
                )
            else:
                statement = services.create_statement(
                    slug=data["slug"],
                    title=data["title"],
                    language=data["language"] or "en",
                    clauses=[],
                    actor=request.user,
                    team=data["team"],
                )
        except StatementError as error:
            form.add_error("markdown" if form.document else None, error.message)
        else:
            messages.success(request, _("The draft is created. Nobody else sees it yet."))
            warn_third_party_links(request, form.document)
            if can(request.user, statement, "edit"):
                return redirect("workspace:edit", slug=statement.slug)
            return redirect("workspace:preview", slug=statement.slug)
    status = 400 if form.is_bound else 200
    return render(request, "workspace/create.html", {"form": form}, status=status)


def _moved(request: HttpRequest) -> tuple[int, int] | None:
    """The clause a "move up"/"move down" button asked to move: (clause id, -1 or +1)."""
    direction, _sep, clause = request.POST.get("move", "").partition(":")
    if direction not in ("up", "down") or not clause.isdigit() or len(clause) > 18:
        return None
    return int(clause), -1 if direction == "up" else 1


@workspace_view
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "edit")
    data = request.POST if request.method == "POST" else None
    form = StatementForm(data, statement=statement)
    clauses = clause_formset(statement, data)
    if data is not None and form.is_valid() and clauses.is_valid():
        move = _moved(request)
        try:
            with transaction.atomic():  # saved and moved, or neither
                services.revise_statement(
                    statement,
                    **form.text(),
                    clauses=clauses.clauses(),
                    actor=request.user,
                    **form.metadata(),
                )
                if move:
                    services.move_clause(statement, *move, actor=request.user)
        except StatementError as error:
            form.add_error(None, error.message)
        else:
            if move:
                messages.success(request, _("Saved, and the clause moved."))
            elif statement.current_revision is not None:
                messages.success(
                    request,
                    _("Saved. The public page does not show it until you publish the changes."),
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("workspace:edit", slug=statement.slug)
    context = {
        "statement": statement,
        "form": form,
        "clauses": clauses,
        "translations": translation_rows(statement),
        "unpublished": services.has_unpublished_changes(statement),
        "may_publish": can(request.user, statement, "publish"),
        "may_delete": can(request.user, statement, "manage"),
    }
    return render(request, "workspace/edit.html", context, status=400 if data else 200)


def translation_rows(statement: Statement) -> list[dict]:
    """Each translation with how much of the original it covers, for the editor's list."""
    from undersign.statements.texts import working_text

    rows = []
    for code, name, outdated in translation_states(statement):
        text = working_text(statement, code)
        rows.append(
            {
                "code": code,
                "name": name,
                "outdated": outdated,
                "translated": len(text.clauses) - text.fallback_clauses,
                "total": len(text.clauses),
            }
        )
    return rows


@workspace_view
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "publish")
    try:
        services.publish_statement(statement, actor=request.user)
    except StatementError as error:
        messages.error(request, error.message)
    else:
        revision = statement.current_revision
        number = revision.number if revision else 0
        messages.success(
            request,
            _("Published. The public page shows revision %(number)d.") % {"number": number},
        )
    return redirect("workspace:edit", slug=statement.slug)


@workspace_view
@require_POST
def close(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "publish")
    try:
        services.close_statement(statement, actor=request.user)
    except StatementError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Signing is closed. The text and signatures stay public; the text is frozen."),
        )
    return redirect("workspace:edit", slug=statement.slug)


@workspace_view
@require_POST
def reopen(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "publish")
    try:
        services.reopen_statement(statement, actor=request.user)
    except StatementError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Signing is open again, and the text can be changed."))
    return redirect("workspace:edit", slug=statement.slug)


@workspace_view
def delete(request: HttpRequest, slug: str) -> HttpResponse:
    """A draft's deletion: the GET asks, the POST deletes."""
    statement = statement_for(request.user, slug, "manage")
    if request.method == "POST":
        try:
            services.delete_statement(statement, actor=request.user)
        except StatementError as error:
            messages.error(request, error.message)
            return redirect("workspace:edit", slug=statement.slug)
        messages.success(
            request, _("The draft “%(title)s” is deleted.") % {"title": statement.title}
        )
        return redirect("workspace:statements")
    context = {
        "statement": statement,
        "question": _("Delete the draft “%(title)s”?") % {"title": statement.title},
        "explanation": _("Its text and translations are deleted. This cannot be undone."),
        "button": _("Delete the draft"),
    }
    return render(request, "workspace/confirm.html", context)
