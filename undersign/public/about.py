"""Who runs this site: the imprint, and a privacy notice written from the actual settings.

Signers at risk want to know who keeps their email, for how long and where before they type
it; in Germany an imprint and a privacy notice are expected by law. The operator names the
publisher in the settings (UNDERSIGN_PUBLISHER_*); the notice is generated from what the
code really does with the configured retention, sealing and mail server, so it cannot drift
from the truth. An operator who needs their own words gives UNDERSIGN_PRIVACY_FILE.
"""

import math
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from undersign.signatures.retention import reminders_on
from undersign.statements.markdown import to_html
from undersign.statements.models import Statement
from undersign.statements.services import public_statement


@dataclass(frozen=True)
class Publisher:
    name: str
    address: list[str]
    email: str


def publisher() -> Publisher:
    lines = [line.strip() for line in settings.PUBLISHER_ADDRESS.splitlines()]
    return Publisher(
        name=settings.PUBLISHER_NAME,
        address=[line for line in lines if line],
        email=settings.PUBLISHER_EMAIL,
    )


def operator_file(pattern: str) -> Path | None:
    """The operator's file for the reader's language (`{lang}` in the path), else the one
    for the site's default language; None when there is none."""
    if not pattern:
        return None
    for language in dict.fromkeys([get_language() or "", settings.LANGUAGE_CODE]):
        path = Path(pattern.replace("{lang}", language))
        if path.is_file():
            return path
    return None


def operator_text(pattern: str) -> SafeString | None:
    """The operator's Markdown (or HTML) file as safe HTML: cleaned like a statement's text."""
    path = operator_file(pattern)
    if path is None:
        return None
    return mark_safe(to_html(path.read_text(encoding="utf-8-sig")))  # noqa: S308 (nh3-cleaned)


def imprint(request: HttpRequest) -> HttpResponse:
    context = {"publisher": publisher(), "more": operator_text(settings.IMPRINT_FILE)}
    return render(request, "public/imprint.html", context)


def _statement_asked(request: HttpRequest) -> Statement | None:
    """The statement whose signing form linked here (?s=slug), to say what applies to it."""
    slug = request.GET.get("s", "")
    if not slug:
        return None
    try:
        return public_statement(slug)
    except Http404:
        return None


def _mail_server() -> str:
    """The mail server our mails are handed to, if they leave this machine at all."""
    if settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend":
        return ""
    return str(getattr(settings, "EMAIL_HOST", ""))


def privacy(request: HttpRequest) -> HttpResponse:
    written = operator_text(settings.PRIVACY_FILE)
    statement = _statement_asked(request)
    limit_seconds = max(settings.SIGNING_BURST_LIMIT[1], settings.SIGNING_SUSTAINED_LIMIT[1])
    context = {
        "publisher": publisher(),
        "written": written,
        "statement": statement,
        "sealed": statement is not None and statement.sealing_key_id is not None,
        "unconfirmed_days": settings.UNCONFIRMED_RETENTION_DAYS,
        "reminder_days": settings.UNCONFIRMED_REMINDER_DAYS if reminders_on() else 0,
        "limit_hours": max(1, math.ceil(limit_seconds / 3600)),
        "mail_server": _mail_server(),
    }
    return render(request, "public/privacy.html", context)


@checks.register("undersign")
def operator_files(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The imprint and privacy files the operator named exist (else the generated ones show).

    A missing publisher is not checked: the imprint page says so, and the law that asks for
    an imprint is not every country's.
    """
    found: list[checks.CheckMessage] = []
    for name in ("IMPRINT_FILE", "PRIVACY_FILE"):
        pattern = getattr(settings, name, "")
        if pattern and operator_file(pattern) is None:
            found.append(
                checks.Warning(
                    f"UNDERSIGN_{name} names no readable file: {pattern}",
                    hint="With {lang} in the path, at least the file for "
                    f"'{settings.LANGUAGE_CODE}' must exist.",
                    id="undersign.W010",
                )
            )
    return found
