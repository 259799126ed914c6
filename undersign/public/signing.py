"""One signing attempt, from the statement page's form or from the widget's.

The two forms need no cookie: a widget framed on another site gets none, and a form that
is the same for every reader can be served from a cache. `abuse.from_this_site` refuses
posts made by other sites' pages instead.
"""

from dataclasses import dataclass

from django import forms
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from undersign import abuse
from undersign.public.errors import wait_message
from undersign.signatures import services as signing
from undersign.signatures.forms import PublicSignatureForm
from undersign.signatures.text import is_readable
from undersign.statements.models import Statement


@dataclass(frozen=True)
class Refused:
    """The attempt recorded nothing: answer `status`, with the form shown again."""

    status: int
    retry_after: int | None = None


def room_code(value: str) -> str:
    """A room code as people type it: any case, with spaces or dashes."""
    return "".join(ch for ch in value.upper() if ch.isalnum())[:20]


def event_of(statement: Statement, code: str) -> str:
    """The event window the attempt signs in: its statement's id when the window is open and
    `code` is its room code, else ""."""
    given = room_code(code)
    if not given or not statement.event_is_open:
        return ""
    return str(statement.pk) if constant_time_compare(given, statement.event_code) else ""


def revision_shown(request: HttpRequest) -> int | None:
    shown = request.POST.get("revision", "")
    return int(shown) if shown.isdigit() and len(shown) < 9 else None


def attempt_signature(
    request: HttpRequest, statement: Statement, form: PublicSignatureForm
) -> Refused | None:
    """Sign with a posted form; None when the signature (or its repeat notice) is recorded.

    A form with mistakes is not an attempt: only a valid one is counted against the rate
    limits, so a person correcting a field never meets "too many attempts". When the limit
    is reached, the form comes back with everything typed and says when to try again.
    """
    if not form.is_valid():
        return Refused(400)
    event = event_of(statement, request.POST.get("room", ""))
    proven = not event and abuse.proof_is_valid(request.POST.get("altcha", ""))
    wait = abuse.signing_limited(request, proven=proven, event=event)
    if wait is not None:
        form.add_error(None, wait_message(wait))
        return Refused(429, retry_after=wait)
    try:
        signing.add_signature(
            statement, form.signature_input(get_language(), revision_shown(request))
        )
    except signing.SigningError as error:
        form.add_error(None, error.message)
        return Refused(400)
    return None


class LinkAgainForm(forms.Form):
    """ "Send the link again" on the check-mail page: the address only."""

    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if not is_readable(email) or "\r" in email or "\n" in email:
            raise forms.ValidationError(_("Enter a valid email address."))
        return email


def ask_link_again(
    request: HttpRequest, statement: Statement, form: LinkAgainForm
) -> Refused | None:
    """Ask for the confirmation link again; None when the request is recorded.

    Counted like a signing attempt (a valid form only, the same limits), and answered the
    same whatever the address: the mail job decides what, if anything, is sent.
    """
    if not form.is_valid():
        return Refused(400)
    proven = abuse.proof_is_valid(request.POST.get("altcha", ""))
    wait = abuse.signing_limited(request, proven=proven)
    if wait is not None:
        form.add_error(None, wait_message(wait))
        return Refused(429, retry_after=wait)
    signing.send_link_again(statement, form.cleaned_data["email"], get_language())
    return None
