"""Signers and volunteers: the filtered list, its contacts for those who may see them, and
moderation of a single signature."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from undersign.signatures import contacts, moderation
from undersign.signatures.exporters import EXPORTERS
from undersign.signatures.models import Signature
from undersign.signatures.reporting import SignerFilter, signer_page
from undersign.signatures.services import BadCursor
from undersign.statements.access import can, statement_for
from undersign.statements.texts import languages_of
from undersign.workspace.pages import language_name, workspace_view

PAGE = 50
FILTER_FIELDS = (
    *("volunteers", "country", "city", "revision", "language"),
    *("since", "until", "name", "moderation"),
)


class DateInput(forms.DateInput):
    input_type = "date"


class SignerFilterForm(forms.Form):
    volunteers = forms.BooleanField(label=gettext_lazy("Ready to work together"), required=False)
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False)
    city = forms.CharField(
        label=gettext_lazy("City"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Any spelling: Köln finds Koeln and Cologne too."),
    )
    revision = forms.IntegerField(
        label=gettext_lazy("Revision signed"), min_value=1, max_value=100_000, required=False
    )
    language = forms.ChoiceField(label=gettext_lazy("Signed in"), required=False)
    since = forms.DateField(label=gettext_lazy("Signed from"), required=False, widget=DateInput)
    until = forms.DateField(label=gettext_lazy("Signed until"), required=False, widget=DateInput)
    name = forms.CharField(label=gettext_lazy("Name contains"), max_length=100, required=False)
    moderation = forms.ChoiceField(
        label=gettext_lazy("Show"),
        required=False,
        choices=[
            ("", gettext_lazy("Everyone counted")),
            ("hidden", gettext_lazy("Names hidden by moderators")),
            ("invalid", gettext_lazy("Marked invalid")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any country")), *countries]  # type: ignore[attr-defined]
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", _("Any language")),
            *((code, language_name(code)) for code, _name in settings.LANGUAGES),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("This day comes before the first one."))
        return data

    def signer_filter(self) -> SignerFilter:
        data = self.cleaned_data
        return SignerFilter(
            volunteers=bool(data.get("volunteers")),
            country=data.get("country") or "",
            city=data.get("city") or "",
            revision=data.get("revision"),
            language=data.get("language") or "",
            since=data.get("since"),
            until=data.get("until"),
            name=data.get("name") or "",
            moderation=data.get("moderation") or "",
        )


def filter_query(request: HttpRequest) -> str:
    """The list's filter as a query string, without the page cursor and the contacts switch."""
    query = request.GET.copy()
    for key in list(query):
        if key not in FILTER_FIELDS:
            del query[key]
    return query.urlencode()


@workspace_view
def signers(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "view")
    form = SignerFilterForm(request.GET)
    may_see_contacts = can(request.user, statement, "contacts")
    show_contacts = may_see_contacts and request.GET.get("contacts") == "on"
    rows: list[Signature] = []
    next_cursor = ""
    cards: dict[int, contacts.ContactCard] = {}
    where = form.signer_filter() if form.is_valid() else None
    cursor = request.GET.get("after", "")
    if where is not None:
        try:
            rows, next_cursor = signer_page(statement, where, cursor=cursor, limit=PAGE)
        except BadCursor:
            rows, next_cursor = signer_page(statement, where, limit=PAGE)
            cursor = ""
        if show_contacts and rows:
            try:
                cards = contacts.view_cards(
                    statement,
                    [s.pk for s in rows],
                    actor=request.user,
                    described_filter=where.described(),
                )
            except contacts.ContactsErased:
                messages.error(request, _("The contacts of this statement were erased."))
                show_contacts = False
    query = filter_query(request)
    context = {
        "statement": statement,
        "form": form,
        "rows": [(s, cards.get(s.pk)) for s in rows],
        "next_cursor": next_cursor,
        "is_later_page": bool(cursor),
        "query": query,
        "show_contacts": show_contacts,
        "may_see_contacts": may_see_contacts,
        "may_moderate": can(request.user, statement, "moderate"),
        "here_url": request.get_full_path(),
        "formats": [(cls.identifier, cls.verbose_name) for cls in EXPORTERS.values()],
        "languages": [(code, language_name(code)) for code in languages_of(statement)],
        "filter_items": [(k, v) for k, v in request.GET.items() if k in FILTER_FIELDS],
    }
    return render(request, "workspace/signers.html", context)


def _back(request: HttpRequest, slug: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    fallback = reverse("workspace:signers", args=[slug])
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if safe and target.startswith("/workspace/") else fallback


@workspace_view
def moderate(request: HttpRequest, slug: str, signature_id: int) -> HttpResponse:
    statement = statement_for(request.user, slug, "moderate")
    try:
        signature = moderation.signature_of(statement, signature_id)
    except moderation.ModerationError:
        raise Http404 from None
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")
        try:
            if action == "hide":
                moderation.hide_signature(signature, reason=reason, actor=request.user)
                messages.success(request, _("The name is hidden. It still counts."))
            elif action == "unhide":
                moderation.unhide_signature(signature, actor=request.user)
                messages.success(request, _("The name is shown again."))
            elif action == "invalidate":
                moderation.invalidate_signature(signature, reason=reason, actor=request.user)
                messages.success(request, _("Marked invalid: it no longer counts."))
            elif action == "validate":
                moderation.validate_signature(signature, actor=request.user)
                messages.success(request, _("It counts again."))
            else:
                raise moderation.ModerationError(_("Choose what to do."))
        except moderation.ModerationError as failure:
            error = failure.message
        else:
            return redirect(_back(request, slug))
    context = {
        "statement": statement,
        "signature": signature,
        "error": error,
        "reason": request.POST.get("reason", signature.hidden_reason),
        "next": _back(request, slug),
    }
    return render(request, "workspace/moderate.html", context, status=400 if error else 200)
