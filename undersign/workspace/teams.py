"""Teams: who is in them with which roles, invitations, and the team of a statement.

Every member sees the team's page; owners change roles, remove members, invite and change
the settings. The rules and the audit entries are in `undersign.organisers.services`.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from undersign.organisers import access as team_access
from undersign.organisers import services
from undersign.organisers.models import Invitation, Membership, Team
from undersign.organisers.services import TeamError
from undersign.statements import access
from undersign.statements.teams import move_to_team
from undersign.workspace.pages import workspace_view
from undersign.workspace.team_forms import InviteForm, RolesForm, TeamChoiceForm, TeamForm

NEW_INVITATION = "workspace-new-invitation"


def _member_form(membership: Membership, data=None) -> RolesForm:
    initial = {role: True for role in membership.roles}
    return RolesForm(data, initial=initial, prefix=f"member-{membership.user_id}")


@workspace_view
def team_list(request: HttpRequest) -> HttpResponse:
    mine = team_access.memberships_of(request.user).select_related("team").order_by("team__name")
    context = {
        "memberships": list(mine),
        "may_create_team": team_access.may_create_team(request.user),
    }
    return render(request, "workspace/teams.html", context)


@workspace_view
def team_create(request: HttpRequest) -> HttpResponse:
    if not team_access.may_create_team(request.user):
        raise Http404
    form = TeamForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            team = services.create_team(
                form.cleaned_data["name"],
                owner=request.user,
                require_two_factor=form.cleaned_data["require_two_factor"],
                actor=request.user,
            )
        except TeamError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, _("The team is created. You are its owner."))
            return redirect("workspace:team", team_id=team.pk)
    status = 400 if form.is_bound else 200
    return render(request, "workspace/team_new.html", {"form": form}, status=status)


def _team_page(
    request: HttpRequest,
    team: Team,
    *,
    invite_form: InviteForm | None = None,
    team_form: TeamForm | None = None,
    status: int = 200,
) -> HttpResponse:
    manage = "manage" in team_access.permissions_in(request.user, team.pk)
    members = list(team.memberships.select_related("user").order_by("user__username"))
    context: dict = {
        "team": team,
        "manage": manage,
        "rows": [{"membership": m, "form": _member_form(m) if manage else None} for m in members],
        "statements": list(access.statements_for(request.user).filter(team=team)),
    }
    if manage:
        context["invitations"] = [
            i for i in team.invitations.select_related("created_by") if i.is_open
        ]
        context["invite_form"] = invite_form or InviteForm(prefix="invite")
        context["team_form"] = team_form or TeamForm(
            prefix="team",
            initial={"name": team.name, "require_two_factor": team.require_two_factor},
        )
        # The link of an invitation just made, shown this once (only its hash is stored).
        context["new_invitation"] = request.session.pop(NEW_INVITATION, None)
    return render(request, "workspace/team.html", context, status=status)


@workspace_view
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = team_access.team_for(request.user, team_id, "view")
    return _team_page(request, team)


@workspace_view
@require_POST
def team_change(request: HttpRequest, team_id: int) -> HttpResponse:
    team = team_access.team_for(request.user, team_id, "manage")
    form = TeamForm(request.POST, prefix="team")
    if form.is_valid():
        try:
            services.change_team(
                team,
                name=form.cleaned_data["name"],
                require_two_factor=form.cleaned_data["require_two_factor"],
                actor=request.user,
            )
        except TeamError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("workspace:team", team_id=team.pk)
    team.refresh_from_db()
    return _team_page(request, team, team_form=form, status=400)


@workspace_view
@require_POST
def member_roles(request: HttpRequest, team_id: int, user_id: int) -> HttpResponse:
    team = team_access.team_for(request.user, team_id, "manage")
    membership = get_object_or_404(Membership, team=team, user_id=user_id)
    form = _member_form(membership, request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
    else:
        try:
            services.change_roles(team, user_id, form.roles(), actor=request.user)
        except TeamError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("The roles of %(name)s are saved.") % {"name": membership.user}
            )
    return redirect("workspace:team", team_id=team.pk)


@workspace_view
@require_POST
def member_remove(request: HttpRequest, team_id: int, user_id: int) -> HttpResponse:
    team = team_access.team_for(request.user, team_id, "manage")
    membership = get_object_or_404(
        Membership.objects.select_related("user"), team=team, user_id=user_id
    )
    try:
        services.remove_member(team, user_id, actor=request.user)
    except TeamError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(name)s is no longer in the team.") % {"name": membership.user}
        )
    if user_id == request.user.pk:
        return redirect("workspace:teams")
    return redirect("workspace:team", team_id=team.pk)


@workspace_view
@require_POST
def invitation_create(request: HttpRequest, team_id: int) -> HttpResponse:
    team = team_access.team_for(request.user, team_id, "manage")
    form = InviteForm(request.POST, prefix="invite")
    if not form.is_valid():
        return _team_page(request, team, invite_form=form, status=400)
    invitation, token = services.invite(
        team, roles=form.roles(), note=form.cleaned_data["note"], actor=request.user
    )
    link = settings.SITE_URL + reverse("workspace:invitation", kwargs={"token": token})
    request.session[NEW_INVITATION] = {"id": invitation.pk, "link": link}
    return redirect(f"{reverse('workspace:team', kwargs={'team_id': team.pk})}#new-invitation")


@workspace_view
@require_POST
def invitation_revoke(request: HttpRequest, team_id: int, invitation_id: int) -> HttpResponse:
    team = team_access.team_for(request.user, team_id, "manage")
    invitation = get_object_or_404(Invitation, team=team, pk=invitation_id)
    services.revoke_invitation(invitation, actor=request.user)
    messages.success(request, _("The invitation is withdrawn; its link no longer works."))
    return redirect("workspace:team", team_id=team.pk)


@workspace_view
def statement_team(request: HttpRequest, slug: str) -> HttpResponse:
    """Give a statement to a team: an owner moves it between the teams they own; a superuser
    places a statement that has no team yet."""
    statement = access.statement_for(request.user, slug, "manage")
    choices = access.destination_teams(request.user, statement)
    initial = {"team": statement.team_id}
    form = TeamChoiceForm(request.POST or None, teams=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        team = form.cleaned_data["team"]
        move_to_team(statement, team, actor=request.user)
        messages.success(request, _("The statement now belongs to %(team)s.") % {"team": team})
        if team_access.teams_for(request.user).filter(pk=team.pk).exists():
            return redirect("workspace:team", team_id=team.pk)
        return redirect("workspace:statements")  # a superuser placing it in another team
    context = {"statement": statement, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "workspace/statement_team.html", context, status=status)
