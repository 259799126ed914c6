"""Who may do what in a team, read from the database on every request.

Nothing is cached on the user or in the session: a member removed or given other roles is
answered differently at their very next request. Within one workspace request the roles are
read once (`roles_of_this_request`) and every question of that request is answered from that
one read; outside it (CLI, API, worker, tests) each call reads them again.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from undersign.organisers.models import ROLE_PERMISSIONS, ROLES, Membership, Team
from undersign.rows import Columns, split

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


# (user id, that user's memberships with their teams) read at the start of this request.
_this_request: ContextVar[tuple[int, list[Membership]] | None] = ContextVar(
    "undersign_memberships", default=None
)


@contextmanager
def roles_of_this_request(
    user: User, extra: dict[str, tuple[str, tuple]] | None = None
) -> Iterator[list[Membership]]:
    """Read `user`'s memberships (with their teams, and the `extra` columns the caller
    needs in the same query: name → (SQL, parameters), set on each membership as read)
    once, and answer every access question about `user` inside the block from them. A
    change of any membership or team inside the block forgets them (the next question
    reads again)."""
    memberships = []
    if is_active(user):
        # Every membership of the user, those without a role dropped here and sorted by team
        # here rather than in SQL: the same rows as `memberships_of` for a simpler query (no
        # condition per role, no join for the ordering), read on every workspace request.
        rows = _memberships_with_teams(cast(int, user.pk), extra or {})
        memberships = [m for m in rows if m.roles]
        memberships.sort(key=lambda m: m.team.name)
    token = _this_request.set((cast(int, user.pk), memberships) if is_active(user) else None)
    try:
        yield memberships
    finally:
        _this_request.reset(token)


@cache
def _plan(vendor: str) -> tuple[str, Columns, Columns]:
    memberships, teams = Columns(Membership, "m"), Columns(Team, "t")
    # Names from the models; the user's id (and the extra columns' values) are parameters.
    sql = (
        f"SELECT {', '.join(memberships.names() + teams.names())}{{extra}}"  # noqa: S608
        f" FROM {memberships.table} INNER JOIN {teams.table} ON t.id = m.team_id"
        " WHERE m.user_id = %s"
    )
    return sql, memberships, teams


def _memberships_with_teams(user_id: int, extra: dict[str, tuple[str, tuple]]) -> list[Membership]:
    """Every membership of the user with its team, as `select_related("team")` gives them,
    read with SQL written once (undersign/rows.py): about 0.4 ms less per request. The
    `extra` columns name the membership's table "m"."""
    sql, memberships, teams = _plan(connection.vendor)
    sql = sql.format(extra="".join(f", {fragment}" for fragment, _params in extra.values()))
    params = [*(p for _fragment, ps in extra.values() for p in ps), user_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        mine, theirs = split(row, memberships, teams)
        membership = memberships.instance(mine)
        Membership.team.field.set_cached_value(membership, teams.instance(theirs))  # type: ignore[attr-defined]
        extras = row[len(memberships.fields) + len(teams.fields) :]
        for name, value in zip(extra, extras, strict=True):
            setattr(membership, name, value)
        found.append(membership)
    return found


def forget_roles_of_this_request(**_kwargs: object) -> None:
    """Connected to Membership's post_save and post_delete (organisers/apps.py)."""
    _this_request.set(None)


def read_memberships(user: User) -> list[Membership]:
    """The user's memberships that hold a role: from this request's read, else from the
    database."""
    held = _this_request.get()
    if held is not None and is_active(user) and held[0] == user.pk:
        return held[1]
    return list(memberships_of(user))


def team_ids_for(user: User, perm: str) -> QuerySet[Membership, Any]:
    """A subquery of the ids of the teams in which `user` may `perm`."""
    return memberships_of(user).filter(role_filter(perm)).values("team_id")


def held_team_ids(user: User, perm: str) -> list[int] | None:
    """The ids of the teams in which `user` may `perm`, from this request's read; None
    outside one. (A list of ids keeps the statement's query small: it is built and compiled
    on every workspace request.)"""
    held = _this_request.get()
    if held is None or not is_active(user) or held[0] != user.pk:
        return None
    role_filter(perm)  # the same check of the word: a typo must not grant anything
    return [m.team_id for m in held[1] if perm in m.permissions]


def permissions_in(user: User, team_id: int | None) -> frozenset[str]:
    if team_id is None:
        return frozenset()
    if _this_request.get() is not None:
        found = [m for m in read_memberships(user) if m.team_id == team_id]
        return found[0].permissions if found else frozenset()
    membership = memberships_of(user).filter(team_id=team_id).first()
    return membership.permissions if membership else frozenset()


def is_member(user: User) -> bool:
    if _this_request.get() is not None:
        return bool(read_memberships(user))
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
