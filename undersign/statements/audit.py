"""What of the audit log a person may read, for the workspace, the CLI and the API alike.

The owners of a team read the entries about the team (its members, invitations, settings),
about its statements (edits, publishing, contact exports) and about its members' accounts;
and everybody reads their own actions. Nobody else's.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from undersign.organisers.access import team_ids_for
from undersign.organisers.models import AuditEntry, Membership
from undersign.statements.models import Statement

User = AbstractBaseUser | AnonymousUser


def _label(model) -> str:
    return str(model._meta.label_lower)


def may_read_audit(user: User) -> bool:
    return team_ids_for(user, "manage").exists()


def entries_for(user: User) -> QuerySet[AuditEntry]:
    """The entries `user` may read, newest first."""
    owned = team_ids_for(user, "manage")
    if not owned.exists():
        return AuditEntry.objects.none()
    statements = [
        str(pk) for pk in Statement.objects.filter(team__in=owned).values_list("pk", flat=True)
    ]
    members = [
        str(pk)
        for pk in Membership.objects.filter(team__in=owned)
        .values_list("user_id", flat=True)
        .distinct()
    ]
    visible = (
        Q(team__in=owned)
        | Q(object_type=_label(Statement), object_id__in=statements)
        | Q(object_type=_label(get_user_model()), object_id__in=members)
        | Q(actor_id=user.pk)
    )
    return AuditEntry.objects.filter(visible).order_by("-id")


def about_statement(entries: QuerySet[AuditEntry], statement: Statement) -> QuerySet[AuditEntry]:
    return entries.filter(object_type=_label(Statement), object_id=str(statement.pk))


def about_person(entries: QuerySet[AuditEntry], user_id: int) -> QuerySet[AuditEntry]:
    """What the person did, and what was done to them (roles, removal, their account)."""
    return entries.filter(
        Q(actor_id=user_id)
        | Q(object_type=_label(get_user_model()), object_id=str(user_id))
        | Q(data__member=user_id)
    )
