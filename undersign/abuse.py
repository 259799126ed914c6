"""Defences against floods and robots: rate limits per client address and proof of work.

Addresses are never stored: a rate-limit counter in the cache is keyed by an HMAC of the
address (key from the settings), it expires with its window, and nothing here logs.

The proof of work (ALTCHA) is solved by the browser when JavaScript runs. Signing attempts
are counted per address in one of three ways (`signing_limited`):
- without a proof: a burst and a sustained limit, which one person never reaches, but a
  room of people behind one address (a forum hall, a Tor exit) soon does;
- with a valid, unused proof: the looser SIGNING_PROVEN_LIMITS, counted apart, so that the
  room's JavaScript-less people keep their own share; every attempt costs its sender a
  solved puzzle, and the ceiling still bounds a flood from one address;
- with the room code of a statement's open event window: SIGNING_EVENT_LIMITS, per address
  and statement, for in-room signing; bounded too, and the window closes by itself.

Forged submissions: the signing forms need no cookie (a widget framed on another site gets
none), so `from_this_site` checks where a browser's post comes from instead.
"""

import contextlib
import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

import altcha
from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from undersign.cache import LocMemCache, RedisCache

POW_ALGORITHM = "PBKDF2/SHA-256"


def client_address(request: HttpRequest) -> str:
    """The address of the client, past the configured number of trusted proxies.

    Each trusted proxy appends the address it was reached from to X-Forwarded-For, so the
    client is that many entries from the right; anything further left is the client's own
    claim and is ignored.
    """
    hops = settings.TRUSTED_PROXIES
    if hops > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            return forwarded[-hops] if len(forwarded) >= hops else forwarded[0]
    return str(request.META.get("REMOTE_ADDR", ""))


def _keyed(value: str) -> str:
    """`value` hashed with the rate limits' key: what the cache's counters are named by."""
    key = settings.RATE_LIMIT_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def _client_key(request: HttpRequest) -> str:
    """Whom a request's attempts are counted for: its client address, or for IPv6 the
    address's /64 network. One subscriber or server is given a whole /64 and may send from
    any address in it, so counting per address would give one sender endless fresh limits."""
    address = client_address(request)
    if ":" in address:
        # Not an address (a misconfigured proxy's header): counted as it is.
        with contextlib.suppress(ValueError):
            address = str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return _keyed(address)


Limits = list[tuple[int, int]] | tuple[tuple[int, int], ...]


def _counter(name: str, seconds: int, window: int) -> str:
    """The cache key of `name`'s counter in one window of a limit `seconds` long."""
    return f"rl:{name}:{seconds}:{window}"


