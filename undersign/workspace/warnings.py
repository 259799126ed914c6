"""Warnings for organisers about what they are about to publish."""

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from undersign.statements.links import third_party_links


def warn_third_party_links(request: HttpRequest, text: str | None) -> None:
    """One warning per link to another site's form or to a tracker in an imported text."""
    for url in third_party_links(text or ""):
        messages.warning(
            request,
            _(
                "The text links a form or tracker on another site: %(url)s. Signers who "
                "follow it leave this site's privacy; consider removing the link."
            )
            % {"url": url},
        )
