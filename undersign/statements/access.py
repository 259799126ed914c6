"""Who may do what to a statement: the workspace, the CLI, the API and the exporters ask here.

A statement belongs to a team; a person's roles in that team give the permissions:
owner → "manage"; editor → "edit", "publish"; moderator → "moderate"; contacts viewer →
"contacts"; every role → "view". Roles are read from the database on every call, so a
member removed or given other roles meets the change at the next request.

Staff accounts (the Django admin) get nothing here by being staff. A statement without a team
(imported by the CLI before anybody chose one) is seen by superusers alone, who may "view" it
and "manage" it, that is give it to a team; nobody edits, publishes or reads its contacts until
then. A superuser's powers over a team's statements are those of their roles in that team.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from undersign.organisers import access as teams
from undersign.organisers.models import Membership, Team
from undersign.statements.lookup import statement_at
from undersign.statements.models import Statement

User = AbstractBaseUser | AnonymousUser

# "view": read the statement in the workspace (preview, dashboard, public fields of its
# signers); "edit": change its text, metadata and translations; "publish": publish, close or
# reopen it; "moderate": hide names, mark signatures invalid; "contacts": see and export
# contact data; "manage": the team's members, keys, moving and deleting the statement.
PERMISSIONS = teams.PERMISSIONS
# What a superuser may do to a statement that has no team yet.
TEAMLESS_PERMISSIONS = frozenset({"view", "manage"})


def _checked(perm: str) -> str:
    if perm not in PERMISSIONS:
        raise ValueError(f"unknown permission {perm!r}")  # a typo must not grant anything
    return perm


def _is_superuser(user: User) -> bool:
    return teams.is_active(user) and bool(getattr(user, "is_superuser", False))


def may_use_workspace(user: User, memberships: list[Membership] | None = None) -> bool:
    """Active members of a team; and superusers, who give teamless statements a team.
    (`memberships`: the user's, when the caller has read them already.)"""
    member = bool(memberships) if memberships is not None else teams.is_member(user)
    return member or _is_superuser(user)


def can(user: User, statement: Statement, perm: str) -> bool:
    _checked(perm)
    if statement.team_id is None:
        return perm in TEAMLESS_PERMISSIONS and _is_superuser(user)
    return perm in teams.permissions_in(user, statement.team_id)


def permissions_on(user: User, statements: Iterable[Statement]) -> dict[int, frozenset[str]]:
    """What `user` may do to each of `statements`, in one query: for lists."""
    by_team = {m.team_id: m.permissions for m in teams.read_memberships(user)}
    teamless = TEAMLESS_PERMISSIONS if _is_superuser(user) else frozenset()
    return {
        s.pk: teamless if s.team_id is None else by_team.get(s.team_id, frozenset())
        for s in statements
    }


def creation_teams(user: User) -> QuerySet[Team]:
    """The teams `user` may start a statement in: those where they are editor or owner."""
    return teams.teams_for(user, "edit") | teams.teams_for(user, "manage")


def may_create(user: User) -> bool:
    return any(m.permissions & {"edit", "manage"} for m in teams.read_memberships(user))


def statements_for(user: User, perm: str = "view") -> QuerySet[Statement]:
    """The statements `user` may `perm`."""
    held = teams.held_team_ids(user, _checked(perm))
    condition = Q(team__in=teams.team_ids_for(user, perm) if held is None else held)
    if perm in TEAMLESS_PERMISSIONS and _is_superuser(user):
        condition |= Q(team__isnull=True)
    return Statement.objects.filter(condition)


def statement_for(user: User, slug: str, perm: str = "edit") -> Statement:
    """The statement at `slug` if `user` may `perm` it; else 404, so that nobody learns
    from the answer whether a draft exists."""
    if teams.held_team_ids(user, _checked(perm)) is None:
        found = list(statements_for(user, perm).filter(slug=slug).order_by()[:1])
    else:
        # In a workspace request the roles are read already: the statement by its (unique)
        # slug, then the same rule as `can`, which is a smaller query than one asking both
        # (read with SQL written once: lookup.py).
        found = [s for s in [statement_at(slug)] if s is not None and can(user, s, perm)]
    if not found:
        raise Http404
    return found[0]


def destination_teams(user: User, statement: Statement) -> QuerySet[Team]:
    """The teams `user` may give `statement` to: those they own, if they may manage it; any
    team, for a superuser placing a statement that has none."""
    if not can(user, statement, "manage"):
        return Team.objects.none()
    if statement.team_id is None:
        return Team.objects.all()
    return teams.teams_for(user, "manage")
