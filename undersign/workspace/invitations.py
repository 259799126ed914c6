"""The page an invitation link opens: make an account (or use the one you are logged in
with) and land in the team. A team that requires two-factor login sends the newcomer to set
it up first: the workspace's pages do that for anybody who must."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from undersign.organisers import services, two_factor
from undersign.organisers.models import Invitation
from undersign.organisers.services import TeamError
from undersign.workspace.team_forms import JoinForm


def _page(request: HttpRequest, template: str, context: dict, status: int) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _gone(request: HttpRequest) -> HttpResponse:
    return _page(request, "workspace/invitation_gone.html", {}, 404)


def _landed(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    messages.success(request, _("Welcome to %(team)s.") % {"team": invitation.team})
    return redirect("workspace:team", team_id=invitation.team_id)


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = services.open_invitation(token)
    if found is None:
        return _gone(request)
    user = request.user
    # Logged in with every factor, or with the password and about to set up the second.
    signed_in = two_factor.login_complete(user) or (user.is_active and two_factor.must_enrol(user))
    form = None
    if request.method == "POST":
        try:
            if signed_in:
                services.accept_invitation(token, user)
                return _landed(request, found)
            form = JoinForm(request.POST)
            if form.is_valid():
                new = services.join_with_new_account(
                    token,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                )
                login(request, new, backend=settings.AUTHENTICATION_BACKENDS[0])
                return _landed(request, found)
        except TeamError as error:
            if form is None or services.open_invitation(token) is None:
                return _gone(request)  # used up or withdrawn meanwhile
            form.add_error("username", error.message)  # the name was taken meanwhile
    elif not signed_in:
        form = JoinForm()
    context = {
        "invitation": found,
        "roles": found.role_labels(),
        "form": form,
        "signed_in": signed_in,
    }
    return _page(
        request, "workspace/invitation.html", context, 400 if form and form.errors else 200
    )
