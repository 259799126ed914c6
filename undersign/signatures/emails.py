"""One function per mail kind, rendered in the signer's language. No tracking of any kind."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from undersign.signatures.models import Contact, Signature, SigningNotice
from undersign.signatures.text import link_token


def _link(name: str, ref: str, purpose: str) -> str:
    return settings.SITE_URL + reverse(name, args=[ref, link_token(ref, purpose)])


def confirmation_mail(contact: Contact) -> EmailMultiAlternatives:
    signature = contact.signature
    context = {
        "name": contact.name,
        "statement": signature.statement,
        "statement_url": settings.SITE_URL + signature.statement.get_absolute_url(),
        "confirm_url": _link("public:confirm", signature.ref, "confirm"),
        "withdraw_url": _link("public:withdraw", signature.ref, "withdraw"),
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
    pending = signature.status == Signature.Status.PENDING
    context = {
        "pending": pending,
        "statement": signature.statement,
        "statement_url": settings.SITE_URL + signature.statement.get_absolute_url(),
        "confirm_url": _link("public:confirm", signature.ref, "confirm") if pending else "",
        "withdraw_url": _link("public:withdraw", signature.ref, "withdraw"),
    }
    with translation.override(notice.language or signature.language):
        subject = render_to_string("signatures/mail/notice_subject.txt", context)
        text = render_to_string("signatures/mail/notice.txt", context)
    return EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[notice.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
