"""Mail through a real SMTP server on loopback: delivery, language, retries, no leaks."""

import smtplib
from datetime import timedelta
from unittest import mock

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import links, path_of, run_worker, sign
from undersign.signatures.models import Signature


def test_the_mail_arrives_and_its_link_confirms(client, statement, smtp):
    sign(client, statement, email="vera@example.org")
    run_worker()
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["X-Envelope-To"] == "vera@example.org"
    assert message["Subject"] == "Please confirm your signature"
    body = smtp.text(message)
    assert "Anna Petrova" in body and "Open letter on political prisoners" in body
    confirm = path_of(links(body)["confirm"])
    client.post(confirm)
    assert Signature.objects.get().status == "confirmed"


def test_the_mail_goes_out_in_the_signers_language(client, statement, smtp):
    client.post(
        f"/s/{statement.slug}/sign",
        {
            "name": "Олена",
            "display": "full",
            "email": "olena@example.org",
            "consent": "on",
        },
        HTTP_ACCEPT_LANGUAGE="uk",
    )
    run_worker()
    assert Signature.objects.get().language == "uk"
    assert smtp.messages[0]["Subject"] != "Please confirm your signature"


def test_a_running_worker_sends_each_mail_once(client, statement, smtp):
    sign(client, statement)
    run_worker()
    run_worker()
    assert len(smtp.messages) == 1


def test_when_the_mail_server_is_down_the_job_is_retried_later(client, statement, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    sign(client, statement)
    run_worker()
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.args_kwargs["args"] == [Signature.objects.get().pk, 2]
    assert retry.run_after > timezone.now() + timedelta(seconds=20)
    assert Signature.objects.get().mail_sent_at is None


def test_the_retried_job_sends_once_the_server_is_back(client, statement, smtp):
    sign(client, statement)
    with mock.patch(
        "django.core.mail.message.EmailMessage.send",
        side_effect=smtplib.SMTPServerDisconnected("down"),
    ):
        run_worker()
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker()
    assert len(smtp.messages) == 1
    assert Signature.objects.get().mail_sent_at is not None


def test_the_queue_holds_no_address_or_name(client, statement):
    sign(client, statement, email="secret-address@example.org", name="Secret Name")
    job = DBTaskResult.objects.get()
    assert "secret-address" not in str(job.args_kwargs)
    assert "Secret Name" not in str(job.args_kwargs)


def test_header_injection_in_the_name_stays_in_the_body(client, statement, smtp):
    sign(client, statement, name="Eve\r\nBcc: victim@example.org")
    run_worker()
    message = smtp.messages[0]
    assert message["Bcc"] is None
    assert message["X-Envelope-To"] == "anna@example.org"
