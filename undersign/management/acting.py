"""Who a console command acts as: `--as USER` names an active account, and the statements'
access helper decides what that account may do, as it does in the workspace."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.http import Http404

from undersign.statements.access import statement_for
from undersign.statements.models import Statement


def acting_user(username: str):
    """The active account named `username`; CommandError otherwise."""
    model = get_user_model()
    user = model.objects.filter(**{model.USERNAME_FIELD: username}).first()
    if user is None or not user.is_active:
        raise CommandError(f"No active user {username!r}.")
    return user


def statement_as(user, slug: str, perm: str) -> Statement:
    """The statement at `slug` if `user` may `perm` it; CommandError otherwise (the same
    answer whether the statement is missing or out of reach, as in the workspace)."""
    try:
        return statement_for(user, slug, perm)
    except Http404:
        raise CommandError(
            f"No statement {slug!r} that {user.get_username()!r} may {perm}."
        ) from None
