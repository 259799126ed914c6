"""Floods and robots: rate limits per address, the honeypot, the proof of work."""

import json
import uuid

import altcha
import pytest
from django.core.cache import cache
from django.test import RequestFactory

from tests.conftest import form_data, sign
from undersign import abuse
from undersign.signatures.models import Signature

API = "/api/v1/statements/letter/signatures"


@pytest.fixture
def strict(settings):
    settings.SIGNING_BURST_LIMIT = (3, 60)
    settings.SIGNING_SUSTAINED_LIMIT = (6, 3600)
    return settings


def _post(client, statement, forwarded: str, **overrides):
    return client.post(
        f"/s/{statement.slug}/sign", form_data(**overrides), HTTP_X_FORWARDED_FOR=forwarded
    )


def _proof(client) -> str:
    challenge = altcha.v2.Challenge.from_dict(client.get("/pow/challenge").json())
    solution = altcha.solve_challenge(challenge)
    assert solution is not None
    return altcha.v2.Payload(challenge, solution).to_base64()


def test_the_burst_limit_answers_429_with_retry_after(client, statement, strict):
    statuses = [sign(client, statement, email=f"p{i}@example.org").status_code for i in range(4)]
    assert statuses == [302, 302, 302, 429]
    r = sign(client, statement, email="late@example.org")
    assert r.status_code == 429
    assert 0 < int(r["Retry-After"]) <= 60
    assert "Too many attempts" in r.content.decode()
    assert Signature.objects.count() == 3


def test_a_surge_from_many_addresses_does_not_wipe_out_one_address_s_count(
    client, statement, strict
):
    for i in range(3):
        sign(client, statement, email=f"p{i}@example.org")
    # A surge: two thousand other addresses sign meanwhile (two counters each). Django's
    # in-memory cache held 300 entries and dropped a third of them when full, this
    # address's counters among them, and its fourth attempt went through.
    others = RequestFactory()
    for i in range(2000):
        crowd = others.post("/s/letter/sign", REMOTE_ADDR=f"10.0.{i // 250}.{i % 250}")
        assert abuse.signing_limited(crowd, proven=False) is None
    r = sign(client, statement, email="p3@example.org")
    assert r.status_code == 429
    assert Signature.objects.count() == 3


def test_one_ipv6_network_is_one_sender_whichever_of_its_addresses_it_uses(
    client, statement, strict
):
    def from_address(address: str, n: int):
        return client.post(
            "/s/letter/sign", form_data(email=f"v6-{n}@example.org"), REMOTE_ADDR=address
        )

    statuses = [from_address(f"2001:db8:1:2::{n:x}", n).status_code for n in range(1, 5)]
    assert statuses == [302, 302, 302, 429]
    # Another /64 is another sender.
    assert from_address("2001:db8:1:3::1", 9).status_code == 302


@pytest.mark.parametrize(
    "backend", ["undersign.cache.LocMemCache", "django.core.cache.backends.locmem.LocMemCache"]
)
def test_the_limits_count_alike_in_undersign_s_cache_and_in_another(settings, backend):
    # Its own store: in-memory caches of one name share theirs, whatever their class.
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": f"counting-{uuid.uuid4()}"}}
    request = RequestFactory().post("/s/letter/sign", REMOTE_ADDR="192.0.2.7")
    limits = [(2, 60), (3, 3600)]
    waits = [abuse.rate_limited(request, "test", limits) for _ in range(4)]
    assert waits[:2] == [None, None]
    assert all(0 < wait <= 3600 for wait in waits[2:])  # the hour's wait is the longer one
    assert 60 < waits[3] <= 3600
    assert waits[3] - 1 <= abuse.limit_met(request, "test", limits) <= waits[3]  # a moment later


def test_the_limit_page_is_translated(client, statement, strict):
    for i in range(4):
        sign(client, statement, email=f"p{i}@example.org")
    r = client.post("/s/letter/sign", form_data(email="x@example.org"), HTTP_ACCEPT_LANGUAGE="de")
    assert r.status_code == 429
    assert '<html lang="de">' in r.content.decode()


def test_the_api_answers_429_in_json(client, statement, strict):
    body = {"name": "A", "email": "a@example.org", "consent": True}
    for _ in range(3):
        client.post(API, json.dumps(body), content_type="application/json")
    r = client.post(API, json.dumps(body), content_type="application/json")
    assert r.status_code == 429
    assert int(r["Retry-After"]) > 0
    assert r.json()["errors"]["__all__"]


def test_a_valid_proof_of_work_lifts_the_burst_and_the_sustained_limit_up_to_a_ceiling(
    client, statement, strict
):
    strict.SIGNING_PROVEN_LIMITS = [(100, 60), (9, 3600)]
    statuses = [
        sign(client, statement, email=f"p{i}@example.org", altcha=_proof(client)).status_code
        for i in range(10)
    ]
    # A room behind one address gets past the sustained limit of 6; a flood still stops.
    assert statuses == [302] * 9 + [429]
    # The proofs did not use up what people without JavaScript may send from there.
    assert [sign(client, statement, email=f"q{i}@example.org").status_code for i in range(4)] == [
        302,
        302,
        302,
        429,
    ]


def test_a_proof_counts_once(client, statement, strict):
    proof = _proof(client)
    statuses = [
        sign(client, statement, email=f"p{i}@example.org", altcha=proof).status_code
        for i in range(5)
    ]
    assert statuses == [302, 302, 302, 302, 429]  # the first one proven, then the burst limit


