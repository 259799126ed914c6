"""The statement page in a surge (issue 13): one rendered copy shared by every anonymous
reader of a language, answered with ETag / Last-Modified and 304, made again when what it
shows changes; never anyone's own input, error or session, and no cookie for readers."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from tests.conftest import form_data, sign
from tests.signers import confirmed, organiser
from undersign.signatures import moderation, services
from undersign.signatures.models import Signature
from undersign.statements.events import open_event
from undersign.statements.services import close_statement

PAGE = "/s/letter/"


def shown_count(response) -> int:
    return int(re.search(r'data-count="(\d+)"', response.content.decode()).group(1))


def test_it_answers_an_anonymous_reader_without_a_cookie_a_token_or_a_session(client, statement):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert Session.objects.count() == 0


def test_signing_writes_no_session_and_sets_no_cookie(client, statement):
    response = sign(client, statement)
    assert response.status_code == 302
    assert not response.cookies
    assert Session.objects.count() == 0
    page = client.get(response["Location"])
    assert not page.cookies
    assert Session.objects.count() == 0


def test_a_browser_asking_again_with_the_etag_gets_304_and_no_body(client, statement):
    first = client.get(PAGE)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified
    again = client.get(PAGE, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    since = client.get(PAGE, HTTP_IF_MODIFIED_SINCE=modified)
    assert since.status_code == 304
    # Another reader, the same page: the same copy.
    assert Client().get(PAGE).content == first.content


def test_each_language_has_its_own_copy(client, statement):
    english = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en")
    german = Client().get(PAGE, HTTP_ACCEPT_LANGUAGE="de")
    assert 'lang="en"' in english.content.decode()
    assert 'lang="de"' in german.content.decode()
    assert english["ETag"] != german["ETag"]
    assert (
        Client()
        .get(PAGE, HTTP_IF_NONE_MATCH=english["ETag"], HTTP_ACCEPT_LANGUAGE="de")
        .status_code
        == 200
    )
    assert (
        Client().get(PAGE, HTTP_IF_NONE_MATCH=german["ETag"], HTTP_ACCEPT_LANGUAGE="de").status_code
        == 304
    )


def test_a_confirmation_shows_on_the_page(client, statement, settings):
    settings.PAGE_COUNTER_LAG_SECONDS = 0
    first = client.get(PAGE)
    assert shown_count(first) == 0
    confirmed(client, statement, name="Vera Figner")
    after = client.get(PAGE, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert shown_count(after) == 1
    assert "Vera Figner" in after.content.decode()


def test_in_a_surge_a_confirmation_may_wait_for_the_lag_but_a_withdrawal_does_not(
    client, statement, settings
):
    settings.PAGE_COUNTER_LAG_SECONDS = 3600  # "a second", made long so nothing races
    first = confirmed(client, statement, name="Vera Figner")
    assert shown_count(client.get(PAGE)) == 1
    confirmed(client, statement, name="Sofia Perovskaya")
    lagging = client.get(PAGE)
    assert shown_count(lagging) == 1  # the shared copy, younger than the lag
    services.withdraw_signature(first)
    page = client.get(PAGE).content.decode()
    assert "Vera Figner" not in page
    assert "Sofia Perovskaya" in page
    assert 'data-count="1"' in page


def test_a_moderator_hiding_a_name_takes_it_off_the_shared_page_at_once(
    client, statement, settings
):
    settings.PAGE_COUNTER_LAG_SECONDS = 3600
    signature = confirmed(client, statement, name="Nikolai Kibalchich")
    assert "Nikolai Kibalchich" in client.get(PAGE).content.decode()
    moderation.hide_signature(signature, reason="Not a person")
    page = client.get(PAGE).content.decode()
    assert "Nikolai Kibalchich" not in page
    assert "1 name hidden by moderators." in page


def test_closing_and_an_event_window_show_at_once(client, statement, settings):
    settings.PAGE_COUNTER_LAG_SECONDS = 3600
    assert 'id="sign-form"' in client.get(PAGE).content.decode()
    open_event(statement, hours=2)
    assert 'name="room"' in client.get(PAGE).content.decode()
    close_statement(statement)
    page = client.get(PAGE).content.decode()
    assert 'id="sign-form"' not in page
    assert "Signing of this statement is closed." in page


def test_a_shared_page_never_holds_another_readers_input_or_error(client, statement):
    before = Client().get(PAGE)  # a copy exists before the mistake
    mistaken = client.post(
        "/s/letter/sign", form_data(name="Zinaida Konoplyannikova", email="not-an-address")
    )
    assert mistaken.status_code == 400
    assert "Zinaida Konoplyannikova" in mistaken.content.decode()
    assert "Enter a valid email address" in mistaken.content.decode()
    # The same page language, switched by the header's button: what was typed stays there.
    switched = client.post(
        "/s/letter/sign", form_data(name="Zinaida Konoplyannikova", language="de")
    )
    assert "Zinaida Konoplyannikova" in switched.content.decode()
    for reader in (Client(), Client(HTTP_ACCEPT_LANGUAGE="de")):
        page = reader.get(PAGE).content.decode()
        assert "Zinaida" not in page
        assert "not-an-address" not in page
        assert "error-summary" not in page
    assert Client().get(PAGE).content == before.content
    assert not Signature.objects.exists()


def test_a_room_code_in_the_address_is_never_shared(client, statement):
    open_event(statement, hours=2)
    with_code = client.get(PAGE + "?room=ABCD-1234")
    assert 'value="ABCD1234"' in with_code.content.decode()
    assert "ETag" not in with_code
    assert "ABCD1234" not in Client().get(PAGE).content.decode()


@pytest.mark.parametrize("query", ["?after=bm90LWEtY3Vyc29y", "?utm_source=channel"])
def test_other_queries_are_rendered_for_the_reader_not_shared(client, statement, query):
    response = client.get(PAGE + query)
    assert response.status_code == 200
    assert "ETag" not in response


def test_an_organiser_with_a_session_gets_a_page_rendered_for_them(client, statement):
    user = organiser()
    client.force_login(user)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "ETag" not in response


def test_the_language_switcher_needs_no_token_and_refuses_other_sites(client, statement):
    client.get(PAGE)
    switched = client.post("/i18n/setlang/", {"language": "de", "next": PAGE})
    assert switched.status_code == 302
    assert switched.cookies["django_language"].value == "de"
    assert 'lang="de"' in client.get(PAGE).content.decode()
    forged = Client().post(
        "/i18n/setlang/",
        {"language": "ru", "next": PAGE},
        HTTP_ORIGIN="https://elsewhere.example",
    )
    assert forged.status_code == 403
    assert "django_language" not in forged.cookies


def test_a_shared_copy_keeps_the_readers_language_and_the_headers_of_every_page(statement):
    Client(HTTP_ACCEPT_LANGUAGE="ru").get(PAGE)  # the Russian copy exists
    reader = Client()
    reader.cookies["django_language"] = "ru"
    first, again = reader.get(PAGE), reader.get(PAGE)
    for response in (first, again):
        assert 'lang="ru"' in response.content.decode()
        assert response["Content-Language"] == "ru"
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]
        assert not response.cookies
    assert again.content == first.content
    german = Client().get(PAGE + "?lang=de")  # a shared link: sets the language cookie
    assert german.cookies["django_language"].value == "de"
    assert 'lang="de"' in german.content.decode()


def test_a_host_not_allowed_gets_no_shared_copy(client, statement):
    client.get(PAGE)
    assert client.get(PAGE, HTTP_HOST="evil.example").status_code == 400
