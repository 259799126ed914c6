"""Signers and volunteers: the filtered list, its contacts for those who may see them, and
moderation of a single signature."""

import hashlib
from dataclasses import dataclass
from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.forms.utils import flatatt
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_countries import countries

from undersign.signatures import contacts, counting, fields, moderation, questions
from undersign.signatures.exporters import EXPORTERS
from undersign.signatures.forms import CopiedFields
from undersign.signatures.models import Question, Signature
from undersign.signatures.reporting import SignerFilter, dashboard, signer_page
from undersign.signatures.reporting.signers import private_answers_in
from undersign.signatures.services import BadCursor
from undersign.statements.access import can, statement_for
from undersign.statements.models import Statement
from undersign.statements.texts import languages_of
from undersign.workspace.pages import language_name, workspace_view

PAGE = 50
FILTER_FIELDS = (
    *fields.FILTERS,
    *("country", "city", "revision", "language"),
    *("since", "until", "name", "moderation"),
)


def is_filter(key: str) -> bool:
    """A query parameter of the list's filter: a declared one or a question's (q12)."""
    return key in FILTER_FIELDS or questions.KEY.fullmatch(key) is not None


def filtered_questions(statement: Statement) -> list[Question]:
    """The questions the list filters by: public ones, and those for the organisers while
    the server can read their answers (not on a sealed statement). Those only contacts
    viewers see are never filters."""
    return [
        q
        for q in questions.of_statement(statement.pk)
        if q.visibility == Question.Visibility.PUBLIC
        or (q.visibility == Question.Visibility.ORGANISERS and statement.sealing_key_id is None)
    ]


def listed_flags(statement: Statement) -> list[fields.SignerField]:
    """The declared yes/no fields shown as columns of the list: those the statement asks."""
    return [
        f for f in fields.SIGNATURE_FIELDS if f.is_flag and f.short_label and f.is_asked(statement)
    ]


