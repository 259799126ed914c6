"""The answer to a signing attempt never tells whether the email signed before."""

import os
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import form_data, links, path_of, run_worker, sign
from undersign.signatures.models import Signature, SigningNotice

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _answer(client, statement, email: str) -> tuple[int, str, bytes]:
    """Status, redirect and the page it leads to, as the browser would see them."""
    r = client.post(f"/s/{statement.slug}/sign", form_data(email=email))
    page = client.get(r["Location"])
    return r.status_code, r["Location"], CSRF.sub(b"", page.content)


def test_new_pending_confirmed_and_withdrawn_emails_get_the_same_answer(
    client, statement, mailoutbox
):
    # Bring three addresses into the three earlier states.
    sign(client, statement, email="pending@example.org")
    sign(client, statement, email="confirmed@example.org")
    sign(client, statement, email="withdrawn@example.org")
    run_worker()
    by_address = {m.to[0]: links(m.body) for m in mailoutbox}
    client.post(path_of(by_address["confirmed@example.org"]["confirm"]))
    client.post(path_of(by_address["withdrawn@example.org"]["withdraw"]))

    answers = {
        state: _answer(client, statement, f"{state}@example.org")
        for state in ("new", "pending", "confirmed", "withdrawn")
    }
    assert answers["new"][0] == 302
    assert len(set(answers.values())) == 1, answers.keys()


def test_the_same_email_in_another_spelling_is_the_same_signer(client, statement):
    sign(client, statement, email="Anna.Petrova+letter@gmail.com")
    sign(client, statement, email="annapetrova@GoogleMail.com")
    sign(client, statement, email=" ANNA.PETROVA@gmail.com")
    assert Signature.objects.count() == 1


def test_a_repeat_submission_queues_no_second_mail(client, statement, mailoutbox):
    for _ in range(3):
        sign(client, statement)
    run_worker()
    assert Signature.objects.count() == 1
    assert len(mailoutbox) == 1


def test_the_api_answers_the_same_for_every_state(client, statement):
    body = {"name": "A", "email": "a@example.org", "consent": True}
    first = client.post(
        "/api/v1/statements/letter/signatures", body, content_type="application/json"
    )
    again = client.post(
        "/api/v1/statements/letter/signatures", body, content_type="application/json"
    )
    assert first.status_code == again.status_code == 202
    assert first.content == again.content


def test_a_sealed_statement_answers_the_same_too(client, statement, mailoutbox, tmp_path):
    from django.core.management import call_command

    from undersign.organisers.models import SealingKey

    call_command("keys", "new", "--out", str(tmp_path / "k"), "--name", "k")
    statement.sealing_key = SealingKey.objects.get()
    statement.save()
    sign(client, statement, email="pending@example.org")
    sign(client, statement, email="confirmed@example.org")
    run_worker()
    confirm = {m.to[0]: links(m.body) for m in mailoutbox}["confirmed@example.org"]["confirm"]
    client.post(path_of(confirm))
    answers = {
        state: _answer(client, statement, f"{state}@example.org")
        for state in ("new", "pending", "confirmed")
    }
    assert len(set(answers.values())) == 1


def test_emails_are_normalised_as_the_big_providers_deliver_them():
    from undersign.signatures.text import normalise_email

    same = {
        "Anna.Petrova+letter@Gmail.com": "annapetrova@gmail.com",
        "ｖｅｒａ@example.org": "vera@example.org",  # fullwidth letters (NFKC)
        "VERA@EXAMPLE.ORG": "vera@example.org",
        "vera+news@outlook.com": "vera@outlook.com",
        "vera+x@yandex.ru": "vera@yandex.ru",
        "vera+x@proton.me": "vera@proton.me",
    }
    for given, expected in same.items():
        assert normalise_email(given) == expected
    # Elsewhere a dot or a plus may make another mailbox: kept apart.
    assert normalise_email("a.b+c@example.org") == "a.b+c@example.org"


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="round trips to the database server: PostgreSQL's",
)
def test_a_first_signing_and_a_repeat_make_as_many_round_trips(client, statement):
    """On PostgreSQL the lookup by the email's digest also takes the ids a new signature
    and a notice would get, both each time: a repeat attempt waits out no more round trips
    than a first one, so its answer comes no later."""
    assert sign(client, statement, email="before@example.org").status_code == 302  # warm
    with CaptureQueriesContext(connection) as first:
        assert sign(client, statement, email="same@example.org").status_code == 302
    with CaptureQueriesContext(connection) as repeat:
        assert sign(client, statement, email="same@example.org").status_code == 302
    assert SigningNotice.objects.count() == 1
    assert len(first) == len(repeat), (
        [q["sql"][:50] for q in first],
        [q["sql"][:50] for q in repeat],
    )
