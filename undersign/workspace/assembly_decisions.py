"""What organisers decide and enter: amendments (accepted into a new revision, or
rejected), the room's paper tallies, and links between clauses of different texts."""

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from undersign.assemblies import amendments as deciding
from undersign.assemblies import tallies
from undersign.assemblies.access import assembly_for, can
from undersign.assemblies.models import Amendment, Assembly
from undersign.assemblies.services import AssemblyError
from undersign.workspace.assemblies import _text
from undersign.workspace.assembly_forms import AcceptForm, LinkForm, TallyForm
from undersign.workspace.pages import language_name, workspace_view


def _amendments(assembly: Assembly):
    # The proposer (`ballot`) is never read here: in secret mode nobody may see it.
    return (
        Amendment.objects.filter(assembly=assembly)
        .select_related("text__statement", "clause", "decided_by", "revision")
        .annotate(support_count=Count("supports"))
        .defer("ballot")
    )


@workspace_view
def amendment_list(request: HttpRequest, assembly_slug: str) -> HttpResponse:
    assembly = assembly_for(request.user, assembly_slug, "view")
    context = {
        "assembly": assembly,
        "manage": can(request.user, assembly, "manage"),
        "amendments": _amendments(assembly).order_by(
            "status", "text__position", "clause__number", "pk"
        ),
    }
    return render(request, "workspace/assembly/amendments.html", context)


@workspace_view
def amendment_decide(request: HttpRequest, assembly_slug: str, amendment_id: int) -> HttpResponse:
    """An amendment, with the wording to accept (in the text's original language) and the
    two buttons; the POST's `decision` is "accept" or "reject"."""
    posted = request.method == "POST"
    assembly = assembly_for(request.user, assembly_slug, "manage" if posted else "view")
    amendment = _amendments(assembly).filter(pk=amendment_id).first()
    if amendment is None:
        raise Http404
    statement = amendment.text.statement
    decision = request.POST.get("decision") if posted else None
    form = AcceptForm(
        request.POST if decision == "accept" else None, initial={"wording": amendment.wording}
    )
    if decision == "reject":
        try:
            deciding.reject_amendment(amendment, actor=request.user)
        except AssemblyError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The amendment is rejected."))
        return redirect("workspace:assembly_amendments", assembly_slug=assembly.slug)
    if decision == "accept" and form.is_valid():
        try:
            revision = deciding.accept_amendment(
                amendment, wording=form.cleaned_data["wording"], actor=request.user
            )
        except AssemblyError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Accepted: “%(title)s” is now at revision %(number)d.")
                % {"title": statement.title, "number": revision.number},
            )
            return redirect(
                "workspace:assembly_revisions",
                assembly_slug=assembly.slug,
                text_slug=statement.slug,
            )
    context = {
        "assembly": assembly,
        "amendment": amendment,
        "statement": statement,
        "form": form,
        "manage": can(request.user, assembly, "manage"),
        "other_language": amendment.language != statement.language,
        "original_language_name": language_name(statement.language),
        "proposal_language_name": language_name(amendment.language),
    }
    return render(
        request, "workspace/assembly/amendment.html", context, status=400 if posted else 200
    )


@workspace_view
def tally(request: HttpRequest, assembly_slug: str, text_slug: str) -> HttpResponse:
    """The paper counts of one text and its clauses, entered or corrected in one form."""
    posted = request.method == "POST"
    assembly = assembly_for(request.user, assembly_slug, "manage" if posted else "view")
    text = _text(assembly, text_slug)
    form = TallyForm(request.POST if posted else None, text=text)
    if posted and form.is_valid():
        try:
            saved = tallies.enter_paper_tallies(text, form.rows(), actor=request.user)
        except AssemblyError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Paper counts saved (%(n)d rows changed).") % {"n": len(saved)},
            )
            return redirect(
                "workspace:assembly_tally", assembly_slug=assembly.slug, text_slug=text_slug
            )
    entered = text.paper_tallies.select_related("entered_by").order_by("-entered_at").first()
    context = {
        "assembly": assembly,
        "assembly_text": text,
        "form": form,
        "manage": can(request.user, assembly, "manage"),
        "entered": entered,
        "texts": assembly.texts.select_related("statement").order_by("position", "pk"),
    }
    return render(request, "workspace/assembly/tally.html", context, status=400 if posted else 200)


@workspace_view
def links(request: HttpRequest, assembly_slug: str) -> HttpResponse:
    posted = request.method == "POST"
    assembly = assembly_for(request.user, assembly_slug, "manage" if posted else "view")
    form = LinkForm(request.POST if posted else None, assembly=assembly)
    if posted and form.is_valid():
        a, b = form.cleaned_data["clause_a"], form.cleaned_data["clause_b"]
        try:
            if a is None or b is None:
                raise AssemblyError(_("This clause is not on the ballot."))
            tallies.link_clauses(assembly, a, b, actor=request.user)
        except AssemblyError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The two clauses are linked."))
            return redirect("workspace:assembly_links", assembly_slug=assembly.slug)
    texts = dict(assembly.texts.values_list("statement_id", "statement__title"))
    rows = [
        {
            "link": link,
            "a_title": texts.get(link.a.statement_id),
            "b_title": texts.get(link.b.statement_id),
        }
        for link in assembly.clause_links.select_related("a", "b").order_by("pk")
    ]
    context = {
        "assembly": assembly,
        "form": form,
        "rows": rows,
        "manage": can(request.user, assembly, "manage"),
    }
    return render(request, "workspace/assembly/links.html", context, status=400 if posted else 200)


@workspace_view
@require_POST
def unlink(request: HttpRequest, assembly_slug: str, link_id: int) -> HttpResponse:
    assembly = assembly_for(request.user, assembly_slug, "manage")
    link = assembly.clause_links.filter(pk=link_id).first()
    if link is None:
        raise Http404
    tallies.unlink_clauses(link, actor=request.user)
    messages.success(request, _("The link is removed."))
    return redirect("workspace:assembly_links", assembly_slug=assembly.slug)