def test_a_forged_proof_is_no_proof_and_no_error(client, statement, strict):
    assert sign(client, statement, altcha="eyJmb28iOiAxfQ==").status_code == 302
    assert sign(client, statement, altcha="not base64 at all").status_code == 302


def test_without_trusted_proxies_a_forwarded_header_changes_nothing(client, statement, strict):
    statuses = [
        _post(client, statement, f"10.0.0.{i}", email=f"p{i}@example.org").status_code
        for i in range(4)
    ]
    assert statuses[-1] == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(client, statement, strict):
    strict.TRUSTED_PROXIES = 1

    def post(i: int, address: str) -> int:
        # The client may claim anything on the left; the proxy appends what it saw.
        forwarded = f"6.6.6.6, {address}"
        return _post(client, statement, forwarded, email=f"p{i}-{address}@example.org").status_code

    assert [post(i, "203.0.113.1") for i in range(4)] == [302, 302, 302, 429]
    assert post(9, "203.0.113.2") == 302


def test_addresses_are_never_kept_in_clear(client, statement, strict):
    strict.TRUSTED_PROXIES = 1
    _post(client, statement, "198.51.100.77")
    if hasattr(cache._cache, "get_client"):  # type: ignore[attr-defined]  # Redis
        stored = cache._cache.get_client().keys("*")  # type: ignore[attr-defined]
        keys = " ".join(k.decode() for k in stored)
    else:  # one process's memory
        keys = " ".join(str(k) for k in cache._cache)  # type: ignore[attr-defined]
    assert "rl:sign:" in keys
    assert "198.51.100.77" not in keys and "127.0.0.1" not in keys


def test_the_honeypot_catches_robots_without_telling_them(client, statement):
    r = sign(client, statement, website="http://spam.example")
    assert r.status_code == 302 and r["Location"] == "/s/letter/check-mail"
    assert not Signature.objects.exists()


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client, statement):
    page = client.get("/s/letter/").content.decode()
    start = page.index('<div class="hp" aria-hidden="true">')
    block = page[start : page.index("</div>", start)]
    assert 'tabindex="-1"' in block and "Leave this field empty" in block


def test_the_challenge_is_served_by_us_and_changes(client):
    first, second = client.get("/pow/challenge"), client.get("/pow/challenge")
    assert first.status_code == 200 and first["Content-Type"] == "application/json"
    assert first.json()["parameters"]["algorithm"] == abuse.POW_ALGORITHM
    assert first.json() != second.json()
    assert "no-cache" in first["Cache-Control"]


def test_a_form_with_mistakes_is_not_an_attempt(client, statement, strict):
    for _ in range(10):
        assert sign(client, statement, email="not an address").status_code == 400
    statuses = [sign(client, statement, email=f"p{i}@example.org").status_code for i in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_too_many_attempts_shows_the_form_again_with_what_was_typed(client, statement, strict):
    for i in range(3):
        sign(client, statement, email=f"p{i}@example.org")
    r = sign(client, statement, name="Vera Typed", email="vera@example.org", city="Tartu")
    assert r.status_code == 429 and 0 < int(r["Retry-After"]) <= 60
    page = r.content.decode()
    assert "Please try again in 1 minute." in page
    assert 'value="Vera Typed"' in page and 'value="vera@example.org"' in page
    assert 'value="Tartu"' in page
    widget = client.post("/s/letter/embed", form_data(name="Vera Typed", email="v@example.org"))
    assert widget.status_code == 429 and 'value="Vera Typed"' in widget.content.decode()
    assert "Please try again in 1 minute." in widget.content.decode()


def test_the_api_takes_json_only(client, statement):
    body = json.dumps({"name": "A", "email": "a@example.org", "consent": True})
    # What a page on any site could make its visitors' browsers send without asking.
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        r = client.post(API, body, content_type=content_type)
        assert r.status_code == 415, content_type
        assert r.json()["detail"]
    r = client.post(API, {"name": "A", "email": "a@example.org", "consent": "true"})
    assert r.status_code == 415
    assert not Signature.objects.exists()
    assert client.post(API, body, content_type="application/json").status_code == 202


def test_the_api_refuses_posts_from_another_sites_page(client, statement):
    body = json.dumps({"name": "A", "email": "a@example.org", "consent": True})
    for origin in ("https://evil.example", "null", "http://testserver.evil.example"):
        r = client.post(API, body, content_type="application/json", HTTP_ORIGIN=origin)
        assert r.status_code == 403, origin
    r = client.post(API, body, content_type="application/json", HTTP_SEC_FETCH_SITE="cross-site")
    assert r.status_code == 403
    assert not Signature.objects.exists()
    # This site's own pages, and servers and scripts (no Origin), may sign.
    r = client.post(API, body, content_type="application/json", HTTP_ORIGIN="http://testserver")
    assert r.status_code == 202


def test_an_api_body_with_mistakes_is_not_an_attempt(client, statement, strict):
    bad = json.dumps({"name": "A", "email": "nope", "consent": True})
    for _ in range(5):
        assert client.post(API, bad, content_type="application/json").status_code == 422
    good = json.dumps({"name": "A", "email": "a@example.org", "consent": True})
    statuses = [
        client.post(API, good, content_type="application/json").status_code for _ in range(4)
    ]
    assert statuses == [202, 202, 202, 429]
