"""Response headers that keep every page free of third parties."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Nothing loads from anywhere but this site; no inline script; forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def privacy_headers(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "interest-cohort=(), browsing-topics=()")
        return response

    return middleware


SEEN_EVERY_SECONDS = 60


def session_idle_timeout(get_response: Callable[[HttpRequest], HttpResponse]):
    """Log an organiser out after SESSION_IDLE_SECONDS without a request.

    SESSION_COOKIE_AGE caps a session's whole life; this ends a forgotten one sooner.
    Only sessions of logged-in users are touched: signers have none.
    """
    import time

    from django.conf import settings
    from django.contrib.auth import logout

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_seen", now)
            if now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
            elif now - last >= SEEN_EVERY_SECONDS or "last_seen" not in request.session:
                # Written once a minute, not on every request: each write is a database
                # write of the session (measured: it capped every workspace page at the
                # rate of session writes, issue 13). The timeout is a minute less exact.
                request.session["last_seen"] = now
        return get_response(request)

    return middleware
