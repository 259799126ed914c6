"""One function per mail kind, rendered in the signer's language. No tracking of any kind."""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from undersign.signatures.models import Contact, Signature, SigningNotice
from undersign.signatures.text import link_token
from undersign.statements.texts import revision_title


def _in(language: str) -> str:
    # The pages the mail leads to speak the mail's language, whatever the browser that opens
    # them is set to (see public/languages.py).
    return "?" + urlencode({"lang": language}) if language else ""


def _link(name: str, signature: Signature, purpose: str, language: str) -> str:
    path = reverse(name, args=[signature.ref, link_token(signature.ref, purpose)])
    # The statement's slug too: once an unconfirmed signature is purged, its link's page
    # can still offer to sign again there (the slug is public; the ref stays unguessable).
    query = {"lang": language} if language else {}
    query["s"] = signature.statement.slug
    return settings.SITE_URL + path + "?" + urlencode(query)


def _common(signature: Signature, language: str) -> dict:
    return {
        "statement": signature.statement,
        # The title of the wording they signed, in the language they read it in.
        "title": revision_title(signature.revision, language),
        "statement_url": settings.SITE_URL + signature.statement.get_absolute_url() + _in(language),
        "withdraw_url": _link("public:withdraw", signature, "withdraw", language),
    }


def _message(subject: str, text: str, to: str, html: str = "") -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[to],
        headers={"Auto-Submitted": "auto-generated"},
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def confirmation_mail(contact: Contact) -> EmailMultiAlternatives:
    signature = contact.signature
    context = {
        **_common(signature, signature.language),
        "name": contact.name,
        "confirm_url": _link("public:confirm", signature, "confirm", signature.language),
        **_collected(signature),
    }
    with translation.override(signature.language):
        # The subject never carries the name or the title: no header injection, no leaks
        # into mail server logs.
        subject = render_to_string("signatures/mail/confirm_subject.txt", context)
        text = render_to_string("signatures/mail/confirm.txt", context)
        html = render_to_string("signatures/mail/confirm.html", context)
    return _message(subject, text, contact.email, html)


def _collected(signature: Signature) -> dict:
    """For a signature an organiser imported (`signatures.imports`): who collected it, and
    how ("form" or "paper"), so the mail says why it comes and that ignoring it is enough."""
    if signature.source != Signature.Source.IMPORT or signature.imported_in_id is None:
        return {}
    upload = signature.imported_in
    team = signature.statement.team
    return {
        "collected": upload.kind if upload is not None else "form",
        "team": team.name if team is not None else gettext_lazy("the organisers"),
        "days": settings.UNCONFIRMED_RETENTION_DAYS,
    }


def notice_mail(notice: SigningNotice, *, asked: bool = False) -> EmailMultiAlternatives:
    """Someone tried to sign again with this address, or (`asked`) asked for the link
    again."""
    signature = notice.signature
    assert signature is not None
    language = notice.language or signature.language
    pending = signature.status == Signature.Status.PENDING
    context = {
        **_common(signature, language),
        "pending": pending,
        "asked": asked,
        "confirm_url": _link("public:confirm", signature, "confirm", language) if pending else "",
    }
    with translation.override(language):
        subject = render_to_string("signatures/mail/notice_subject.txt", context)
        text = render_to_string("signatures/mail/notice.txt", context)
    return _message(subject, text, notice.email)


def purge_day(signature: Signature):
    """The day an unconfirmed signature is deleted (`retention.purge`)."""
    return signature.created_at + timedelta(days=settings.UNCONFIRMED_RETENTION_DAYS)


def reminder_mail(contact: Contact) -> EmailMultiAlternatives:
    """The one reminder before an unconfirmed signature is deleted."""
    signature = contact.signature
    language = signature.language
    context = {
        **_common(signature, language),
        "name": contact.name,
        "confirm_url": _link("public:confirm", signature, "confirm", language),
        "until": purge_day(signature),
    }
    with translation.override(language):
        subject = render_to_string("signatures/mail/reminder_subject.txt", context)
        text = render_to_string("signatures/mail/reminder.txt", context)
        html = render_to_string("signatures/mail/reminder.html", context)
    return _message(subject, text, contact.email, html)
