"""The organisers' assembly pages: the list, a new assembly, its overview (details, texts on
the ballot, opening and closing), the campaign step and a text's revisions.

Participants, codes and cards are in assembly_participants.py; amendments, paper tallies
and clause links in assembly_decisions.py. Every view asks
`undersign.assemblies.access.assembly_for(user, slug, perm)`.
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from undersign.assemblies import services
from undersign.assemblies.access import assemblies_for, assembly_for, can, managing_teams
from undersign.assemblies.models import Assembly, AssemblyText
from undersign.assemblies.services import AssemblyError
from undersign.statements.diff import compare
from undersign.statements.texts import language_code, languages_of
from undersign.workspace.assembly_forms import (
    AddStatementForm,
    AssemblyForm,
    CreateAssemblyForm,
    NewTextForm,
)
from undersign.workspace.pages import language_name, workspace_view


@workspace_view
def assembly_list(request: HttpRequest) -> HttpResponse:
    assemblies = (
        assemblies_for(request.user)
        .select_related("team")
        .annotate(
            text_count=Count("texts", distinct=True),
            participant_count=Count(
                "participants", filter=Q(participants__revoked_at__isnull=True), distinct=True
            ),
        )
    )
    context = {
        "assemblies": assemblies,
        "may_create": managing_teams(request.user).exists(),
    }
    return render(request, "workspace/assembly/list.html", context)


@workspace_view
def assembly_create(request: HttpRequest) -> HttpResponse:
    teams = managing_teams(request.user)
    if not teams.exists():
        raise Http404
    form = CreateAssemblyForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assembly = services.create_assembly(
                name=data["name"],
                team=data["team"],
                slug=data["slug"],
                place=data["place"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                languages=data["languages"],
                secret=data["secret"],
                actor=request.user,
            )
        except AssemblyError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The assembly is set up. Put its texts on the ballot."))
            return redirect("workspace:assembly", assembly_slug=assembly.slug)
    status = 400 if form.is_bound else 200
    return render(request, "workspace/assembly/create.html", {"form": form}, status=status)


def _text_rows(assembly: Assembly) -> list[dict]:
    rows = []
    texts = assembly.texts.select_related("statement__current_revision").annotate(
        clause_count=Count("statement__clauses", distinct=True),
        revision_count=Count("statement__revisions", distinct=True),
    )
    for text in texts.order_by("position", "pk"):
        rows.append(
            {
                "text": text,
                "statement": text.statement,
                "languages": languages_of(text.statement),
            }
        )
    return rows


@workspace_view
def assembly_overview(request: HttpRequest, assembly_slug: str) -> HttpResponse:
    """The assembly's page. Its POST takes one of three forms, named by `form`: the details,
    a statement of the team to put on the ballot, or a new draft to put there."""
    posted = request.method == "POST"
    assembly = assembly_for(request.user, assembly_slug, "manage" if posted else "view")
    manage = posted or can(request.user, assembly, "manage")
    which = request.POST.get("form", "") if posted else ""
    settings_form = AssemblyForm(
        request.POST if which == "settings" else None, assembly=assembly, prefix="settings"
    )
    add_form = AddStatementForm(
        request.POST if which == "add" else None, assembly=assembly, prefix="add"
    )
    new_form = NewTextForm(request.POST if which == "new" else None, prefix="new")
    bound = {"settings": settings_form, "add": add_form, "new": new_form}.get(which)
    if bound is not None and bound.is_valid():
        data = bound.cleaned_data
        try:
            if which == "settings":
                services.edit_assembly(
                    assembly,
                    name=data["name"],
                    place=data["place"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    languages=data["languages"],
                    secret=data["secret"] if assembly.status == Assembly.Status.DRAFT else None,
                    actor=request.user,
                )
                messages.success(request, _("Saved."))
            elif which == "add":
                services.add_text(assembly, data["statement"], actor=request.user)
                messages.success(request, _("The text is on the ballot."))
            else:
                text = services.add_new_text(
                    assembly, title=data["title"], language=data["language"], actor=request.user
                )
                messages.success(
                    request, _("The draft is on the ballot. Write its clauses in the editor.")
                )
                return redirect("workspace:edit", slug=text.statement.slug)
        except AssemblyError as error:
            bound.add_error(None, error.message)
        else:
            return redirect("workspace:assembly", assembly_slug=assembly.slug)
    counts = assembly.participants.aggregate(
        total=Count("pk"), revoked=Count("pk", filter=Q(revoked_at__isnull=False))
    )
    context = {
        "assembly": assembly,
        "manage": manage,
        "texts": _text_rows(assembly),
        "participants": counts["total"] - counts["revoked"],
        "revoked": counts["revoked"],
        "ballots": assembly.ballots.filter(
            Q(text_positions__isnull=False) | Q(clause_positions__isnull=False)
        )
        .distinct()
        .count(),
        "proposed": assembly.amendments.filter(status="proposed").count(),
        "settings_form": settings_form,
        "add_form": add_form,
        "new_form": new_form,
    }
    status = 400 if bound is not None else 200
    return render(request, "workspace/assembly/overview.html", context, status=status)


def _text(assembly: Assembly, text_slug: str) -> AssemblyText:
    text = assembly.texts.select_related("statement").filter(statement__slug=text_slug).first()
    if text is None:
        raise Http404
    return text


def _done(request: HttpRequest, assembly: Assembly, call, success: str) -> HttpResponse:
    try:
        call()
    except AssemblyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("workspace:assembly", assembly_slug=assembly.slug)


@workspace_view
@require_POST
def assembly_open(request: HttpRequest, assembly_slug: str) -> HttpResponse:
    assembly = assembly_for(request.user, assembly_slug, "manage")
    return _done(
        request,
        assembly,
        lambda: services.open_voting(assembly, actor=request.user),
        _("Voting is open."),
    )


def _confirm(request: HttpRequest, assembly: Assembly, **context: str) -> HttpResponse:
    return render(request, "workspace/assembly/confirm.html", {"assembly": assembly, **context})


@workspace_view
def assembly_close(request: HttpRequest, assembly_slug: str) -> HttpResponse:
    """The GET asks, the POST closes."""
    assembly = assembly_for(request.user, assembly_slug, "manage")
    if request.method == "POST":
        return _done(
            request,
            assembly,
            lambda: services.close_voting(assembly, actor=request.user),
            _("Voting is closed. The results are final."),
        )
    return _confirm(
        request,
        assembly,
        question=_("Close voting in “%(name)s”?") % {"name": assembly.name},
        explanation=_("Nobody can change a position afterwards. This cannot be undone."),
        button=_("Close voting"),
    )


@workspace_view
@require_POST
def assembly_text_remove(request: HttpRequest, assembly_slug: str, text_slug: str) -> HttpResponse:
    assembly = assembly_for(request.user, assembly_slug, "manage")
    text = _text(assembly, text_slug)
    return _done(
        request,
        assembly,
        lambda: services.remove_text(text, actor=request.user),
        _("The text is off the ballot. The statement itself stays."),
    )


@workspace_view
def assembly_campaign(request: HttpRequest, assembly_slug: str, text_slug: str) -> HttpResponse:
    """The GET asks, the POST publishes the text for signatures with the room's result."""
    assembly = assembly_for(request.user, assembly_slug, "manage")
    text = _text(assembly, text_slug)
    if request.method == "POST":
        try:
            statement = services.start_campaign(text, actor=request.user)
        except AssemblyError as error:
            messages.error(request, error.message)
            return redirect("workspace:assembly", assembly_slug=assembly.slug)
        messages.success(
            request,
            _("“%(title)s” is public and open for signatures, with the room's result.")
            % {"title": statement.title},
        )
        return redirect("workspace:edit", slug=statement.slug)
    return _confirm(
        request,
        assembly,
        question=_("Publish “%(title)s” for signatures?") % {"title": text.statement.title},
        explanation=_(
            "Its current text becomes public at /s/%(slug)s/, open for signatures, with a "
            "short summary of its result in this assembly."
        )
        % {"slug": text.statement.slug},
        button=_("Publish with the room's result"),
    )


