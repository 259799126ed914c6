"""The organisers' statement editor: thin views that read a form and call a service."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from undersign.statements import services
from undersign.statements.access import statement_for, statements_for
from undersign.statements.services import StatementError
from undersign.workspace.forms import CreateForm, StatementForm, clause_formset
from undersign.workspace.pages import last_changes, translation_states, workspace_view
from undersign.workspace.warnings import warn_third_party_links


@workspace_view
def statement_list(request: HttpRequest) -> HttpResponse:
    statements = list(
        statements_for(request.user)
        .prefetch_related("clauses", "translations")
        .order_by("-created_at", "-id")
    )
    changed = last_changes(statements)
    rows = [
        {
            "statement": s,
            "translations": translation_states(s),
            "updated": changed.get(s.pk, s.created_at),
        }
        for s in statements
    ]
    return render(request, "workspace/list.html", {"rows": rows})


@workspace_view
def create(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = CreateForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            if form.document:
                statement = services.import_markdown(
                    form.document,
                    slug=data["slug"] or None,
                    language=data["language"] or None,
                    actor=request.user,
                )
            else:
                statement = services.create_statement(
                    slug=data["slug"],
                    title=data["title"],
                    language=data["language"] or "en",
                    clauses=[],
                    actor=request.user,
                )
        except StatementError as error:
            form.add_error("markdown" if form.document else None, error.message)
        else:
            messages.success(request, _("The draft is created. Nobody else sees it yet."))
            warn_third_party_links(request, form.document)
            return redirect("workspace:edit", slug=statement.slug)
    status = 400 if form.is_bound else 200
    return render(request, "workspace/create.html", {"form": form}, status=status)


@workspace_view
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "edit")
    data = request.POST if request.method == "POST" else None
    form = StatementForm(data, statement=statement)
    clauses = clause_formset(statement, data)
    if data is not None and form.is_valid() and clauses.is_valid():
        try:
            services.revise_statement(
                statement,
                **form.text(),
                clauses=clauses.clauses(),
                actor=request.user,
                **form.metadata(),
            )
        except StatementError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("workspace:edit", slug=statement.slug)
    context = {
        "statement": statement,
        "form": form,
        "clauses": clauses,
        "translations": translation_states(statement),
    }
    return render(request, "workspace/edit.html", context, status=400 if data else 200)


@workspace_view
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "publish")
    services.publish_statement(statement, actor=request.user)
    revision = statement.current_revision
    number = revision.number if revision else 0
    messages.success(
        request, _("Published. The public page shows revision %(number)d.") % {"number": number}
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
        messages.success(request, _("Signing is closed. The text and signatures stay public."))
    return redirect("workspace:edit", slug=statement.slug)
