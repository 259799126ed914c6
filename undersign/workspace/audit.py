"""The audit log for a team's owners: newest first, filtered by statement, person and kind,
a page at a time (by entry number, so a page stays put while new entries arrive)."""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from undersign.organisers.access import teams_for
from undersign.organisers.models import ROLE_LABELS, AuditEntry, Membership, Team
from undersign.statements import access
from undersign.statements.audit import about_person, about_statement, entries_for, may_read_audit
from undersign.statements.models import Statement
from undersign.workspace.pages import workspace_view

PAGE_SIZE = 50

# What the codes mean, for people; a code not listed here is shown as it is.
ACTIONS = {
    "statement.create": _("created the statement"),
    "statement.edit": _("edited the text"),
    "statement.revision": _("recorded a revision"),
    "statement.translate": _("saved a translation"),
    "statement.publish": _("published"),
    "statement.close": _("closed signing"),
    "statement.team": _("gave the statement to a team"),
    "contacts.export": _("exported contacts"),
    "contacts.erase": _("erased contacts"),
    "signatures.import_upload": _("uploaded a sheet of signatures to import"),
    "signatures.import_start": _("started or resumed an import of signatures"),
    "signatures.import": _("imported signatures"),
    "signatures.import_discard": _("discarded an uploaded sheet of signatures"),
    "contacts.mailing": _("sent a mailing (the server read the addresses)"),
    "mailing.create": _("wrote a mailing"),
    "mailing.retry_in_doubt": _("sent a mailing again to those not known whether sent"),
    "mailing.pause": _("paused a mailing"),
    "mailing.resume": _("resumed a mailing"),
    "team.create": _("created the team"),
    "team.change": _("changed the team's settings"),
    "team.member.roles": _("changed a member's roles"),
    "team.member.remove": _("removed a member"),
    "team.invite": _("made an invitation"),
    "team.invite.revoke": _("withdrew an invitation"),
    "team.invite.accept": _("joined by invitation"),
    "organiser.two_factor.enable": _("turned on two-factor login"),
}


# Names of the details' keys; others are shown as they are stored.
DETAILS = {
    "member": _("member"),
    "owner": _("owner"),
    "roles": _("roles"),
    "before": _("roles before"),
    "invitation": _("invitation"),
    "expires_at": _("expires"),
    "team": _("team"),
    "from": _("from team"),
    "name": _("name"),
    "require_two_factor": _("two-factor login required"),
    "new_account": _("new account"),
    "language": _("language"),
    "revision": _("revision"),
    "hash": _("content hash"),
    "filter": _("filter"),
    "contacts": _("contacts"),
    "import": _("import"),
    "kind": _("kind"),
    "rows": _("rows"),
    "mailed": _("asked by mail to confirm"),
    "already": _("already signed or pending"),
    "paper": _("on paper"),
    "skipped": _("rows with a problem"),
}


