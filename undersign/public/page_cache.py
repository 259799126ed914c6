"""The anonymous reader's statement page, rendered once and served to everyone alike.

The page carries nothing of its reader: the signing form has no token (posts are checked by
`abuse.from_this_site`), the language switcher neither (`languages.set_language`). So a
whole rendered page is kept per statement, interface language, text language, and the
address it was asked at, and answered with an `ETag` and `Last-Modified`: a browser that
asks again with `If-None-Match` gets a 304 without a body.

Never shared: a page asked with a query other than `?lang=` (a later list page, a room
code), a page for someone with a session (an organiser), anything but a 200, and every
page answering a post (a form with what someone typed, its errors). The copies die with
`PUBLIC_CACHE_SECONDS`, at once when the statement changes (`undersign.pagecache.changed`)
and within `PAGE_COUNTER_LAG_SECONDS` of a confirmation (`pagecache.counted`).
"""

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

from undersign import pagecache
from undersign.public.languages import site_language
from undersign.statements.models import Statement
from undersign.statements.texts import language_code

# The only query a shared page may carry: the language of the text.
SHARED_QUERY = frozenset({"lang"})


@dataclass(frozen=True)
class Copy:
    body: bytes
    content_type: str
    etag: str
    rendered_at: float


def shareable(request: HttpRequest) -> bool:
    """Whether this request may get (and make) the shared copy of the page."""
    return (
        settings.PUBLIC_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and set(request.GET) <= SHARED_QUERY
        and len(request.GET.getlist("lang")) <= 1
    )


def _key(
    request: HttpRequest, statement_id: int, generation: str, language: str, text_language: str
) -> str:
    # The address matters: the share tags hold it (ALLOWED_HOSTS bounds the hosts).
    where = f"{request.scheme}://{request.get_host()}{request.path}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:16]
    return f"page:{statement_id}:{generation}:{language}:{text_language}:{digest}"


def _slug_key(slug: str) -> str:
    return f"page:slug:{slug}"


def _fresh(copy: Copy | None, counted_at: float, now: float) -> bool:
    if copy is None:
        return False
    return copy.rendered_at >= counted_at or now - copy.rendered_at < (
        settings.PAGE_COUNTER_LAG_SECONDS
    )


def serve(
    request: HttpRequest,
    statement: Statement,
    text_language: str,
    render: Callable[[], HttpResponse],
) -> HttpResponse:
    """The shared copy of the page (rendered by `render` when there is none, or it is
    stale), or a 304 when the browser holds it already."""
    generation, counted_at = pagecache.state(statement.pk)
    key = _key(request, statement.pk, generation, get_language(), text_language)
    now = time.time()
    copy: Copy | None = cache.get(key)
    if not _fresh(copy, counted_at, now):
        rendered = render()
        if rendered.status_code != 200 or rendered.cookies or rendered.has_header("Set-Cookie"):
            return rendered
        body = rendered.content
        copy = Copy(
            body=body,
            content_type=rendered["Content-Type"],
            etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
            # When rendering began: a confirmation committed while it ran is after it.
            rendered_at=now,
        )
        cache.set(key, copy, settings.PUBLIC_CACHE_SECONDS)
        # Lets `SharedPages` find the copies of this address before anything else runs.
        cache.set(_slug_key(statement.slug), statement.pk, settings.PUBLIC_CACHE_SECONDS)
    assert copy is not None
    return _answer(request, copy)


def _answer(request: HttpRequest, copy: Copy) -> HttpResponse:
    response = HttpResponse(copy.body, content_type=copy.content_type)
    response["ETag"] = copy.etag
    response["Last-Modified"] = http_date(int(copy.rendered_at))
    # Stored by the browser, asked again each time: a 304 costs us no rendering.
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    answer = get_conditional_response(
        request, etag=copy.etag, last_modified=int(copy.rendered_at), response=response
    )
    return answer or response


_STATEMENT_PAGE = re.compile(r"/s/([-a-zA-Z0-9_]{1,80})/")


class SharedPages:
    """Middleware, right after the static files: a fresh shared copy of a statement page
    is answered before the session, the language, the login, the URL resolver and the view
    run (each costs every request; together they halved the pages a second, issue 13).
    Anything else (no copy, a stale one, a `?lang=` link that must set the language cookie)
    goes on to the view, which renders and shares the page.

    What the skipped middleware would add to this answer, it adds itself: the language
    (Django's rule: cookie, then Accept-Language), `Content-Language`, `Vary`,
    `X-Frame-Options`, `Content-Length`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.early(request) or self.get_response(request)

    def early(self, request: HttpRequest) -> HttpResponse | None:
        match = _STATEMENT_PAGE.fullmatch(request.path_info)
        if match is None or not shareable(request):
            return None
        statement_id = cache.get(_slug_key(match.group(1)))
        if statement_id is None:
            return None
        asked = request.GET.get("lang")
        chosen = site_language(asked)
        if chosen and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != chosen:
            return None  # the view's way sets the language cookie
        language = chosen or translation.get_language_from_request(request)
        generation, counted_at = pagecache.state(statement_id)
        try:
            text_language = language_code(asked) or language
            key = _key(request, statement_id, generation, language, text_language)
        except DisallowedHost:
            return None
        copy: Copy | None = cache.get(key)
        if not _fresh(copy, counted_at, time.time()):
            return None
        assert copy is not None
        response = _answer(request, copy)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        if response.status_code == 200:
            response["Content-Length"] = str(len(copy.body))
        return response
