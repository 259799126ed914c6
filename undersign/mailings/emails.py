"""The mails of mailings and the daily digest. Plain text only: no tracking pixel can hide in
it, and the links are the organisers' own, never rewritten."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.template.loader import render_to_string
from django.utils import translation


def mailing_mail(
    *,
    subject: str,
    body: str,
    language: str,
    to: str,
    unsubscribe_url: str,
    title: str = "",
    test: bool = False,
) -> EmailMessage:
    """One mailing's mail to one signer (or, `test`, to the organiser writing it). Every mail
    to a signer carries the one-click unsubscribe of RFC 8058 and the same link in the text.
    Needs no database: `undersign mailing send` composes it on the organisers' computer."""
    context = {"body": body, "title": title, "unsubscribe_url": unsubscribe_url, "test": test}
    with translation.override(language):
        text = render_to_string("mailings/mail/mailing.txt", context)
        if test:
            subject = translation.gettext("[Test] %(subject)s") % {"subject": subject}
    # Named after the site, not the machine: sent from an organiser's laptop, the default
    # would carry its host name.
    headers = {"Message-ID": make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "localhost")}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return EmailMessage(subject=" ".join(subject.split()), body=text, to=[to], headers=headers)


def digest_mail(*, to: str, language: str, context: dict) -> EmailMessage:
    with translation.override(language):
        subject = render_to_string("mailings/mail/digest_subject.txt", context)
        text = render_to_string("mailings/mail/digest.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=text,
        to=[to],
        headers={"Auto-Submitted": "auto-generated"},
    )
