"""The signing post's early lane (public/signing_lane.py): the same answers as the whole
middleware stack gives, each attempt counted once."""

import pytest
from django.conf import settings as django_settings

from tests.conftest import form_data
from undersign.signatures.models import Signature

LANE = "undersign.public.signing_lane.SigningLane"


def sign(client, statement, headers=None, **overrides):
    return client.post(f"/s/{statement.slug}/sign", form_data(**overrides), headers=headers)


def without_lane() -> list[str]:
    return [m for m in django_settings.MIDDLEWARE if m != LANE]


def test_a_recorded_signing_gets_the_answer_the_whole_stack_gives(client, statement, settings):
    assert LANE in settings.MIDDLEWARE
    early = sign(client, statement, email="one@example.org")
    settings.MIDDLEWARE = without_lane()
    late = sign(client, statement, email="two@example.org")
    assert early.status_code == late.status_code == 302
    assert dict(early.headers) == dict(late.headers)
    assert early["Location"] == "/s/letter/check-mail"
    assert early["Vary"] == "Accept-Language, Cookie"
    assert Signature.objects.count() == 2


@pytest.mark.parametrize("lane", [True, False])
def test_the_signature_carries_the_language_the_reader_reads(client, statement, settings, lane):
    if not lane:
        settings.MIDDLEWARE = without_lane()
    r = sign(client, statement, headers={"accept-language": "de-DE,de;q=0.9"})
    assert r.status_code == 302 and r["Content-Language"] == "de"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"
    r = sign(client, statement, email="b@example.org", headers={"accept-language": "de"})
    assert r["Content-Language"] == "uk"
    assert sorted(Signature.objects.values_list("language", flat=True)) == ["de", "uk"]


def test_a_refused_attempt_is_counted_once_and_shown_with_its_reason(client, statement, settings):
    from undersign.statements.services import close_statement

    settings.SIGNING_BURST_LIMIT = (3, 60)
    close_statement(statement)
    for n in range(3):  # counted twice, the second would already be "too many"
        r = sign(client, statement, email=f"p{n}@example.org", headers={"accept-language": "ru"})
        assert r.status_code == 400, n
        assert "Сбор подписей под этим заявлением завершён." in r.content.decode()
    r = sign(client, statement, email="p3@example.org")
    assert r.status_code == 429 and r["Retry-After"]
    assert Signature.objects.count() == 0


def test_mistakes_and_other_sites_still_get_their_pages(client, statement):
    r = sign(client, statement, email="not an address", name="Анна")
    page = r.content.decode()
    assert r.status_code == 400 and 'value="Анна"' in page and 'value="not an address"' in page
    r = sign(client, statement, headers={"origin": "https://elsewhere.example"})
    assert r.status_code == 403
    assert Signature.objects.count() == 0


def test_too_many_attempts_keep_everything_typed(client, statement, settings):
    settings.SIGNING_BURST_LIMIT = (1, 60)
    assert sign(client, statement, email="first@example.org").status_code == 302
    r = sign(client, statement, email="p3@example.org", name="Typed Name", city="Typed City")
    assert r.status_code == 429 and r["Retry-After"]
    page = r.content.decode()
    assert 'value="p3@example.org"' in page and 'value="Typed Name"' in page
    assert 'value="Typed City"' in page
    assert "Too many" in page or "too many" in page
    assert Signature.objects.count() == 1
