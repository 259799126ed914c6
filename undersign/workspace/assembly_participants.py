"""Participants of an assembly: generating codes, importing a list, the cards and the list
of codes, revoking a code; in named mode, who marked what.

A code is shown once, on the page that made it: the database keeps only its hash. That page
holds the codes (and nothing else does), and its two download buttons post them back: the
server checks each against the register and returns the CSV or the cards' PDF. So nothing
stores the codes between the two requests, not even the cache.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from undersign.assemblies import services
from undersign.assemblies.access import assembly_for, can
from undersign.assemblies.cards import codes_csv
from undersign.assemblies.models import Assembly, Ballot
from undersign.assemblies.services import AssemblyError, NewCode
from undersign.room.door import sign_in_address
from undersign.workspace.assembly_forms import CodesForm, ImportForm
from undersign.workspace.pages import workspace_view


def _page(request: HttpRequest, assembly: Assembly, **extra) -> HttpResponse:
    participants = assembly.participants.order_by("number")
    context = {
        "assembly": assembly,
        "manage": can(request.user, assembly, "manage"),
        "participants": participants,
        "codes_form": CodesForm(),
        "import_form": ImportForm(),
        "door": sign_in_address(assembly),
        **extra,
    }
    status = 400 if any(f.errors for f in (context["codes_form"], context["import_form"])) else 200
    return render(request, "workspace/assembly/participants.html", context, status=status)


@workspace_view
def participants(request: HttpRequest, assembly_slug: str) -> HttpResponse:
    return _page(request, assembly_for(request.user, assembly_slug, "view"))


def _made(request: HttpRequest, assembly: Assembly, made: list[NewCode]) -> HttpResponse:
    """The one page that shows the new codes."""
    context = {"assembly": assembly, "made": made, "door": sign_in_address(assembly)}
    return render(request, "workspace/assembly/codes.html", context)


@workspace_view
@require_POST
def generate(request: HttpRequest, assembly_slug: str) -> HttpResponse:
    assembly = assembly_for(request.user, assembly_slug, "manage")
    form = CodesForm(request.POST)
    if form.is_valid():
        try:
            made = services.generate_codes(assembly, form.cleaned_data["count"], actor=request.user)
        except AssemblyError as error:
            form.add_error(None, error.message)
        else:
            return _made(request, assembly, made)
    return _page(request, assembly, codes_form=form)


@workspace_view
@require_POST
def import_list(request: HttpRequest, assembly_slug: str) -> HttpResponse:
    assembly = assembly_for(request.user, assembly_slug, "manage")
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            made = services.generate_codes(
                assembly, labels=form.cleaned_data["names"], actor=request.user
            )
        except AssemblyError as error:
            form.add_error(None, error.message)
        else:
            return _made(request, assembly, made)
    return _page(request, assembly, import_form=form)


@workspace_view
@require_POST
def download(request: HttpRequest, assembly_slug: str) -> HttpResponse:
    """The list (CSV) or the cards (PDF) of codes the page that made them posts back."""
    from undersign.assemblies.cards import CardsUnavailable, cards_pdf

    assembly = assembly_for(request.user, assembly_slug, "manage")
    made = services.codes_in(assembly, request.POST.getlist("code")[: services.MAX_CODES])
    if not made:
        messages.error(
            request, _("These codes are not valid here (revoked, or of another assembly).")
        )
        return redirect("workspace:assembly_participants", assembly_slug=assembly.slug)
    name = f"{assembly.slug}-codes-{made[0].number}-{made[-1].number}"
    if request.POST.get("format") == "pdf":
        try:
            pdf = cards_pdf(
                assembly,
                made,
                address=lambda code: sign_in_address(assembly, code),
                door=sign_in_address(assembly),
            )
        except CardsUnavailable as error:
            messages.error(request, str(error))
            return redirect("workspace:assembly_participants", assembly_slug=assembly.slug)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    else:
        text = codes_csv(made, address=lambda code: sign_in_address(assembly, code))
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@workspace_view
@require_POST
def revoke(request: HttpRequest, assembly_slug: str, number: int) -> HttpResponse:
    assembly = assembly_for(request.user, assembly_slug, "manage")
    participant = assembly.participants.filter(number=number).first()
    if participant is None:
        raise Http404
    services.revoke_participant(participant, actor=request.user)
    messages.success(
        request, _("Card %(number)d is revoked: its code no longer signs in.") % {"number": number}
    )
    return redirect("workspace:assembly_participants", assembly_slug=assembly.slug)


@workspace_view
def named_positions(request: HttpRequest, assembly_slug: str) -> HttpResponse:
    """Who marked what, in an assembly with named positions only; secret ones have no such
    page (and no way to make one)."""
    assembly = assembly_for(request.user, assembly_slug, "view")
    if assembly.secret:
        raise Http404
    texts = list(assembly.texts.select_related("statement").order_by("position", "pk"))
    ballots = (
        Ballot.objects.filter(assembly=assembly, participant__isnull=False)
        .select_related("participant")
        .prefetch_related("text_positions")
        .order_by("participant__number")
    )
    rows = []
    for ballot in ballots:
        mine = {p.text_id: p.get_value_display() for p in ballot.text_positions.all()}
        rows.append(
            {"participant": ballot.participant, "texts": [mine.get(t.pk, "") for t in texts]}
        )
    context = {"assembly": assembly, "texts": texts, "rows": rows}
    return render(request, "workspace/assembly/positions.html", context)
