"""Mail through a real SMTP server on loopback: delivery, language, retries, no leaks."""

import smtplib
from datetime import timedelta
from unittest import mock

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import form_data, links, path_of, run_worker, sign
from undersign.signatures.models import Signature
from undersign.statements.services import edit_statement, publish_changes, set_translation


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


RU_TITLE = "Открытое письмо о политических заключённых"


def _sign(client, statement, language: str, **overrides):
    return client.post(
        f"/s/{statement.slug}/sign", form_data(**overrides), HTTP_ACCEPT_LANGUAGE=language
    )


def _in_russian(statement) -> None:
    set_translation(
        statement,
        language="ru",
        title=RU_TITLE,
        preamble="Мы просим о трёх вещах.",
        clauses={1: "Освободить их.", 2: "Дать им визы.", 3: "Прекратить выдачу."},
    )
    publish_changes(statement)


def test_a_signer_of_the_russian_text_gets_the_russian_title(client, statement, smtp):
    _in_russian(statement)
    # The browser speaks English; the reader followed a link to the Russian text.
    client.get("/s/letter/?lang=ru", HTTP_ACCEPT_LANGUAGE="en")
    _sign(client, statement, "en", email="vera@example.org")
    run_worker()
    signature = Signature.objects.get()
    assert signature.language == "ru"
    body = smtp.text(smtp.messages[0])
    assert f"«{RU_TITLE}»" in body or f"“{RU_TITLE}”" in body
    assert "Open letter on political prisoners" not in body
    html = smtp.messages[0].get_payload()[1].get_payload(decode=True).decode()
    assert RU_TITLE in html
    # Its links lead to pages in the mail's language, whatever browser opens them.
    urls = links(body)
    assert urls["confirm"] + "?lang=ru" in body and urls["withdraw"] + "?lang=ru" in body
    page = client.get(path_of(urls["confirm"]) + "?lang=ru", HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="ru">' in page.content.decode() and RU_TITLE in page.content.decode()


def test_the_title_is_the_one_of_the_wording_signed(client, statement, smtp):
    _in_russian(statement)
    _sign(client, statement, "ru")
    set_translation(
        statement,
        language="ru",
        title="Новое название",
        clauses={1: "Освободить их.", 2: "Дать им визы.", 3: "Прекратить выдачу."},
    )
    publish_changes(statement)
    run_worker()
    body = smtp.text(smtp.messages[0])
    assert RU_TITLE in body and "Новое название" not in body


def test_a_notice_of_a_repeated_attempt_names_the_title_in_the_signers_language(
    client, statement, smtp
):
    _in_russian(statement)
    _sign(client, statement, "ru")
    run_worker()
    Signature.objects.update(mail_sent_at=timezone.now() - timedelta(minutes=30))
    _sign(client, statement, "ru")
    run_worker()
    assert len(smtp.messages) == 2
    assert RU_TITLE in smtp.text(smtp.messages[1])


def test_an_apostrophe_in_the_title_stays_one_in_the_plain_text(client, statement, smtp):
    edit_statement(
        statement,
        title="Don't extradite them",
        preamble=statement.preamble,
        postscript=statement.postscript,
        clauses={1: "Release them.", 2: "Give them visas.", 3: "Stop extraditions."},
    )
    publish_changes(statement)
    sign(client, statement)
    run_worker()
    assert "“Don't extradite them”" in smtp.text(smtp.messages[0])
