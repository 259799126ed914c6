"""Thin views: read the request, call a service, render or redirect."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from undersign import abuse
from undersign.public.errors import forbidden
from undersign.public.reading import (
    current_text,
    goal_percent,
    reading_context,
    revisions_with_counts,
    share_tags,
    wanted_language,
)
from undersign.public.signing import attempt_signature, room_code
from undersign.signatures import questions
from undersign.signatures import services as signing
from undersign.signatures.forms import PublicSignatureForm
from undersign.signatures.models import Signature
from undersign.statements.models import Statement
from undersign.statements.services import public_statement, public_statements
from undersign.statements.texts import titles_in


def home(request: HttpRequest) -> HttpResponse:
    listed = list(public_statements())
    titles = titles_in(listed, get_language())
    statements = [(s, titles[s.pk], signing.signature_count(s)) for s in listed]
    return render(request, "public/home.html", {"statements": statements})


def _statement_context(
    request: HttpRequest, statement: Statement, form: PublicSignatureForm
) -> dict:
    cursor = request.GET.get("after", "")
    try:
        signatures, next_cursor = signing.public_signatures(statement, cursor=cursor)
    except signing.BadCursor:
        signatures, next_cursor = signing.public_signatures(statement)
        cursor = ""
    text = current_text(statement, wanted_language(request))
    count = signing.signature_count(statement)
    asked = questions.of_statement(statement.pk)
    for s in signatures:
        # Read by the list's template: the public answers beside the name.
        s.answer_lines = questions.public_lines(asked, s.answers, get_language())  # type: ignore[attr-defined]
    return {
        "statement": statement,
        "clauses": statement.clauses.all(),
        "count": count,
        "hidden_count": signing.hidden_count(statement),
        "percent": goal_percent(count, statement.goal),
        "revisions": revisions_with_counts(statement),
        **reading_context(request, text),
        **share_tags(request, statement, text, count),
        "form": form,
        "signatures": signatures,
        "next_cursor": next_cursor,
        "is_later_page": bool(cursor),
        "altcha_challenge_url": reverse("public:pow_challenge"),
        # While an event window is open the form asks for its room code (or takes it from
        # the room's link, ?room=…); outside the cached part of the form.
        "event_open": statement.event_is_open,
        "room": room_code(request.POST.get("room") or request.GET.get("room", "")),
        # Rendered once, then from the cache: the first page's list (cleared on changes, like
        # its rows) and the empty form (the same for everyone: it carries no token at all).
        "list_cache_seconds": 0 if cursor else settings.PUBLIC_CACHE_SECONDS,
        "form_cache_seconds": 0 if form.is_bound else settings.PUBLIC_CACHE_SECONDS,
        "text_cache_seconds": settings.PUBLIC_CACHE_SECONDS,
    }


def statement_page(request: HttpRequest, slug: str) -> HttpResponse:
    statement = public_statement(slug)
    return render(
        request,
        "public/statement.html",
        _statement_context(request, statement, PublicSignatureForm(statement=statement)),
    )


@csrf_exempt  # no cookie token: `abuse.from_this_site` refuses other sites' posts
@require_POST
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    statement = public_statement(slug)
    if not abuse.from_this_site(request):
        return forbidden(request)
    form = PublicSignatureForm(request.POST, statement=statement)
    if form.is_robot:
        # The answer a person gets, so the robot learns nothing; nothing is stored.
        return redirect("public:check_mail", slug=statement.slug)
    refused = attempt_signature(request, statement, form)
    if refused is None:
        return redirect("public:check_mail", slug=statement.slug)
    context = _statement_context(request, statement, form)
    response = render(request, "public/statement.html", context, status=refused.status)
    if refused.retry_after is not None:
        response["Retry-After"] = str(refused.retry_after)
    return response


@never_cache
def pow_challenge(request: HttpRequest) -> HttpResponse:
    """A proof-of-work puzzle for the ALTCHA widget."""
    return JsonResponse(abuse.new_challenge())


def check_mail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "public/check_mail.html", {"statement": public_statement(slug)})


def _signature_from_link(ref: str, purpose: str, token: str) -> Signature:
    signature = signing.signature_for_link(ref, purpose, token)
    if signature is None:
        raise Http404
    return signature


def _confirm_context(signature: Signature, *, changed: bool = False) -> dict:
    return {
        "signature": signature,
        "statement": signature.statement,
        "displays": [
            (value, label)
            for value, label in Signature.Display.choices
            if value in signing.more_private_displays(signature.display)
        ],
        "changed": changed,
        "answer_lines": questions.public_lines(
            questions.of_statement(signature.statement_id), signature.answers, get_language()
        ),
    }


@never_cache  # Cache-Control: no-store: the page names a person's choices
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, ref: str, token: str) -> HttpResponse:
    # A GET only shows a button: mail scanners that open links confirm nothing.
    signature = _signature_from_link(ref, "confirm", token)
    if request.method == "POST":
        shown = request.POST.get("shown", "")
        confirmed = signing.confirm_signature(
            signature,
            shown=int(shown) if shown.isdigit() and len(shown) < 9 else None,
            display=request.POST.get("display", ""),
            hide_place=bool(request.POST.get("hide_place")),
        )
        if not confirmed and signature.status == Signature.Status.PENDING:
            # Another submission changed what would be shown since the page was opened.
            context = _confirm_context(signature, changed=True)
            return render(request, "public/confirm.html", context, status=409)
        return redirect(request.path)
    return render(request, "public/confirm.html", _confirm_context(signature))


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, ref: str, token: str) -> HttpResponse:
    signature = _signature_from_link(ref, "withdraw", token)
    if request.method == "POST":
        signing.withdraw_signature(signature)  # idempotent: a second press changes nothing
        return redirect(request.path)
    return render(
        request,
        "public/withdraw.html",
        {
            "signature": signature,
            "statement": signature.statement,
        },
    )