def _counted(name: str, limits: Limits, now: float) -> int | None:
    """Count one hit in each limit's fixed window (a counter in the cache that lives until
    its window is over); the seconds to wait if one of them is now full, else None."""
    windows = [(count, seconds, int(now // seconds)) for count, seconds in limits]
    counters = [(_counter(name, seconds, window), seconds + 1) for _, seconds, window in windows]
    backend = caches["default"]  # `cache` is a proxy to it
    if isinstance(backend, RedisCache | LocMemCache):
        hits = backend.count(counters)
    else:  # a cache of another kind: Django's calls, an add and an incr each
        hits = [_incremented(key, seconds) for key, seconds in counters]
    waits = [
        max(1, math.ceil((window + 1) * seconds - now))
        for (count, seconds, window), hit in zip(windows, hits, strict=True)
        if hit > count
    ]
    return max(waits) if waits else None


def _incremented(key: str, seconds: int) -> int:
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        return 1


def rate_limited(request: HttpRequest, scope: str, limits: Limits) -> int | None:
    """Count this request against each (count, seconds) limit of `scope` for its client.

    Returns the seconds until the client may try again, or None when it may go on.
    """
    return _counted(f"{scope}:{_client_key(request)}", limits, time.time())


def rate_limited_key(scope: str, value: str, limits: Limits) -> int | None:
    """Like `rate_limited`, counting per `value` (e.g. a user name, kept hashed) instead."""
    return _counted(f"{scope}:{_keyed(value)}", limits, time.time())


def limit_met(request: HttpRequest, scope: str, limits: Limits) -> int | None:
    """Whether the client already met a limit of `scope`, without counting this request:
    for limits on failures, looked at before trying and counted only on failure."""
    name = f"{scope}:{_client_key(request)}"
    now = time.time()
    waits = []
    for count, seconds in limits:
        window = int(now // seconds)
        if (cache.get(_counter(name, seconds, window)) or 0) >= count:
            waits.append(max(1, math.ceil((window + 1) * seconds - now)))
    return max(waits) if waits else None


class RateLimited(Exception):
    """Raised where a limit is met deep inside a form; the page answers 429."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def wait_message(retry_after: int) -> str:
    """ "Please try again in N minutes", in the reader's language."""
    minutes = max(1, -(-retry_after // 60))
    return ngettext(
        "Too many attempts came from your network. Please try again in %(n)d minute.",
        "Too many attempts came from your network. Please try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The 429 page, in the reader's language, saying how long to wait."""
    context = {"title": _("Too many attempts"), "text": wait_message(retry_after)}
    response = render(request, "public/error.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def answers_rate_limits(view: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a RateLimited raised anywhere in `view` into the 429 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> Any:
        try:
            return view(request, *args, **kwargs)
        except RateLimited as limited:
            return too_many_requests(request, limited.retry_after)

    return wrapper


def check_login(request: HttpRequest, username: str) -> None:
    """Count one login attempt, per client address and per user name, whichever door it
    came through; raise RateLimited past LOGIN_LIMIT."""
    limits = [settings.LOGIN_LIMIT]
    wait = rate_limited(request, "login", limits)
    wait = wait or rate_limited_key("login-user", username[:150], limits)
    if wait is not None:
        raise RateLimited(wait)


def signing_limited(request: HttpRequest, *, proven: bool, event: str = "") -> int | None:
    """Count one signing attempt; the seconds to wait if it is one too many.

    `event` names an open event window whose room code the attempt carried.
    """
    if event:
        return rate_limited(request, f"sign-event:{event}", settings.SIGNING_EVENT_LIMITS)
    if proven:
        return rate_limited(request, "sign-proven", settings.SIGNING_PROVEN_LIMITS)
    limits = [settings.SIGNING_BURST_LIMIT, settings.SIGNING_SUSTAINED_LIMIT]
    return rate_limited(request, "sign", limits)


# Forged submissions ---------------------------------------------------------------------------


def _site_origins(request: HttpRequest) -> set[str]:
    origins = {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}
    return origins | {settings.SITE_URL}


def from_this_site(request: HttpRequest) -> bool:
    """Whether a post comes from a page of this site, or from no browser page at all.

    Browsers say where a post comes from: `Sec-Fetch-Site` (recent ones, on HTTPS and
    loopback) and `Origin` (all current ones, on every POST). The widget's form is a page of
    this site even when another site frames it, so its posts pass; a form on another site,
    or a sandboxed frame (`Origin: null`), does not. A request with neither header is no
    browser's, and cannot make a visitor sign anything. (The same rule as Go's
    net/http CrossOriginProtection; Django's cookie token cannot work in a framed widget.)
    """
    # Read from META, as `request.headers` would give them: building that mapping of every
    # header was 3% of a signing in a surge (issue 13).
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        return True
    return origin in _site_origins(request)


# Proof of work ------------------------------------------------------------------------------


def new_challenge() -> dict:
    """A fresh puzzle for the ALTCHA widget, signed so we need not store it."""
    challenge = altcha.create_challenge(
        POW_ALGORITHM,
        settings.ALTCHA_COST,
        expires_at=timezone.now() + timedelta(seconds=settings.ALTCHA_EXPIRES_SECONDS),
        hmac_secret=settings.ALTCHA_HMAC_KEY,
    )
    return challenge.to_dict()


def proof_is_valid(payload: str) -> bool:
    """Whether `payload` solves one of our challenges, unexpired and not used before."""
    if not payload or len(payload) > 4000:
        return False
    try:
        result = altcha.verify_solution(payload, settings.ALTCHA_HMAC_KEY)
        signature = altcha.v2.Payload.from_base64(payload).challenge.signature or ""
    except (ValueError, TypeError, KeyError, AttributeError):
        return False
    if not result.verified or not signature:
        return False
    # One challenge, one request: remember it until it would have expired anyway.
    used = "pow-used:" + hashlib.sha256(signature.encode()).hexdigest()
    return bool(cache.add(used, 1, timeout=settings.ALTCHA_EXPIRES_SECONDS))