class Quick:
    """A widget rendered in Python: each of Django's widget templates costs about a
    millisecond, most of this page's time. Same markup, attributes escaped by flatatt."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        if "optgroups" in widget:
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (o["value"], " selected" if o["selected"] else "", o["label"])
                    for _group, group_options, _i in widget["optgroups"]
                    for o in group_options
                ),
            )
            return format_html(
                '<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options
            )
        value = widget["value"]
        shown = format_html(' value="{}"', value) if value not in (None, "") else ""
        return format_html(
            '<input type="{}" name="{}"{}{}>', widget["type"], name, shown, flatatt(widget["attrs"])
        )


class DateInput(Quick, forms.DateInput):
    input_type = "date"


class TextInput(Quick, forms.TextInput):
    pass


class NumberInput(Quick, forms.NumberInput):
    pass


class Select(Quick, forms.Select):
    pass


class CheckboxInput(Quick, forms.CheckboxInput):
    pass


class SignerFilterForm(forms.Form):
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False, widget=Select)
    city = forms.CharField(
        label=gettext_lazy("City"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Any spelling: Köln finds Koeln and Cologne too."),
        widget=TextInput,
    )
    revision = forms.IntegerField(
        label=gettext_lazy("Revision signed"),
        min_value=1,
        max_value=100_000,
        required=False,
        widget=NumberInput,
    )
    language = forms.ChoiceField(label=gettext_lazy("Signed in"), required=False, widget=Select)
    since = forms.DateField(label=gettext_lazy("Signed from"), required=False, widget=DateInput)
    until = forms.DateField(label=gettext_lazy("Signed until"), required=False, widget=DateInput)
    name = forms.CharField(
        label=gettext_lazy("Name contains"), max_length=100, required=False, widget=TextInput
    )
    moderation = forms.ChoiceField(
        label=gettext_lazy("Show"),
        required=False,
        widget=Select,
        choices=[
            ("", gettext_lazy("Everyone counted")),
            ("hidden", gettext_lazy("Names hidden by moderators")),
            ("invalid", gettext_lazy("Marked invalid")),
        ],
    )

    def __init__(
        self,
        *args: Any,
        country_codes: list[str] | None = None,
        statement: Statement | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The declared yes/no filters come first ("Ready to work together", …): those the
        # statement asks (all of them without one: the export takes any).
        flags = {
            name: forms.BooleanField(
                label=declared.short_label, required=False, widget=CheckboxInput
            )
            for name, declared in fields.FILTERS.items()
            if statement is None or declared.is_asked(statement)
        }
        self.fields = {**flags, **self.fields}
        # Then one per question the list filters by, worded in the organiser's language.
        self.questions = filtered_questions(statement) if statement is not None else []
        for question in self.questions:
            self.fields[question.key] = _question_filter(question)
        # The countries signers named (a few), not all 250: the page stays light. Named only
        # when the list is shown or a country is checked: the shown form is mostly kept in the
        # cache, and naming them cost a millisecond of every request.
        codes = country_codes if country_codes is not None else [code for code, _n in countries]
        self.fields["country"].choices = partial(_country_choices, codes)  # type: ignore[attr-defined]
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", _("Any language")),
            *((code, language_name(code)) for code, _name in settings.LANGUAGES),
        ]

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[q.key] for q in self.questions]

    @property
    def flag_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in fields.FILTERS if name in self.fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("This day comes before the first one."))
        return data

    def signer_filter(self) -> SignerFilter:
        data = self.cleaned_data
        return SignerFilter(
            flags=[name for name in fields.FILTERS if data.get(name)],
            answers=[(q.key, data.get(q.key) or "") for q in self.questions],
            country=data.get("country") or "",
            city=data.get("city") or "",
            revision=data.get("revision"),
            language=data.get("language") or "",
            since=data.get("since"),
            until=data.get("until"),
            name=data.get("name") or "",
            moderation=data.get("moderation") or "",
        )


# Copied for every form (BaseForm deep-copies them): the same copy, made directly.
SignerFilterForm.base_fields = CopiedFields(SignerFilterForm.base_fields)


def _country_choices(codes: list[str]) -> list[tuple[str, str]]:
    named = sorted(((c, countries.name(c) or c) for c in codes), key=lambda item: item[1])
    return [("", _("Any country")), *named]


def _question_filter(question: Question) -> forms.Field:
    said = questions.wording(question, get_language())
    if question.kind == Question.Kind.TEXT:
        return forms.CharField(
            label=said.label,
            max_length=100,
            required=False,
            help_text=gettext_lazy("Answers containing this."),
            widget=TextInput,
        )
    choices = [("yes", _("Yes"))] if question.kind == Question.Kind.YES_NO else said.choices
    return forms.ChoiceField(
        label=said.label,
        required=False,
        choices=[("", _("Any answer")), *choices],
        widget=Select,
    )


def filter_query(request: HttpRequest) -> str:
    """The list's filter as a query string, without the page cursor and the contacts switch."""
    query = request.GET.copy()
    for key in list(query):
        if not is_filter(key):
            del query[key]
    return query.urlencode()


@workspace_view
def signers(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "view")
    board = dashboard(statement)
    known = [code for code, _n in board.countries]
    wanted = request.GET.get("country", "").upper()
    if wanted in countries and wanted not in known:
        known.append(wanted)
    form = SignerFilterForm(request.GET, country_codes=known, statement=statement)
    may_see_contacts = can(request.user, statement, "contacts")
    show_contacts = may_see_contacts and request.GET.get("contacts") == "on"
    may_moderate = can(request.user, statement, "moderate")
    where = form.signer_filter() if form.is_valid() else None
    if where is not None and private_answers_in(statement, where):
        # Who gave an answer meant for the organisers is contact data: the use is recorded.
        contacts.record_answer_filter(
            statement, actor=request.user, described_filter=where.described()
        )
    if show_contacts:
        try:
            contacts.ensure_contacts_kept(statement)
        except contacts.ContactsErased:
            messages.error(request, _("The contacts of this statement were erased."))
            show_contacts = False
    context = {
        "statement": statement,
        "form": form,
        "table": _table(request, statement, where, show_contacts, may_moderate),
        "show_contacts": show_contacts,
        "may_see_contacts": may_see_contacts,
        "cache_seconds": settings.PUBLIC_CACHE_SECONDS,
        "countries_at": board.computed_at,
        "filter_key": hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:32],
        "formats": [(cls.identifier, cls.verbose_name) for cls in EXPORTERS.values()],
        "languages": [(code, language_name(code)) for code in languages_of(statement)],
        "filter_items": [(k, v) for k, v in request.GET.items() if is_filter(k)],
    }
    return render(request, "workspace/signers.html", context)