@workspace_view
def assembly_revisions(request: HttpRequest, assembly_slug: str, text_slug: str) -> HttpResponse:
    """A text's revisions, and what changed between two of them word by word: where the
    organisers see what accepting amendments did (also to a draft, which has no public
    diff page)."""
    assembly = assembly_for(request.user, assembly_slug, "view")
    text = _text(assembly, text_slug)
    revisions = list(text.statement.revisions.defer("text").order_by("number"))
    numbers = [r.number for r in revisions]
    comparison = old = new = None
    if len(revisions) >= 2:
        try:
            new_number = int(request.GET.get("to") or numbers[-1])
            old_number = int(request.GET.get("from") or new_number - 1)
        except ValueError:
            raise Http404 from None
        if old_number not in numbers or new_number not in numbers:
            raise Http404
        old = text.statement.revisions.get(number=old_number)
        new = text.statement.revisions.get(number=new_number)
        wanted = language_code(request.GET.get("lang")) or text.statement.language
        comparison = compare(old.text, new.text, wanted)
    accepted = {
        a.revision_id: a
        for a in assembly.amendments.filter(text=text, revision__isnull=False).select_related(
            "clause"
        )
    }
    context = {
        "assembly": assembly,
        "assembly_text": text,
        "statement": text.statement,
        "revisions": [(r, accepted.get(r.pk)) for r in reversed(revisions)],
        "numbers": numbers,
        "old": old,
        "new": new,
        "comparison": comparison,
        "language_name": language_name(comparison.language) if comparison else "",
    }
    return render(request, "workspace/assembly/revisions.html", context)
