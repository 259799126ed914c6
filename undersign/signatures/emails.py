"""One function per mail kind, rendered in the signer's language. No tracking of any kind."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from undersign.signatures.models import Contact, Signature, SigningNotice
from undersign.signatures.text import link_token
from undersign.statements.texts import revision_title


def _in(language: str) -> str:
    # The pages the mail leads to speak the mail's language, whatever the browser that opens
    # them is set to (see public/languages.py).
    return "?" + urlencode({"lang": language}) if language else ""


def _link(name: str, ref: str, purpose: str, language: str) -> str:
    path = reverse(name, args=[ref, link_token(ref, purpose)])
    return settings.SITE_URL + path + _in(language)


def _common(signature: Signature, language: str) -> dict:
    return {
        "statement": signature.statement,
        # The title of the wording they signed, in the language they read it in.
        "title": revision_title(signature.revision, language),
        "statement_url": settings.SITE_URL + signature.statement.get_absolute_url() + _in(language),
        "withdraw_url": _link("public:withdraw", signature.ref, "withdraw", language),
    }


def confirmation_mail(contact: Contact) -> EmailMultiAlternatives:
    signature = contact.signature
    context = {
        **_common(signature, signature.language),
        "name": contact.name,
        "confirm_url": _link("public:confirm", signature.ref, "confirm", signature.language),
    }
    with translation.override(signature.language):
        # The subject never carries the name or the title: no header injection, no leaks
        # into mail server logs.
        subject = render_to_string("signatures/mail/confirm_subject.txt", context)
        text = render_to_string("signatures/mail/confirm.txt", context)
        html = render_to_string("signatures/mail/confirm.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[contact.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def notice_mail(notice: SigningNotice) -> EmailMultiAlternatives:
    """Someone tried to sign again with this address."""
    signature = notice.signature
    language = notice.language or signature.language
    pending = signature.status == Signature.Status.PENDING
    context = {
        **_common(signature, language),
        "pending": pending,
        "confirm_url": _link("public:confirm", signature.ref, "confirm", language)
        if pending
        else "",
    }
    with translation.override(language):
        subject = render_to_string("signatures/mail/notice_subject.txt", context)
        text = render_to_string("signatures/mail/notice.txt", context)
    return EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[notice.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
