"""Who may do what in a team, read from the database on every call.

Nothing is cached on the user or in the session: a member removed or given other roles is
answered differently at their very next request.
"""

from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from undersign.organisers.models import ROLE_PERMISSIONS, ROLES, Membership, Team

User = AbstractBaseUser | AnonymousUser

# The same words as for statements (see `undersign.statements.access`): "view" the team's
# page and its members, "manage" its members, invitations and settings and read its audit log.
PERMISSIONS = ("view", "edit", "publish", "moderate", "contacts", "manage")


def is_active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def role_filter(perm: str, prefix: str = "") -> Q:
    """Memberships whose roles grant `perm` (`prefix` reaches them from another model)."""
    if perm not in PERMISSIONS:
        raise ValueError(f"unknown permission {perm!r}")  # a typo must not grant anything
    condition = Q(pk__in=[])
    for role in ROLES:
        if perm in ROLE_PERMISSIONS[role]:
            condition |= Q(**{f"{prefix}{role}": True})
    return condition


def memberships_of(user: User) -> QuerySet[Membership]:
    """The user's memberships that hold at least one role (none for the inactive)."""
    if not is_active(user):
        return Membership.objects.none()
    return Membership.objects.filter(role_filter("view"), user_id=cast(int, user.pk))


def team_ids_for(user: User, perm: str) -> QuerySet[Membership, Any]:
    """A subquery of the ids of the teams in which `user` may `perm`."""
    return memberships_of(user).filter(role_filter(perm)).values("team_id")


def permissions_in(user: User, team_id: int | None) -> frozenset[str]:
    if team_id is None:
        return frozenset()
    membership = memberships_of(user).filter(team_id=team_id).first()
    return membership.permissions if membership else frozenset()


def is_member(user: User) -> bool:
    return memberships_of(user).exists()


def teams_for(user: User, perm: str = "view") -> QuerySet[Team]:
    """The teams in which `user` may `perm`."""
    return Team.objects.filter(pk__in=team_ids_for(user, perm))


def team_for(user: User, team_id: int, perm: str = "view") -> Team:
    """The team `team_id` if `user` may `perm` in it; else 404, whether it exists or not."""
    team = teams_for(user, perm).filter(pk=team_id).first()
    if team is None:
        raise Http404
    return team


def may_create_team(user: User) -> bool:
    """Teams are started by the operator's superusers; owners then invite the others."""
    return is_active(user) and bool(getattr(user, "is_superuser", False))
