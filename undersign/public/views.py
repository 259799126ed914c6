"""Thin views: read the request, call a service, render or redirect."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from undersign import abuse
from undersign.public import page_cache, sharing
from undersign.public.errors import forbidden
from undersign.public.languages import language_switched, switch_within
from undersign.public.reading import (
    current_text,
    goal_percent,
    reading_context,
    revisions_with_counts,
    share_tags,
    wanted_language,
)
from undersign.public.signing import (
    LinkAgainForm,
    Refused,
    ask_link_again,
    attempt_signature,
    room_code,
)
from undersign.public.signing_lane import check_mail_url, lane_attempt
from undersign.signatures import questions
from undersign.signatures import services as signing
from undersign.signatures.forms import PublicSignatureForm
from undersign.signatures.models import Signature
from undersign.statements.models import Statement
from undersign.statements.services import public_statement, public_statements
from undersign.statements.texts import title_in, titles_in


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
        "paper_count": signing.paper_count(statement),
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
        # A form someone filled in: the language buttons send it, so nothing typed is lost.
        **(switch_within("sign-form", _sign_action(statement)) if form.is_bound else {}),
    }


def _sign_action(statement: Statement) -> str:
    # No #fragment: browsers skip `autofocus` (the error summary's) on a page opened at one.
    return reverse("public:sign", args=[statement.slug])


def statement_page(request: HttpRequest, slug: str) -> HttpResponse:
    statement = public_statement(slug)

    def rendered() -> HttpResponse:
        context = _statement_context(request, statement, PublicSignatureForm(statement=statement))
        return render(request, "public/statement.html", context)

    if not page_cache.shareable(request):
        return rendered()
    # The same page for every anonymous reader of this language: rendered once, shared.
    return page_cache.serve(request, statement, wanted_language(request), rendered)


@csrf_exempt  # no cookie token: `abuse.from_this_site` refuses other sites' posts
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    attempted = lane_attempt(request)
    if attempted is not None:
        # `SigningLane` made the attempt and it was refused: shown, not attempted again.
        return _refused_page(request, attempted.statement, attempted.form, attempted.refused)
    statement = public_statement(slug)
    if request.method != "POST":
        # A page answering a post here has relative links ("?lang=de", "?after=…") and an
        # address one may reload or copy: they lead to the statement's page, never a 405.
        query = request.GET.urlencode()
        return redirect(statement.get_absolute_url() + ("?" + query if query else ""))
    if not abuse.from_this_site(request):
        return forbidden(request)
    form = PublicSignatureForm(request.POST, statement=statement)
    if language_switched(request):
        # A language button of the page's header: the same form again, in that language.
        # Nothing is signed, and nothing typed leaves the page it came from.
        context = _statement_context(request, statement, form)
        return render(request, "public/statement.html", context)
    if form.is_robot:
        # The answer a person gets, so the robot learns nothing; nothing is stored.
        return redirect(check_mail_url(statement.slug))
    refused = attempt_signature(request, statement, form)
    if refused is None:
        return redirect(check_mail_url(statement.slug))
    return _refused_page(request, statement, form, refused)


def _refused_page(
    request: HttpRequest, statement: Statement, form: PublicSignatureForm, refused: Refused
) -> HttpResponse:
    context = _statement_context(request, statement, form)
    response = render(request, "public/statement.html", context, status=refused.status)
    if refused.retry_after is not None:
        response["Retry-After"] = str(refused.retry_after)
    return response


@never_cache
def pow_challenge(request: HttpRequest) -> HttpResponse:
    """A proof-of-work puzzle for the ALTCHA widget."""
    return JsonResponse(abuse.new_challenge())


@csrf_exempt  # no cookie, like the signing form: `abuse.from_this_site` checks the post
@require_http_methods(["GET", "POST"])
def check_mail(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Check your mail", with a form to send the link again: answered the same whatever
    the address (see `services.send_link_again`)."""
    statement = public_statement(slug)
    form = LinkAgainForm(request.POST if request.method == "POST" else None)
    refused = None
    if request.method == "POST":
        if not abuse.from_this_site(request):
            return forbidden(request)
        if not language_switched(request):
            refused = ask_link_again(request, statement, form)
            if refused is None:
                return redirect(reverse("public:check_mail", args=[slug]) + "?again=1#again")
    action = reverse("public:check_mail", args=[slug])  # no #fragment: see `_sign_action`
    context = {
        "statement": statement,
        "form": form,
        "asked": request.method == "GET" and request.GET.get("again") == "1",
        "unconfirmed_days": settings.UNCONFIRMED_RETENTION_DAYS,
        "gap_minutes": settings.SIGNING_NOTICE_GAP_MINUTES,
        "altcha_challenge_url": reverse("public:pow_challenge"),
        **(switch_within("again-form", action) if form.is_bound else {}),
    }
    response = render(
        request, "public/check_mail.html", context, status=refused.status if refused else 200
    )
    if refused is not None and refused.retry_after is not None:
        response["Retry-After"] = str(refused.retry_after)
    return response


def _link_gone(request: HttpRequest, purpose: str) -> HttpResponse:
    """The page of a mail link that leads to no signature: expired (an unconfirmed signature
    is purged after a few days), incomplete or made up. The same page for all of them, so it
    tells nothing about which; it offers to sign again where the link says it came from."""
    try:
        statement: Statement | None = public_statement(request.GET.get("s", ""))
    except Http404:
        statement = None
    context = {
        "statement": statement,
        "purpose": purpose,
        "unconfirmed_days": settings.UNCONFIRMED_RETENTION_DAYS,
    }
    return render(request, "public/link_gone.html", context, status=404)


def _confirm_context(request: HttpRequest, signature: Signature, *, changed: bool = False) -> dict:
    context = {
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
    if signature.status == Signature.Status.CONFIRMED and signature.statement.is_open:
        # Ask others to sign too: the statement in the reader's language, by plain links.
        title = title_in(signature.statement, get_language())
        address = request.build_absolute_uri(signature.statement.get_absolute_url())
        address += "?" + urlencode({"lang": title.language})
        context["share"] = sharing.share_links(address, str(title))
    return context


@never_cache  # Cache-Control: no-store: the page names a person's choices
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, ref: str, token: str) -> HttpResponse:
    # A GET only shows a button: mail scanners that open links confirm nothing.
    signature = signing.signature_for_link(ref, "confirm", token)
    if signature is None:
        return _link_gone(request, "confirm")
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
            context = _confirm_context(request, signature, changed=True)
            return render(request, "public/confirm.html", context, status=409)
        return redirect(request.path)
    return render(request, "public/confirm.html", _confirm_context(request, signature))


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, ref: str, token: str) -> HttpResponse:
    signature = signing.signature_for_link(ref, "withdraw", token)
    if signature is None:
        return _link_gone(request, "withdraw")
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
