"""The unsubscribe link of every mailing: a page with a button (GET never unsubscribes), and
RFC 8058's one click, a POST from the mail program without cookies or CSRF token."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from undersign import abuse
from undersign.mailings import services
from undersign.mailings.models import Unsubscription
from undersign.public.languages import site_language
from undersign.statements.texts import title_in

BAD_TOKEN_LIMITS = ((20, 60), (200, 3600))


@csrf_exempt  # the mail program posts with no cookie and no token (RFC 8058); the token is the key
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    # A made-up token costs one indexed lookup (`contacts.signature_of_sealed_digest`); still
    # counted per client and refused after a few, so nobody walks the token space; real
    # ones are never counted.
    wait = abuse.limit_met(request, "unsubscribe-miss", BAD_TOKEN_LIMITS)
    if wait is not None:
        return abuse.too_many_requests(request, wait)
    signature = services.signature_for_token(token)
    if signature is None:
        abuse.rate_limited(request, "unsubscribe-miss", BAD_TOKEN_LIMITS)
        return render(request, "mailings/public/unsubscribe_gone.html", status=404)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        way = Unsubscription.Way.ONE_CLICK if one_click else Unsubscription.Way.PAGE
        services.unsubscribe(signature, way=way)  # a second press changes nothing
        if not one_click:
            return redirect(request.get_full_path())  # keeps the mail's ?lang=
    # The language the mail's link names (the signer's), else the one they signed in.
    language = site_language(request.GET.get("lang")) or signature.language or None
    with translation.override(language):
        context = {
            "statement": signature.statement,
            "title": title_in(signature.statement, language or signature.statement.language),
            "done": not signature.contact_consent_version or request.method == "POST",
        }
        return render(request, "mailings/public/unsubscribe.html", context)
