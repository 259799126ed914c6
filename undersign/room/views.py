"""The participants' pages: the door (sign in with a code), the ballot of each text in the
participant's language, amendments. Thin: the rules are in undersign.assemblies.ballots.

Nothing here logs, uses the database session or Django's messages (whose fallback is the
session): a participant is known by the code in a signed cookie only.
"""

from collections.abc import Callable
from contextlib import suppress
from functools import wraps
from urllib.parse import urlencode

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from undersign.abuse import too_many_requests
from undersign.assemblies import ballots
from undersign.assemblies.models import Amendment, AmendmentSupport, Assembly, AssemblyText
from undersign.assemblies.services import AssemblyError
from undersign.room import door
from undersign.room.forms import AmendmentForm, BallotForm, CodeForm
from undersign.statements.texts import language_code, working_text


def _assembly(slug: str) -> Assembly:
    return get_object_or_404(Assembly.objects.select_related("team"), slug=slug)


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def room_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for signed-in participants: others (and revoked codes) go to the door."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
        assembly = _assembly(slug)
        code = door.code_of(request, assembly)
        if code is None:
            response = redirect("room:door", slug=assembly.slug)
            if door.COOKIE in request.COOKIES:
                door.forget(response, assembly)
            return _private(response)
        return _private(view(request, assembly, code, *args, **kwargs))

    return never_cache(wrapper)


def _wanted_language(request: HttpRequest) -> str:
    return language_code(request.GET.get("lang")) or get_language() or "en"


