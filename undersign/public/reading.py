"""Reading a statement: its language, earlier revisions, differences, share tags, QR, embed.

Statements know nothing of signatures; this face puts the two together (the count each
revision gathered, the counter on the share card).
"""

import re
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from undersign import abuse
from undersign.middleware import CONTENT_SECURITY_POLICY
from undersign.public import sharing
from undersign.public.errors import forbidden
from undersign.public.languages import autonym, autonym_html
from undersign.public.signing import attempt_signature, room_code
from undersign.public.templatetags.reading_tags import grouped
from undersign.signatures import services as signing
from undersign.signatures.forms import PublicSignatureForm
from undersign.statements.diff import compare
from undersign.statements.models import Revision, Statement
from undersign.statements.services import public_statement
from undersign.statements.texts import (
    StatementText,
    language_code,
    text_in,
    text_of_revision,
    title_in,
)


def language_name(code: str) -> str:
    return autonym(code)


def wanted_language(request: HttpRequest) -> str:
    """?lang= when given, else the interface language (the switcher's choice)."""
    lang = language_code(request.GET.get("lang"))
    return lang or (get_language() or settings.LANGUAGE_CODE)


def reading_context(request: HttpRequest, text: StatementText) -> dict:
    wanted = wanted_language(request)
    return {
        "text": text,
        "wanted_language": wanted,
        # Each name in its own language, marked so (a screen reader then says "Deutsch" in
        # German inside an English sentence).
        "wanted_language_name": autonym_html(wanted),
        "text_language_name": autonym_html(text.language),
        "missing_language": wanted != text.language,
        "other_languages": [
            (code, autonym(code)) for code in dict.fromkeys(text.languages) if code != text.language
        ],
    }


T = TypeVar("T")


def _shared(kind: str, statement: Statement, extra: str, compute: Callable[[], T]) -> T:
    """What every reader of a statement's current text gets alike, computed once and kept
    for a few seconds. Keyed by the current revision, so a new wording shows at once; other
    edits (metadata) within `PUBLIC_CACHE_SECONDS`."""
    key = f"reading:{kind}:{statement.pk}:{statement.current_revision_id}:{extra}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.PUBLIC_CACHE_SECONDS)
    return value


def current_text(statement: Statement, language: str) -> StatementText:
    safe_language = re.sub(r"[^a-z0-9-]", "", language)
    return _shared("text", statement, safe_language, lambda: text_in(statement, language))


def revisions_with_counts(statement: Statement) -> list[tuple[Revision, int]]:
    counts = signing.signature_count_by_revision(statement)
    revisions = _shared(
        "revisions",
        statement,
        "",
        lambda: list(statement.revisions.defer("text").order_by("-number")),
    )
    return [(r, counts.get(r.pk, 0)) for r in revisions]


