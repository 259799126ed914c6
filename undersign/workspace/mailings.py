"""Mailings to the signers who agreed to hear from the organisers: write one under the signers
list's filter, preview it, translate it, send a test to yourself, send it through the queue
and watch its progress. Contacts viewers only: the server reads the addresses for them.
On a sealed statement the server cannot read them: the page says so and shows the command
that sends from the organisers' own computer."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from undersign.mailings import services
from undersign.mailings.emails import mailing_mail
from undersign.mailings.models import Mailing
from undersign.signatures.reporting import SignerFilter
from undersign.statements.access import statement_for
from undersign.statements.models import Statement
from undersign.statements.texts import title_in
from undersign.workspace.pages import language_name, workspace_view
from undersign.workspace.signers import SignerFilterForm, is_filter

PERM = "contacts"
# The filter of a mailing: the signers list's, less what a mailing decides for itself (only
# those who agreed; counted signers, not a moderator's view).
NOT_FILTERS = ("contactable", "moderation")


def _languages() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code, _name in settings.LANGUAGES]


class MailingForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language of the mailing"))
    subject = forms.CharField(
        label=gettext_lazy("Subject"), max_length=services.SUBJECT_MAX, required=False
    )
    body = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=services.BODY_MAX,
        required=False,
        help_text=gettext_lazy(
            "Plain text. A line at the end says why they get it and how to get no more."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own prefix: the signers list's filter on the same form has a "language" too.
        kwargs.setdefault("prefix", "mail")
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = _languages()  # type: ignore[attr-defined]


class TranslationForm(MailingForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="tr", **kwargs)
        self.fields["language"].label = gettext_lazy("Language")


def _filter_form(statement: Statement, data: Any) -> SignerFilterForm:
    form = SignerFilterForm(data, statement=statement)
    for name in NOT_FILTERS:
        form.fields.pop(name, None)
    return form


def _filter_query(data: QueryDict) -> str:
    query = QueryDict(mutable=True)
    for key in data:
        if is_filter(key) and key not in NOT_FILTERS:
            for value in data.getlist(key):
                if value:
                    query.appendlist(key, value)
    return query.urlencode()


def _stored_filter(statement: Statement, mailing: Mailing) -> SignerFilter:
    form = _filter_form(statement, QueryDict(mailing.filter_query))
    return form.signer_filter() if form.is_valid() else SignerFilter()


def _sealed_command(statement: Statement) -> str:
    return (
        f"undersign contacts export {statement.slug} contacts.csv --contactable --as USER\n"
        'undersign mailing send contacts.csv --key KEYFILE --subject "…" --body-file mail.txt'
    )


def _save_errors(form: forms.Form, error: services.MailingError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@workspace_view
def mailings(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, PERM)
    posted = request.method == "POST"
    form = MailingForm(request.POST if posted else None, initial={"language": statement.language})
    filters = _filter_form(statement, request.POST if posted else None)
    if posted and form.is_valid() and filters.is_valid():
        try:
            mailing = services.create_mailing(
                statement,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                language=form.cleaned_data["language"],
                filter_query=_filter_query(request.POST),
                actor=request.user,
            )
        except services.MailingError as error:
            _save_errors(form, error)
        else:
            return redirect("workspace:mailing", slug=statement.slug, mailing_id=mailing.pk)
    context = {
        "statement": statement,
        "form": form,
        "filters": filters,
        "mailings": [
            (m, services.progress(m))
            for m in Mailing.objects.filter(statement=statement).order_by("-created_at")[:50]
        ],
        "sealed": statement.sealing_key_id is not None,
        "command": _sealed_command(statement),
    }
    invalid = posted and (form.errors or filters.errors)
    return render(
        request, "mailings/workspace/mailings.html", context, status=400 if invalid else 200
    )


@workspace_view
def mailing(request: HttpRequest, slug: str, mailing_id: int) -> HttpResponse:
    statement = statement_for(request.user, slug, PERM)
    found = (
        Mailing.objects.filter(statement=statement, pk=mailing_id)
        .prefetch_related("translations")
        .first()
    )
    if found is None:
        raise Http404
    action = request.POST.get("action", "") if request.method == "POST" else ""
    draft = found.status == Mailing.Status.DRAFT
    initial = {"language": found.language, "subject": found.subject, "body": found.body}
    form = MailingForm(request.POST if action == "save" else None, initial=initial)
    filters = _filter_form(
        statement, request.POST if action == "save" else QueryDict(found.filter_query)
    )
    translation = TranslationForm(request.POST if action == "translate" else None)
    if action and not draft and action not in ("test", "retry", "pause", "resume"):
        messages.error(request, _("This mailing has started; it cannot be changed any more."))
        return redirect(request.path)
    try:
        if action == "save" and form.is_valid() and filters.is_valid():
            services.change_mailing(
                found,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                language=form.cleaned_data["language"],
                filter_query=_filter_query(request.POST),
                actor=request.user,
            )
            messages.success(request, _("The mailing is saved."))
            return redirect(request.path)
        if action == "translate" and translation.is_valid():
            services.translate_mailing(
                found,
                language=translation.cleaned_data["language"],
                subject=translation.cleaned_data["subject"],
                body=translation.cleaned_data["body"],
                actor=request.user,
            )
            messages.success(request, _("The translation is saved."))
            return redirect(request.path)
        if action == "test":
            services.send_test(found, actor=request.user, language=request.POST.get("language", ""))
            messages.success(request, _("A test is on its way to your address."))
            return redirect(request.path)
        if action == "retry" and not draft:
            n = services.retry_in_doubt(found, actor=request.user)
            messages.success(request, _("Sending again to %(n)s signers.") % {"n": n})
            return redirect(request.path)
        if action == "pause":
            services.pause_mailing(found, actor=request.user)
            messages.success(
                request, _("The mailing is paused: nobody else gets it until you resume it.")
            )
            return redirect(request.path)
        if action == "resume":
            services.resume_mailing(found, actor=request.user)
            messages.success(request, _("The mailing is being sent again."))
            return redirect(request.path)
        if action == "send":
            n = services.start_mailing(found, _stored_filter(statement, found), actor=request.user)
            messages.success(request, _("Sending to %(n)s signers.") % {"n": n})
            return redirect(request.path)
    except services.MailingError as error:
        if action == "translate":
            _save_errors(translation, error)
        elif action == "save":
            _save_errors(form, error)
        else:
            messages.error(request, error.message)
            return redirect(request.path)
    found.refresh_from_db()
    reach = services.reach(statement, _stored_filter(statement, found))
    title = str(title_in(statement, found.language))
    previews = [
        (
            language,
            language_name(language),
            mailing_mail(
                subject=subject,
                body=body,
                language=language,
                to="",
                unsubscribe_url=services.unsubscribe_url("…"),
                title=title,
            ),
        )
        for language, subject, body in [
            (found.language, found.subject, found.body),
            *((t.language, t.subject, t.body) for t in found.translations.all()),
        ]
    ]
    progress = services.progress(found)
    context = {
        "statement": statement,
        "mailing": found,
        "draft": found.status == Mailing.Status.DRAFT,
        "running": found.status == Mailing.Status.SENDING,
        "paused": found.status == Mailing.Status.PAUSED,
        # The reloading is a time limit for someone reading slowly or with a screen reader
        # (WCAG 2.2.1): they may turn it off, as on the import's page.
        "still": request.GET.get("still") == "1",
        "form": form,
        "filters": filters,
        "translation": translation,
        "previews": previews,
        "reach": reach,
        "progress": progress,
        "sealed": statement.sealing_key_id is not None,
        "command": _sealed_command(statement),
        "languages": _languages(),
        "filter_used": _stored_filter(statement, found).described(),
        "has_email": bool(getattr(request.user, "email", "")),
    }
    invalid = form.errors or filters.errors or translation.errors
    return render(
        request, "mailings/workspace/mailing.html", context, status=400 if invalid else 200
    )


class DigestForm(forms.Form):
    daily = forms.BooleanField(
        label=gettext_lazy(
            "Send me a daily digest: new confirmed signatures, new volunteers by city, names "
            "hidden by moderators, exports made"
        ),
        required=False,
    )
    language = forms.ChoiceField(label=gettext_lazy("Language of the digest"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = _languages()  # type: ignore[attr-defined]


@workspace_view
def digest(request: HttpRequest) -> HttpResponse:
    """A person's own choice of the daily digest; offered to owners and contacts viewers."""
    user = request.user
    memberships = getattr(request, "workspace_memberships", [])
    may = any(m.owner or m.contacts_viewer for m in memberships)
    choice = services.digest_choice(user)
    # Unless chosen on this page, the digest speaks the language the person reads it in.
    interface = get_language() or settings.LANGUAGE_CODE
    form = DigestForm(
        request.POST if request.method == "POST" else None,
        initial={
            "daily": bool(choice and choice.daily),
            "language": (choice.language if choice else "") or interface,
        },
    )
    if may and form.is_bound and form.is_valid():
        language = form.cleaned_data["language"] or interface
        services.choose_digest(user, daily=form.cleaned_data["daily"], language=language)
        if form.cleaned_data["daily"]:
            messages.success(request, _("You will get the daily digest."))
        else:
            messages.success(request, _("You will get no daily digest."))
        return redirect("workspace:digest")
    context = {"form": form, "may": may, "has_email": bool(getattr(user, "email", ""))}
    return render(request, "mailings/workspace/digest.html", context)