class AuditFilterForm(forms.Form):
    statement = forms.ChoiceField(label=_("Statement"), required=False)
    person = forms.ChoiceField(label=_("Person"), required=False)
    action = forms.ChoiceField(label=_("Kind"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)

    def __init__(self, data: Any, *, choices: dict[str, list[tuple[str, str]]]) -> None:
        super().__init__(data)
        everything = [("", _("all"))]
        for name, options in choices.items():
            self.fields[name].choices = everything + options  # type: ignore[attr-defined]


def _choices(user, entries) -> dict[str, list[tuple[str, str]]]:
    owned = teams_for(user, "manage")
    statements = access.statements_for(user).filter(team__in=owned).order_by("title")
    people = (
        get_user_model().objects.filter(memberships__team__in=owned).distinct().order_by("username")
    )
    codes = sorted(set(entries.values_list("action", flat=True)))
    choices = {
        "statement": [(s.slug, s.title) for s in statements],
        "person": [(str(p.pk), p.get_username()) for p in people],
        "action": [
            (code, f"{ACTIONS[code]} ({code})" if code in ACTIONS else code) for code in codes
        ],
    }
    teams = list(owned.order_by("name"))
    choices["team"] = [(str(t.pk), t.name) for t in teams] if len(teams) > 1 else []
    return choices


def _objects(entries: list[AuditEntry], user) -> dict[tuple[str, str], str]:
    """Names for the objects of a page's entries, read in one query per kind; only those
    the reader may see (a statement given to another team shows as its number)."""
    ids: dict[str, set[str]] = {}
    for entry in entries:
        ids.setdefault(entry.object_type, set()).add(entry.object_id)
        for key in ("member", "owner"):
            if isinstance(entry.data.get(key), int):
                ids.setdefault("person", set()).add(str(entry.data[key]))
    names: dict[tuple[str, str], str] = {}
    statement_type = Statement._meta.label_lower
    for s in access.statements_for(user).filter(pk__in=ids.get(statement_type, ())):
        names[(statement_type, str(s.pk))] = s.title
    for t in teams_for(user).filter(pk__in=ids.get(Team._meta.label_lower, ())):
        names[(Team._meta.label_lower, str(t.pk))] = t.name
    User = get_user_model()
    wanted = ids.get(User._meta.label_lower, set()) | ids.get("person", set())
    visible = Membership.objects.filter(team__in=teams_for(user)).values("user_id")
    for person in User.objects.filter(pk__in=wanted).filter(pk__in=visible):
        names[(User._meta.label_lower, str(person.pk))] = person.get_username()
        names[("person", str(person.pk))] = person.get_username()
    return names


def _details(entry: AuditEntry, names: dict[tuple[str, str], str]) -> list[tuple[str, str]]:
    rows = []
    for key, value in entry.data.items():
        if key in ("member", "owner") and isinstance(value, int):
            shown = names.get(("person", str(value)), f"#{value}")
        elif key in ("roles", "before") and isinstance(value, list):
            shown = ", ".join(str(ROLE_LABELS.get(v, v)) for v in value) or "—"
        elif isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in value.items()) or "—"
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value) or "—"
        elif isinstance(value, bool):
            shown = str(_("yes") if value else _("no"))
        elif value is None:
            shown = "—"
        else:
            shown = str(value)
        rows.append((str(DETAILS.get(key, key)), shown))
    return rows


@workspace_view
def audit_log(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_read_audit(user):
        raise Http404
    entries = entries_for(user)
    form = AuditFilterForm(request.GET, choices=_choices(user, entries))
    chosen: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    if not form.is_valid():
        entries = entries.none()  # say what is wrong rather than show what was not asked
    if chosen.get("statement"):
        entries = about_statement(entries, access.statement_for(user, chosen["statement"], "view"))
    if chosen.get("person"):
        entries = about_person(entries, int(chosen["person"]))
    if chosen.get("action"):
        entries = entries.filter(action=chosen["action"])
    if chosen.get("team"):
        entries = entries.filter(team_id=int(chosen["team"]))
    before = request.GET.get("before", "")
    if before.isdigit() and len(before) < 19:  # else it is not one of our links: page one
        entries = entries.filter(id__lt=int(before))
    page = list(entries.select_related("actor")[: PAGE_SIZE + 1])
    older = None
    if len(page) > PAGE_SIZE:
        page = page[:PAGE_SIZE]
        query = {k: v for k, v in chosen.items() if v}
        older = "?" + urlencode({**query, "before": page[-1].pk})
    names = _objects(page, user)
    rows = [
        {
            "entry": entry,
            "action": ACTIONS.get(entry.action, ""),
            "object": names.get((entry.object_type, entry.object_id), ""),
            "details": _details(entry, names),
        }
        for entry in page
    ]
    context = {"form": form, "rows": rows, "older": older, "filtered": any(chosen.values())}
    return render(request, "workspace/audit.html", context, status=200 if form.is_valid() else 400)
