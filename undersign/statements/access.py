"""Who may do what to a statement: the workspace, the CLI, the API and the exporters ask here.

For now any active staff user may do everything. Roles per team (owner, editor, moderator,
contacts viewer) will answer `can`; the callers need not change for that.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from undersign.statements.models import Statement

User = AbstractBaseUser | AnonymousUser

# "view": read the statement in the workspace (preview, dashboard, public fields of its
# signers); "edit": change its text, metadata and translations; "publish": publish, close or
# reopen it; "moderate": hide names, mark signatures invalid; "contacts": see and export
# contact data; "manage": the team's members, keys and deleting the statement.
PERMISSIONS = ("view", "edit", "publish", "moderate", "contacts", "manage")


def may_use_workspace(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_staff", False))


def can(user: User, statement: Statement, perm: str) -> bool:
    if perm not in PERMISSIONS:
        raise ValueError(f"unknown permission {perm!r}")  # a typo must not grant anything
    return may_use_workspace(user)


def may_create(user: User) -> bool:
    return may_use_workspace(user)


def statements_for(user: User) -> QuerySet[Statement]:
    """The statements `user` may at least view."""
    if not may_use_workspace(user):
        return Statement.objects.none()
    return Statement.objects.all()


def statement_for(user: User, slug: str, perm: str = "edit") -> Statement:
    """The statement at `slug` if `user` may `perm` it; else 404, so that nobody learns
    from the answer whether a draft exists."""
    if perm not in PERMISSIONS:
        raise ValueError(f"unknown permission {perm!r}")
    statement = statements_for(user).filter(slug=slug).first()
    if statement is None or not can(user, statement, perm):
        raise Http404
    return statement
