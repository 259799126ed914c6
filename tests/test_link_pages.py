"""The pages a mail's links lead to. One that leads nowhere (its unconfirmed signature was
purged, or it was cut short or made up) explains itself in the reader's language and offers
to sign again; the same page whatever the reason, so it tells nothing about which. The
confirmed page asks others to sign while one can."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import links, path_of, run_worker, sign
from undersign.signatures.models import Signature
from undersign.signatures.text import link_token

# What differs by the address asked for, not by what it found: the form token, and the
# address the language switcher leads back to.
ECHOED = re.compile(rb'name="(csrfmiddlewaretoken|next)" value="[^"]+"')


@pytest.fixture
def purged(client, statement, mailoutbox) -> dict[str, str]:
    """The links of a mail whose unconfirmed signature has been purged."""
    sign(client, statement)
    run_worker()
    Signature.objects.update(created_at=timezone.now() - timedelta(days=8))
    call_command("purge")
    assert not Signature.objects.exists()
    # The mail's links name their statement, so its page can offer to sign again.
    assert mailoutbox[0].body.count("?lang=en&s=letter") == 2
    return links(mailoutbox[0].body)


def test_a_purged_signatures_links_explain_and_lead_back_to_sign(client, statement, purged):
    for kind in ("confirm", "withdraw"):
        url = purged[kind]
        r = client.get(path_of(url) + "?s=letter")
        assert r.status_code == 404
        html = r.content.decode()
        assert "This link is no longer valid" in html
        assert "Page not found" not in html
        assert 'href="/s/letter/#sign"' in html and "again here" in html
        assert client.post(path_of(url) + "?s=letter").status_code == 404
    withdraw = client.get(path_of(purged["withdraw"])).content.decode()
    assert "it is deleted already" in withdraw


def test_the_page_speaks_the_language_of_the_link(client, statement, purged):
    r = client.get(path_of(purged["confirm"]) + "?lang=uk&s=letter")
    html = r.content.decode()
    assert r.status_code == 404 and '<html lang="uk">' in html
    assert "Це посилання більше не дійсне" in html


def test_an_unknown_or_made_up_link_gets_the_same_page_as_a_purged_one(client, statement, purged):
    def page(path: str) -> bytes:
        r = client.get(path)
        assert r.status_code == 404
        return ECHOED.sub(b"", r.content)

    made_up = "AAAAAAAAAAAAAAAAAAAAAAAA"
    same = {
        page(path_of(purged["confirm"]) + "?s=letter"),
        page(f"/confirm/{made_up}/{link_token(made_up, 'confirm')}/?s=letter"),
        page(f"/confirm/{made_up}/{'0' * 40}/?s=letter"),
    }
    assert len(same) == 1


def test_without_a_statement_it_leads_to_the_start_page(client, statement):
    for query in ("", "?s=no-such-letter", "?s=../../etc"):
        r = client.get(f"/confirm/x/{'0' * 40}/{query}")
        assert r.status_code == 404
        html = r.content.decode()
        assert "This link is no longer valid" in html
        assert 'href="/"' in html and "#sign" not in html.split("<main")[1]


def test_a_closed_statement_is_named_but_not_offered_for_signing(client, statement, purged):
    statement.deadline = timezone.now() - timedelta(days=1)
    statement.save()
    assert not statement.is_open
    html = client.get(path_of(purged["confirm"]) + "?s=letter").content.decode()
    assert "again here" not in html and 'href="/s/letter/"' in html


def test_the_confirmed_page_asks_others_to_sign_only_while_one_can(client, statement, mailoutbox):
    sign(client, statement)
    run_worker()
    confirm = path_of(links(mailoutbox[0].body)["confirm"])
    client.post(confirm)
    assert "Ask others to sign" in client.get(confirm).content.decode()
    statement.deadline = timezone.now() - timedelta(days=1)
    statement.save()
    html = client.get(confirm).content.decode()
    assert "your signature counts" in html and "Ask others to sign" not in html