def _table(
    request: HttpRequest,
    statement: Statement,
    where: SignerFilter | None,
    show_contacts: bool,
    may_moderate: bool,
) -> str:
    """The page of signers as HTML. Without contacts it is the same for every organiser
    who may moderate (or not), so it is kept in the cache until the signatures change;
    with contacts it is read, recorded in the audit log and never kept."""
    cursor = request.GET.get("after", "")
    query = filter_query(request)
    key = None
    if not show_contacts:
        version = counting.data_version(statement.pk)
        raw = f"{version}|{get_language()}|{may_moderate}|{query}|{cursor}"
        digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
        key = f"workspace:signers:{statement.pk}:{digest}"
        kept = cache.get(key)
        if kept is not None:
            return mark_safe(kept)  # noqa: S308 (our own template's output, escaped there)
    rows: list[Signature] = []
    next_cursor = ""
    cards: dict[int, contacts.ContactCard] = {}
    if where is not None:
        try:
            rows, next_cursor = signer_page(statement, where, cursor=cursor, limit=PAGE)
        except BadCursor:
            rows, next_cursor = signer_page(statement, where, limit=PAGE)
            cursor = ""
        if show_contacts and rows:
            cards = contacts.view_cards(
                statement,
                [s.pk for s in rows],
                actor=request.user,
                described_filter=where.described(),
            )
    html = render_to_string(
        "workspace/_signer_table.html",
        {
            "rows": _rows(request, statement, rows, cards),
            "filter_valid": where is not None,
            "next_cursor": next_cursor,
            "is_later_page": bool(cursor),
            "query": query,
            "show_contacts": show_contacts,
            "may_moderate": may_moderate,
            "flag_labels": [f.short_label for f in listed_flags(statement)],
            "has_questions": bool(questions.of_statement(statement.pk)),
        },
        request=request,
    )
    if key is not None:
        cache.set(key, str(html), settings.PUBLIC_CACHE_SECONDS)
    return html


@dataclass(frozen=True)
class ListedSigner:
    """One line of the list, its texts made here: a template tag per cell on 50 lines
    cost more than the rest of the page."""

    pk: int
    name: str
    flag: str
    invalid: bool
    reason: str
    place: str
    place_public: bool
    iso: str
    when: str
    source: str
    revision: int
    language: str
    flags: list[bool]  # `listed_flags`, in order
    answers: list[str]  # public answers, and with contacts shown the others
    moderate_url: str
    card: contacts.ContactCard | None


def _rows(
    request: HttpRequest,
    statement: Statement,
    rows: list[Signature],
    cards: dict[int, contacts.ContactCard],
) -> list[ListedSigner]:
    prefix = reverse("workspace:signers", args=[statement.slug])
    after = "/moderate?" + urlencode({"next": request.get_full_path()})
    sources = dict(Signature.Source.choices)
    columns = listed_flags(statement)
    asked = questions.of_statement(statement.pk)
    public = [q for q in asked if q.visibility == Question.Visibility.PUBLIC]
    private = [q for q in asked if q.visibility != Question.Visibility.PUBLIC]
    language = get_language()
    flags = {"invalid": _("marked invalid"), "hidden": _("hidden by moderators")}
    listed = []
    for s in rows:
        state = (
            "invalid" if s.status == Signature.Status.INVALID else "hidden" if s.hidden_at else ""
        )
        when = timezone.localtime(s.confirmed_at) if s.confirmed_at else None
        card = cards.get(s.pk)
        listed.append(
            ListedSigner(
                pk=s.pk,
                name=s.public_name,
                flag=str(flags.get(state, "")),
                invalid=state == "invalid",
                reason=s.hidden_reason,
                place=", ".join(p for p in (s.city, str(s.country or "")) if p),
                place_public=bool(s.shown_city or s.shown_country),
                iso=when.isoformat() if when else "",
                when=when.strftime("%Y-%m-%d %H:%M") if when else "",
                source="" if s.source == Signature.Source.WEB else str(sources[s.source]),
                revision=s.revision.number,
                language=s.language,
                flags=[bool(getattr(s, f.db_column)) for f in columns],
                answers=[
                    *questions.answer_lines(public, s.answers, language),
                    *questions.answer_lines(private, card.answers if card else {}, language),
                ],
                moderate_url=f"{prefix}{s.pk}{after}",
                card=card,
            )
        )
    return listed


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
