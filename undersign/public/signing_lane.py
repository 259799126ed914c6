"""The signing post's own lane through the middleware (issue 13).

A signing is the one request a surge makes thousands of times a minute that cannot be
shared like the page. Sessions, the login, two-factor, messages and the URL resolver give it
nothing: the form needs no cookie or token (`abuse.from_this_site` checks the post), and a
signer has no session. Together they cost about a tenth of each signing. `SigningLane`,
right after `SharedPages`, attempts the signing before them and answers a recorded one with
its redirect, adding itself what the skipped middleware would add to that answer: the
language (Django's rule: cookie, then Accept-Language), `Content-Language`, `Vary`,
`X-Frame-Options`, `Content-Length`. The security and privacy headers come from the
middleware before it, as for every answer.

Anything else goes on through the whole stack to `views.sign`: a post with a session or a
query, a language button, another site's post, an unknown statement, a form with mistakes
(the view shows it again with what was typed). An attempt that was made and refused (too
many, or signing closed) is handed to the view with the request (`lane_attempt`), which
shows the form and its error without attempting again: the attempt is counted once.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from undersign import abuse
from undersign.public.signing import Refused, attempt_signature
from undersign.signatures.forms import PublicSignatureForm, SigningCheck
from undersign.statements.models import Statement
from undersign.statements.services import public_statement

_SIGN = re.compile(r"/s/([-a-zA-Z0-9_]{1,80})/sign")


@dataclass(frozen=True)
class Attempt:
    """A signing the lane attempted and the service refused: what the view shows."""

    statement: Statement
    form: PublicSignatureForm
    refused: Refused


def lane_attempt(request: HttpRequest) -> Attempt | None:
    return getattr(request, "_signing_attempt", None)


@lru_cache(maxsize=4096)
def _check_mail(prefix: str, slug: str) -> str:
    return reverse("public:check_mail", args=[slug])


def check_mail_url(slug: str) -> str:
    """Where a recorded signing leads ("check your mail"), reversed once per statement."""
    return _check_mail(get_script_prefix(), slug)


class SigningLane:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.early(request) or self.get_response(request)

    def early(self, request: HttpRequest) -> HttpResponse | None:
        match = _SIGN.fullmatch(request.path_info)
        if (
            match is None
            or request.method != "POST"
            or request.META.get("QUERY_STRING")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            return None
        try:
            statement = public_statement(match.group(1))
        except Http404:
            return None
        if not abuse.from_this_site(request) or request.POST.get("language"):
            return None
        language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        request.user = AnonymousUser()  # what the skipped login middleware would say
        check = SigningCheck(request.POST, statement=statement)
        if check.is_robot:
            return self.answer(request, statement, language)
        if not check.is_valid():
            return None  # the view shows the mistakes beside what was typed
        refused = attempt_signature(request, statement, check)
        if refused is None:
            return self.answer(request, statement, language)
        # The form the view shows: what was typed, with why it was refused.
        form = PublicSignatureForm(request.POST, statement=statement)
        form.is_valid()
        form.add_error(None, list(check.non_field_errors().as_data()))
        request._signing_attempt = Attempt(statement, form, refused)  # type: ignore[attr-defined]
        return None

    def answer(self, request: HttpRequest, statement: Statement, language: str) -> HttpResponse:
        response = HttpResponseRedirect(check_mail_url(statement.slug))
        # What the session, locale, common and clickjacking middleware add to this redirect.
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        response["Content-Length"] = str(len(response.content))
        return response
