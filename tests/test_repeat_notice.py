"""Signing again with an address that signed: the page says nothing, the owner gets a mail."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import links, path_of, run_worker, sign
from undersign.signatures.models import Signature, SigningNotice


def _age_mails(minutes: int = 30) -> None:
    """Pretend the last mail went out a while ago (beyond the double-click gap)."""
    Signature.objects.update(mail_sent_at=timezone.now() - timedelta(minutes=minutes))


def test_a_pending_signer_who_signs_again_gets_the_link_again(client, statement, mailoutbox):
    sign(client, statement)
    run_worker()
    _age_mails()
    sign(client, statement, name="Somebody")
    run_worker()
    assert len(mailoutbox) == 2
    again = mailoutbox[1]
    assert again.to == ["anna@example.org"]
    assert again.subject == "Your signature still waits for confirmation"
    assert links(again.body)["confirm"] == links(mailoutbox[0].body)["confirm"]
    client.post(path_of(links(again.body)["confirm"]))
    assert Signature.objects.get().status == "confirmed"


def test_a_confirmed_signer_is_told_they_signed_already(client, statement, mailoutbox):
    sign(client, statement)
    run_worker()
    client.post(path_of(links(mailoutbox[0].body)["confirm"]))
    _age_mails()
    sign(client, statement)
    run_worker()
    assert mailoutbox[1].subject == "You have already signed"
    assert "confirm" not in links(mailoutbox[1].body)
    assert "withdraw" in links(mailoutbox[1].body)
    assert Signature.objects.get().status == "confirmed"


def test_a_double_click_sends_no_second_mail(client, statement, mailoutbox):
    sign(client, statement)
    run_worker()
    sign(client, statement)
    run_worker()
    assert len(mailoutbox) == 1


def test_at_most_a_few_notices_a_day(client, statement, mailoutbox, settings):
    settings.SIGNING_NOTICES_PER_DAY = 3
    sign(client, statement)
    run_worker()
    for _ in range(6):
        _age_mails()
        sign(client, statement)
        run_worker()
    assert len(mailoutbox) == 1 + 3
    # A day later the owner may be told again.
    SigningNotice.objects.update(sent_at=timezone.now() - timedelta(days=1, minutes=1))
    _age_mails()
    sign(client, statement)
    run_worker()
    assert len(mailoutbox) == 5


def test_notices_keep_no_address_once_handled(client, statement, mailoutbox):
    sign(client, statement)
    run_worker()
    for _ in range(3):
        sign(client, statement)
    run_worker()
    assert SigningNotice.objects.count() == 3
    assert set(SigningNotice.objects.values_list("transit", flat=True)) == {""}


def test_a_new_and_a_repeat_attempt_do_the_same_work(client, statement):
    def queries(email: str) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            sign(client, statement, email=email)
        # Each row written: an INSERT, or one of a PostgreSQL statement's WITH clauses.
        sql = [q["sql"] for q in ctx.captured_queries]
        rows = ["INSERT"] * sum(q.count("INSERT INTO") for q in sql if q.startswith("WITH"))
        return [q.split()[0] for q in sql if not q.startswith("WITH")] + rows

    queries("warm@example.org")  # sessions, caches
    new = queries("new@example.org")
    repeat = queries("new@example.org")
    # The same lookup on both paths, then a row holding the address and a job: signature,
    # contact and job, or notice and job.
    assert new.count("SELECT") == repeat.count("SELECT")
    assert new.count("INSERT") == 3 and repeat.count("INSERT") == 2
    assert "ROLLBACK" not in repeat
