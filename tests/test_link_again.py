"""The check-mail page: how long the link works, and "Send the link again", which answers
the same whatever the address and does what a repeat attempt does: the job decides."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import links, path_of, run_worker, sign
from undersign.signatures.models import Contact, Signature, SigningNotice

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _age_mails(minutes: int = 30) -> None:
    """Pretend the last mail went out a while ago (beyond the double-click gap)."""
    Signature.objects.update(mail_sent_at=timezone.now() - timedelta(minutes=minutes))


def _again(client, email: str, **extra):
    return client.post("/s/letter/check-mail", {"email": email}, **extra)


def test_the_page_says_how_long_the_link_works_and_offers_to_send_it_again(
    client, statement, settings
):
    settings.UNCONFIRMED_RETENTION_DAYS = 5
    html = client.get("/s/letter/check-mail").content.decode()
    assert "The link works for 5 days." in html
    assert "no second" not in html.lower()
    assert 'id="again-form"' in html and "Send the link again" in html
    ru = client.get("/s/letter/check-mail", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Ссылка действует 5 дней." in ru
    assert "Отправить ссылку ещё раз" in ru


def test_a_pending_signer_gets_the_same_link_again(client, statement, mailoutbox):
    sign(client, statement)
    run_worker()
    _age_mails()
    r = _again(client, "ANNA@example.org")
    assert r.status_code == 302 and r["Location"] == "/s/letter/check-mail?again=1#again"
    assert "the link is on its way again" in client.get(r["Location"]).content.decode()
    run_worker()
    assert len(mailoutbox) == 2
    again = mailoutbox[1]
    assert again.to == ["ANNA@example.org"]  # as typed: the same mailbox by its digest
    assert again.subject == "Your signature still waits for confirmation"
    assert "asked for the link that confirms your signature" in again.body
    assert links(again.body)["confirm"] == links(mailoutbox[0].body)["confirm"]
    # Asking changed nothing of the signature: its choices and contacts stay.
    signature = Signature.objects.get()
    assert (signature.public_name, signature.submissions) == ("Anna Petrova", 1)
    assert Contact.objects.get().email == "anna@example.org"
    client.post(path_of(links(again.body)["confirm"]))
    assert Signature.objects.get().status == "confirmed"


def test_a_confirmed_signer_is_told_it_counts_and_nobody_else_gets_anything(
    client, statement, mailoutbox
):
    sign(client, statement)
    run_worker()
    client.post(path_of(links(mailoutbox[0].body)["confirm"]))
    _age_mails()
    _again(client, "anna@example.org")
    _again(client, "never.signed@example.org")
    run_worker()
    assert [m.to for m in mailoutbox] == [["anna@example.org"], ["anna@example.org"]]
    assert mailoutbox[1].subject == "You have already signed"
    assert "already confirmed and counted" in mailoutbox[1].body
    assert "confirm" not in links(mailoutbox[1].body)
    # Nothing is left of the requests: no address waits anywhere.
    assert not SigningNotice.objects.exclude(transit="").exists()


def test_the_answer_and_the_work_are_the_same_whatever_the_address(client, statement, mailoutbox):
    sign(client, statement, email="pending@example.org")
    sign(client, statement, email="confirmed@example.org")
    run_worker()
    confirm = {m.to[0]: links(m.body) for m in mailoutbox}["confirmed@example.org"]["confirm"]
    client.post(path_of(confirm))

    answers = {}
    for state in ("new", "pending", "confirmed"):
        with CaptureQueriesContext(connection) as queries:
            r = _again(client, f"{state}@example.org")
        page = client.get(r["Location"])
        answers[state] = (r.status_code, r["Location"], CSRF.sub(b"", page.content))
        answers[state] += (len(queries),)
    assert len(set(answers.values())) == 1, answers
    # Each request left one notice for the job: nothing was looked up at the door.
    assert SigningNotice.objects.filter(signature=None).count() == 3


def test_a_request_is_throttled_like_a_repeat_attempt(client, statement, mailoutbox, settings):
    settings.SIGNING_NOTICES_PER_DAY = 2
    sign(client, statement)
    run_worker()
    _again(client, "anna@example.org")  # within minutes of the first mail: nothing
    run_worker()
    assert len(mailoutbox) == 1
    for _ in range(4):
        _age_mails()
        _again(client, "anna@example.org")
        run_worker()
    assert len(mailoutbox) == 1 + 2  # at most two a day


def test_it_counts_against_the_signing_limits(client, statement, settings):
    settings.SIGNING_BURST_LIMIT = (3, 60)
    sign(client, statement, email="a@example.org")
    sign(client, statement, email="b@example.org")
    assert _again(client, "a@example.org").status_code == 302
    r = _again(client, "a@example.org")
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    html = r.content.decode()
    assert "Too many attempts" in html and 'value="a@example.org"' in html  # kept


@pytest.mark.parametrize("typed", ["", "not-an-address", "anna@b\ufffd.org", "x" * 300 + "@e.org"])
def test_bad_input_is_explained_and_kept(client, statement, typed):
    r = _again(client, typed)
    assert r.status_code == 400
    html = r.content.decode()
    assert 'class="error-summary"' in html and 'href="#id_email"' in html
    assert not SigningNotice.objects.exists()


def test_a_post_from_another_site_is_refused(client, statement):
    r = _again(client, "anna@example.org", HTTP_ORIGIN="https://evil.example")
    assert r.status_code == 403
    assert not SigningNotice.objects.exists()


def test_switching_language_after_a_mistake_keeps_the_address(client, statement):
    _again(client, "anna@example")  # a mistake: the page answers the post
    r = client.post("/s/letter/check-mail", {"email": "anna@example", "language": "uk"})
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="uk">' in html and 'value="anna@example"' in html
    assert "Надіслати посилання ще раз" in html
    assert r.cookies["django_language"].value == "uk"
    assert not SigningNotice.objects.exists()  # a language button asks for nothing


def test_hostile_input_changes_nothing_and_mails_nobody_else(client, statement, mailoutbox):
    from tests.test_hostile_inputs import CORPUS

    sign(client, statement)
    run_worker()
    _age_mails()
    hostile = [*CORPUS, "anna@example.org\r\nBcc: victim@example.org", "anna@example.org\n"]
    for value in hostile:
        r = _again(client, value)
        assert r.status_code in (302, 400), (value[:40], r.status_code)
        assert "<script>alert" not in r.content.decode()
    for language in ("<script>", "../../", "zz", "ru\r\n"):
        r = client.post("/s/letter/check-mail", {"email": "x@example.org", "language": language})
        assert r.status_code in (200, 302, 400) and "<script>" not in r.content.decode()
    run_worker()
    for mail in mailoutbox:
        assert mail.message()["Bcc"] is None
        assert len(mail.to) == 1 and "\n" not in mail.to[0]


def test_the_widget_after_signing_leads_to_the_page_that_sends_the_link_again(client, statement):
    html = client.get("/s/letter/embed?sent=1").content.decode()
    assert 'href="/s/letter/check-mail" target="_blank"' in html
