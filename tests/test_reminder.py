"""One reminder to a signer who has not confirmed, a day before the unconfirmed signature is
purged: sent once, through the durable queue, to a real SMTP server on loopback, in the
signer's language with the title they signed. Its address waits encrypted in the transit
box until then, and goes with it."""

import threading
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import form_data, links, path_of, run_worker, sign
from undersign.housekeeping import run_housekeeping
from undersign.signatures.contacts import _unlock
from undersign.signatures.models import Contact, Signature
from undersign.signatures.retention import remind
from undersign.statements.services import publish_changes, set_translation

RU_TITLE = "Открытое письмо о политических заключённых"


def _age(days: float) -> None:
    """Pretend the signature was made, and its mail sent, `days` ago."""
    then = timezone.now() - timedelta(days=days)
    Signature.objects.update(created_at=then, mail_sent_at=then)


def _sign_in_russian(client, statement) -> None:
    set_translation(
        statement,
        language="ru",
        title=RU_TITLE,
        clauses={1: "Освободить их.", 2: "Дать им визы.", 3: "Прекратить выдачу."},
    )
    publish_changes(statement)
    client.post("/s/letter/sign", form_data(), HTTP_ACCEPT_LANGUAGE="ru")
    run_worker()  # the confirmation mail


def test_it_reminds_once_a_day_before_the_purge(client, statement, smtp, settings):
    settings.UNCONFIRMED_RETENTION_DAYS = 7
    settings.UNCONFIRMED_REMINDER_DAYS = 1
    _sign_in_russian(client, statement)
    assert len(smtp.messages) == 1
    confirm = links(smtp.text(smtp.messages[0]))["confirm"]

    _age(5.9)  # not yet
    run_housekeeping()
    run_worker()
    assert len(smtp.messages) == 1

    _age(6.1)
    for _ in range(3):  # every round of every worker: still one
        run_housekeeping()
        run_worker()
    assert len(smtp.messages) == 2
    reminder = smtp.messages[1]
    assert reminder["X-Envelope-To"] == "anna@example.org"
    assert (
        str(make_header(decode_header(reminder["Subject"]))) == "Ваша подпись ещё не подтверждена"
    )
    body = smtp.text(reminder)
    assert f"«{RU_TITLE}»" in body or f"“{RU_TITLE}”" in body
    assert links(body)["confirm"] == confirm
    day = (Signature.objects.get().created_at + timedelta(days=7)).year
    assert str(day) in body and " UTC" in body  # until when, as a Russian reader writes it
    # The address went with the reminder: nothing of it is left, not even encrypted.
    assert Contact.objects.get().transit == ""
    assert Signature.objects.get().reminded_at is not None

    client.post(path_of(confirm))  # the link still works
    assert Signature.objects.get().status == "confirmed"


def test_until_then_the_address_waits_encrypted_and_only_the_address(client, statement):
    sign(client, statement, phone="+49 30 5550199", telegram="anna_t")
    run_worker()
    box = Contact.objects.get().transit
    assert box.startswith("transit:v1:") and "anna" not in box
    assert _unlock(box) == {"email": "anna@example.org", "name": "Anna Petrova"}


def test_a_confirmed_signature_is_not_reminded_and_keeps_no_address(
    client, statement, smtp, mailoutbox
):
    sign(client, statement)
    run_worker()
    client.post(path_of(links(smtp.text(smtp.messages[0]))["confirm"]))
    assert Contact.objects.get().transit == ""
    _age(6.5)
    run_housekeeping()
    run_worker()
    assert len(smtp.messages) == 1


def test_without_reminders_the_address_goes_with_the_first_mail(client, statement, smtp, settings):
    settings.UNCONFIRMED_REMINDER_DAYS = 0
    sign(client, statement)
    run_worker()
    assert Contact.objects.get().transit == ""
    _age(6.5)
    run_housekeeping()
    run_worker()
    assert len(smtp.messages) == 1


def test_a_signature_whose_first_mail_never_went_is_not_reminded(client, statement, settings):
    sign(client, statement)  # the worker never ran: no mail, no address kept for later
    Signature.objects.update(created_at=timezone.now() - timedelta(days=6.5))
    assert remind() == 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_queue_one_reminder(client, statement, settings):
    sign(client, statement)
    run_worker()
    _age(6.5)
    start = threading.Barrier(2)
    queued: list[int] = []

    def housekeeping() -> None:
        try:
            start.wait()
            queued.append(remind())
        finally:
            connection.close()

    threads = [threading.Thread(target=housekeeping) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(queued) == [0, 1]
    jobs = DBTaskResult.objects.filter(task_path__endswith="send_reminder")
    assert jobs.count() == 1


def test_a_signature_confirmed_while_its_mail_went_keeps_no_address(client, statement):
    """The confirmation mail is recorded as sent only after it went; if the signature was
    confirmed (or already reminded) meanwhile, its box goes instead of waiting."""
    from undersign.signatures.contacts import keep_address_for_reminder

    sign(client, statement)
    signature = Signature.objects.get()
    keep_address_for_reminder(signature.pk, "anna@example.org", "Anna Petrova")
    assert _unlock(Contact.objects.get().transit) == {
        "email": "anna@example.org",
        "name": "Anna Petrova",
    }
    Signature.objects.update(reminded_at=timezone.now())
    keep_address_for_reminder(signature.pk, "anna@example.org", "Anna Petrova")
    assert Contact.objects.get().transit == ""

    Signature.objects.update(reminded_at=None, status="confirmed")
    keep_address_for_reminder(signature.pk, "anna@example.org", "Anna Petrova")
    assert Contact.objects.get().transit == ""
