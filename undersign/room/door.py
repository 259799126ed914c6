"""Signing participants in and out: the code lives in a signed cookie, nowhere else.

Not in the database session: a session row next to a ballot would link the two. The cookie
is scoped to the assembly's path, so one browser may sit in two assemblies. Each request
finds the participant by the code's hash again, so a revoked code is signed out at once.

Sign-in is rate-limited per client address: every attempt against a generous limit (a hall
of several hundred people may sit behind one address), and wrong codes against a strict
one, looked at before the code is tried. Guessing is hopeless anyway: a code has 80 random
bits, so even a million guesses against an assembly of 1000 cards hit one with a chance of
about 1 in 10^12.
"""

from django.conf import settings
from django.core.signing import BadSignature
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from undersign import abuse
from undersign.assemblies import codes
from undersign.assemblies.ballots import participant_for
from undersign.assemblies.models import Assembly, Participant

COOKIE = "room"
COOKIE_AGE = 60 * 60 * 24 * 14  # a forum lasts days; a card is typed again after that
# (count, seconds) per client address.
ATTEMPTS = (600, 900)
FAILURES = (30, 900)


def sign_in_address(assembly: Assembly, code: str = "") -> str:
    """The address a card's QR code opens (with `code`), or the door to type it at."""
    if code:
        path = reverse("room:door_link", args=[assembly.slug, code])
    else:
        path = reverse("room:door", args=[assembly.slug])
    return f"{settings.SITE_URL}{path}"


def _salt(assembly: Assembly) -> str:
    return f"undersign.room:{assembly.slug}"


def _path(assembly: Assembly) -> str:
    return f"/a/{assembly.slug}/"


def code_of(request: HttpRequest, assembly: Assembly) -> str | None:
    """The code in this browser's cookie for `assembly`, if it still signs in."""
    try:
        value = request.get_signed_cookie(
            COOKIE, default=None, salt=_salt(assembly), max_age=COOKIE_AGE
        )
    except BadSignature:
        return None
    code = codes.normalise(value)
    if code is None or participant_for(assembly, code) is None:
        return None
    return code


def remember(response: HttpResponse, assembly: Assembly, code: str) -> None:
    response.set_signed_cookie(
        COOKIE,
        code,
        salt=_salt(assembly),
        max_age=COOKIE_AGE,
        path=_path(assembly),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def forget(response: HttpResponse, assembly: Assembly) -> None:
    response.delete_cookie(COOKIE, path=_path(assembly), samesite="Lax")


def failures_limited(request: HttpRequest) -> int | None:
    """Seconds to wait when this address typed too many wrong codes (not counting now)."""
    return abuse.limit_met(request, "room-fail", [FAILURES])


def attempt_limited(request: HttpRequest) -> int | None:
    return abuse.rate_limited(request, "room-in", [ATTEMPTS])


def count_failure(request: HttpRequest) -> None:
    abuse.rate_limited(request, "room-fail", [FAILURES])


def sign_in(request: HttpRequest, assembly: Assembly, typed: str) -> Participant | None:
    """The participant holding `typed`, counting a failure when there is none (the caller
    checked the limits first)."""
    participant = participant_for(assembly, typed)
    if participant is None:
        count_failure(request)
    return participant