def goal_percent(count: int, goal: int | None) -> int | None:
    return min(100, count * 100 // goal) if goal else None


def share_tags(request: HttpRequest, statement: Statement, text: StatementText, count: int):
    """Open Graph and Twitter tags: the page and its card in the text's language, since
    link-preview robots send no Accept-Language."""
    lang = "?" + urlencode({"lang": text.language})
    url = request.build_absolute_uri(statement.get_absolute_url())
    card = request.build_absolute_uri(reverse("public:card", args=[statement.slug]))
    counted = ngettext("%(count)s signature", "%(count)s signatures", count) % {
        "count": grouped(count)
    }
    return {
        "page_url": url,
        "share_url": url + lang,
        "share_image": card + lang,
        "share_description": sharing.description(text) or counted,
        "alternate_languages": [
            (code, url + "?" + urlencode({"lang": code})) for code in text.languages
        ],
    }


def revision_page(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    statement = public_statement(slug)
    revision = get_object_or_404(Revision, statement=statement, number=number)
    text = text_of_revision(revision, wanted_language(request))
    context = {
        "statement": statement,
        "revision": revision,
        "revisions": revisions_with_counts(statement),
        "is_current": revision.pk == statement.current_revision_id,
        **reading_context(request, text),
    }
    return render(request, "public/revision.html", context)


def diff_page(request: HttpRequest, slug: str) -> HttpResponse:
    statement = public_statement(slug)
    numbers = sorted(statement.revisions.values_list("number", flat=True))
    try:
        new_number = int(request.GET.get("to") or max(numbers, default=0))
        old_number = int(request.GET.get("from") or new_number - 1)
    except ValueError:
        raise Http404 from None
    if old_number not in numbers or new_number not in numbers:
        raise Http404
    old, new = (
        Revision.objects.get(statement=statement, number=n) for n in (old_number, new_number)
    )
    wanted = wanted_language(request)
    comparison = compare(old.text, new.text, wanted)
    original = comparison.original_language
    context = {
        "statement": statement,
        "old": old,
        "new": new,
        "comparison": comparison,
        "title": text_of_revision(new, comparison.language).title,
        "numbers": numbers,
        "asked_language": language_code(request.GET.get("lang")),
        "page_language": get_language(),
        "missing_language": wanted not in (comparison.language, original),
        "wanted_language_name": language_name(wanted),
        "language_name": language_name(comparison.language),
        "original_language_name": language_name(original),
    }
    return render(request, "public/diff.html", context)


def _address(request: HttpRequest, statement: Statement) -> str:
    """The statement's address, in the language asked for (the QR code of a printed
    Russian page leads to the Russian text)."""
    address = request.build_absolute_uri(statement.get_absolute_url())
    lang = language_code(request.GET.get("lang"))
    return address + "?" + urlencode({"lang": lang}) if lang else address


def qr_svg(request: HttpRequest, slug: str) -> HttpResponse:
    statement = public_statement(slug)
    return HttpResponse(
        sharing.qr_code(_address(request, statement), "svg"), content_type="image/svg+xml"
    )


def qr_png(request: HttpRequest, slug: str) -> HttpResponse:
    statement = public_statement(slug)
    return HttpResponse(sharing.qr_code(_address(request, statement), "png"), "image/png")


def card(request: HttpRequest, slug: str) -> HttpResponse:
    """The share card, in the language of `?lang=` (the page's og:image names it)."""
    statement = public_statement(slug)
    title = title_in(statement, wanted_language(request))
    count = signing.signature_count(statement)
    line = ngettext("%(count)s signature", "%(count)s signatures", count) % {
        "count": grouped(count)
    }
    png = sharing.share_card(title.text, line, request.get_host())
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "public, max-age=300"
    return response


# The one page other sites may frame: the counter and the signing form.
EMBED_CSP = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")


@csrf_exempt  # a framed page gets no cookie; `abuse.from_this_site` checks the post instead
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The widget. The person signs in the frame and stays on the partner's page: the form
    posts to the widget itself, which shows it again with what went wrong, or redirects to
    its "check your mail" state."""
    statement = public_statement(slug)
    form = PublicSignatureForm(
        request.POST if request.method == "POST" else None, statement=statement
    )
    refused = None
    if request.method == "POST":
        if not abuse.from_this_site(request):
            return forbidden(request)
        refused = None if form.is_robot else attempt_signature(request, statement, form)
        if refused is None:
            return redirect(reverse("public:embed", args=[statement.slug]) + "?sent=1")
    text = text_in(statement, wanted_language(request))
    count = signing.signature_count(statement)
    context = {
        "statement": statement,
        "text": text,
        "count": count,
        "paper_count": signing.paper_count(statement),
        "percent": goal_percent(count, statement.goal),
        "form": form,
        "sent": request.method == "GET" and request.GET.get("sent") == "1",
        "altcha_challenge_url": reverse("public:pow_challenge"),
        "event_open": statement.event_is_open,
        "room": room_code(request.POST.get("room") or request.GET.get("room", "")),
    }
    response = render(
        request, "public/embed.html", context, status=refused.status if refused else 200
    )
    if refused is not None and refused.retry_after is not None:
        response["Retry-After"] = str(refused.retry_after)
    response["Content-Security-Policy"] = EMBED_CSP
    return response
