"""Who may do what to an assembly: the workspace, the CLI and the API ask here.

An assembly belongs to a team; the roles there give the permissions, read from the database
on every call: "view" comes with every role (the overview, participants' numbers, tallies,
amendments, results), "manage" with owner and editor (set up, texts, codes, opening and
closing, paper tallies, deciding amendments, linking clauses, the campaign step).
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from undersign.assemblies.models import Assembly
from undersign.organisers import access as teams
from undersign.organisers.models import Membership, Team

User = AbstractBaseUser | AnonymousUser
PERMISSIONS = ("view", "manage")


def _team_ids(user: User, perm: str) -> QuerySet[Membership, Any]:
    if perm not in PERMISSIONS:
        raise ValueError(f"unknown permission {perm!r}")  # a typo must not grant anything
    memberships = teams.memberships_of(user)
    if perm == "manage":
        memberships = memberships.filter(teams.role_filter("manage") | teams.role_filter("edit"))
    return memberships.values("team_id")


def assemblies_for(user: User, perm: str = "view") -> QuerySet[Assembly]:
    return Assembly.objects.filter(team__in=_team_ids(user, perm))


def assembly_for(user: User, slug: str, perm: str = "view") -> Assembly:
    """The assembly at `slug` if `user` may `perm` it; else 404, whether it exists or not."""
    assembly = assemblies_for(user, perm).select_related("team").filter(slug=slug).first()
    if assembly is None:
        raise Http404
    return assembly


def can(user: User, assembly: Assembly, perm: str) -> bool:
    return _team_ids(user, perm).filter(team_id=assembly.team_id).exists()


def managing_teams(user: User) -> QuerySet[Team]:
    """The teams in which `user` may start an assembly."""
    return Team.objects.filter(pk__in=_team_ids(user, "manage"))
