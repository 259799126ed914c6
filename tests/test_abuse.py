"""Floods and robots: rate limits per address, the honeypot, the proof of work."""

import json

import altcha
import pytest
from django.core.cache import cache

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


def test_a_valid_proof_of_work_lifts_the_burst_limit_but_not_the_sustained_one(
    client, statement, strict
):
    statuses = [
        sign(client, statement, email=f"p{i}@example.org", altcha=_proof(client)).status_code
        for i in range(7)
    ]
    assert statuses == [302] * 6 + [429]


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