@never_cache
@require_http_methods(["GET", "POST"])
def door_page(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _assembly(slug)
    if request.method == "GET" and door.code_of(request, assembly):
        return redirect("room:home", slug=assembly.slug)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        wait = door.failures_limited(request) or door.attempt_limited(request)
        if wait is not None:
            return too_many_requests(request, wait)
        if form.is_valid():
            code = form.cleaned_data["code"]
            if door.sign_in(request, assembly, code) is not None:
                response = redirect("room:home", slug=assembly.slug)
                door.remember(response, assembly, code)
                return _private(response)
            form.add_error(
                "code",
                _(
                    "This code does not open this assembly. Check it against your card, or "
                    "ask at the registration desk."
                ),
            )
        else:
            door.count_failure(request)
    context = {"assembly": assembly, "form": form}
    return _private(render(request, "room/door.html", context, status=400 if form.errors else 200))


@never_cache
@require_http_methods(["GET"])
def door_link(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """The address in a card's QR code. It signs nobody in by itself (link previews and
    scanners open links too, and a sign-in by GET could be planted by another site): it
    shows the code and one button."""
    assembly = _assembly(slug)
    context = {"assembly": assembly, "form": CodeForm(initial={"code": code[:64]}), "link": True}
    return _private(render(request, "room/door.html", context))


@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _assembly(slug)
    response = redirect("room:door", slug=assembly.slug)
    door.forget(response, assembly)
    return _private(response)


def _texts(assembly: Assembly) -> list[AssemblyText]:
    return list(assembly.texts.select_related("statement").order_by("position", "pk"))


def _text(assembly: Assembly, text_slug: str) -> AssemblyText:
    found = assembly.texts.select_related("statement").filter(statement__slug=text_slug).first()
    if found is None:
        raise Http404
    return found


@room_view
def home(request: HttpRequest, assembly: Assembly, code: str) -> HttpResponse:
    mine = ballots.positions_of(assembly, code)
    language = _wanted_language(request)
    rows = []
    for text in _texts(assembly):
        reading = working_text(text.statement, language)
        ids = {c.id for c in reading.clauses}
        rows.append(
            {
                "text": text,
                "title": reading.title,
                "language": reading.language,
                "position": mine.texts.get(text.pk, ""),
                "marked": sum(1 for pk in mine.clauses if pk in ids),
                "clauses": len(reading.clauses),
            }
        )
    return render(request, "room/home.html", {"assembly": assembly, "rows": rows})


@room_view
def text_page(request: HttpRequest, assembly: Assembly, code: str, text_slug: str) -> HttpResponse:
    text = _text(assembly, text_slug)
    reading = working_text(text.statement, _wanted_language(request))
    mine = ballots.positions_of(assembly, code)
    if request.method == "POST":
        form = BallotForm(request.POST, text=reading)
        if not assembly.is_open:
            form.add_error(None, _("Voting is not open: nothing was saved."))
        elif form.is_valid():
            position, clauses = form.positions()
            try:
                ballots.record_positions(
                    assembly,
                    code,
                    texts={text.pk: position} if position else {},
                    clauses=clauses,
                )
            except AssemblyError as error:
                form.add_error(None, error.message)
            else:
                query = {
                    "saved": 1,
                    **({"lang": reading.language} if "lang" in request.GET else {}),
                }
                return redirect(f"{request.path}?{urlencode(query)}")
    else:
        initial = {"position": mine.texts.get(text.pk)}
        initial.update({f"clause-{pk}": value for pk, value in mine.clauses.items()})
        form = BallotForm(initial=initial, text=reading)
    texts = _texts(assembly)
    at = next(i for i, t in enumerate(texts) if t.pk == text.pk)
    context = {
        "assembly": assembly,
        "assembly_text": text,
        "text": reading,
        "form": form,
        "saved": request.GET.get("saved") == "1" and request.method == "GET",
        "next_text": texts[at + 1] if at + 1 < len(texts) else None,
        "other_languages": [code for code in reading.languages if code != reading.language],
    }
    return render(request, "room/text.html", context, status=400 if form.errors else 200)


@room_view
def amend(
    request: HttpRequest, assembly: Assembly, code: str, text_slug: str, clause_id: int
) -> HttpResponse:
    text = _text(assembly, text_slug)
    clause = text.statement.clauses.filter(pk=clause_id).first()
    if clause is None:
        raise Http404
    reading = working_text(text.statement, _wanted_language(request))
    shown = next(c for c in reading.clauses if c.id == clause.pk)
    form = AmendmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            ballots.propose_amendment(
                assembly,
                code,
                text=text,
                clause=clause,
                kind=form.cleaned_data["kind"],
                wording=form.cleaned_data["wording"],
                reason=form.cleaned_data["reason"],
                language=get_language() or "en",
            )
        except AssemblyError as error:
            form.add_error(None, error.message)
        else:
            return redirect(reverse("room:amendments", args=[assembly.slug]) + "?proposed=1")
    context = {
        "assembly": assembly,
        "assembly_text": text,
        "text": reading,
        "clause": shown,
        "form": form,
    }
    return render(request, "room/amend.html", context, status=400 if form.errors else 200)


@room_view
def amendments(request: HttpRequest, assembly: Assembly, code: str) -> HttpResponse:
    ballot = ballots.ballot_of(assembly, code)
    supported = set(
        AmendmentSupport.objects.filter(ballot=ballot).values_list("amendment_id", flat=True)
        if ballot
        else []
    )
    rows = (
        Amendment.objects.filter(assembly=assembly)
        .select_related("text__statement", "clause")
        .annotate(support_count=Count("supports"))
        .order_by("text__position", "clause__number", "created_at", "pk")
    )
    items = [
        {
            "amendment": a,
            "mine": ballot is not None and a.ballot_id == ballot.pk,
            "supported": a.pk in supported,
        }
        for a in rows
    ]
    context = {
        "assembly": assembly,
        "items": items,
        "proposed": request.GET.get("proposed") == "1",
    }
    return render(request, "room/amendments.html", context)


@room_view
@require_POST
def support(request: HttpRequest, assembly: Assembly, code: str, amendment_id: int) -> HttpResponse:
    amendment = get_object_or_404(Amendment, pk=amendment_id, assembly=assembly)
    # Decided meanwhile, or one's own: the list shows how it stands.
    with suppress(AssemblyError):
        ballots.support_amendment(
            assembly, code, amendment, support=request.POST.get("support") != "0"
        )
    return redirect(reverse("room:amendments", args=[assembly.slug]) + f"#amendment-{amendment.pk}")
