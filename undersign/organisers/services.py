"""Rules for organisers: the audit log, teams, their members and invitations."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from undersign.organisers.models import ROLES, AuditEntry, Invitation, Membership, Team

# How long an invitation link works. Long enough to reach someone by a slow channel, short
# enough that a forgotten link in a chat history stops being a key to the team.
INVITATION_LIFETIME = timedelta(days=7)


class TeamError(Exception):
    """A team rule refused the change; `message` is shown to the organiser."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _team_id_of(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, Team):
        return obj.pk
    team_id = getattr(obj, "team_id", None)
    if team_id is not None:
        return int(team_id)
    # A signature, a translation, a revision: the team of the statement it belongs to.
    parent = getattr(obj, "statement", None)
    return getattr(parent, "team_id", None)


def log_action(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    team: Team | None = None,
) -> AuditEntry:
    """Record `action` (a dotted code such as `statement.publish`) in the audit log.

    Call it inside the transaction of the change it describes, so the two commit together.
    The entry is stamped with `team`, else with the team of `obj` (a team, anything with a
    team, or anything belonging to a statement): that team's owners read it in the workspace.
    """
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry.objects.create(
        action=action,
        actor=user,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        team_id=team.pk if team is not None else _team_id_of(obj),
        data=data or {},
    )


def _roles(roles: Iterable[str]) -> dict[str, bool]:
    chosen = set(roles)
    unknown = chosen - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    if not chosen:
        raise TeamError(_("Choose at least one role."))
    return {role: role in chosen for role in ROLES}


def _sorted(roles: Iterable[str]) -> list[str]:
    return [role for role in ROLES if role in set(roles)]


@transaction.atomic
def create_team(
    name: str,
    *,
    owner: Any,
    roles: Iterable[str] = ("owner",),
    require_two_factor: bool = False,
    actor: Any = None,
) -> Team:
    """Start a team with `owner` as its first member (with `roles`, owner among them).

    Refuses a name another team has (ignoring case): people pick a team by its name.
    """
    name = " ".join(name.split())
    if not name:
        raise TeamError(_("Give the team a name."))
    if Team.objects.filter(name__iexact=name).exists():
        raise TeamError(_("Another team already has this name."))
    roles = list(roles)
    granted = _roles(roles)
    if not granted["owner"]:
        raise TeamError(_("The first member of a team is its owner."))
    team = Team.objects.create(name=name, require_two_factor=require_two_factor)
    Membership.objects.create(team=team, user=owner, **granted)
    log_action(
        "team.create",
        actor=actor,
        obj=team,
        data={"owner": owner.pk, "roles": _sorted(roles), "require_two_factor": require_two_factor},
    )
    return team


def _locked_members(team: Team) -> list[Membership]:
    # Locking the team's rows serialises concurrent changes, so two owners removing each
    # other at once cannot leave the team without an owner.
    return list(Membership.objects.select_for_update().filter(team=team))


def _keeps_an_owner(members: list[Membership], user_id: int, owner_after: bool) -> bool:
    return owner_after or any(m.owner for m in members if m.user_id != user_id)


@transaction.atomic
def change_roles(team: Team, user_id: int, roles: Iterable[str], *, actor: Any) -> Membership:
    """Give a member of `team` exactly `roles`. A team always keeps at least one owner."""
    roles = list(roles)
    granted = _roles(roles)
    members = _locked_members(team)
    membership = next((m for m in members if m.user_id == user_id), None)
    if membership is None:
        raise TeamError(_("This person is not a member of the team."))
    if not _keeps_an_owner(members, user_id, granted["owner"]):
        raise TeamError(_("A team needs an owner: make someone else owner first."))
    before = _sorted(membership.roles)
    for role, held in granted.items():
        setattr(membership, role, held)
    membership.save(update_fields=list(ROLES))
    log_action(
        "team.member.roles",
        actor=actor,
        obj=team,
        data={"member": user_id, "roles": _sorted(roles), "before": before},
    )
    return membership


@transaction.atomic
def remove_member(team: Team, user_id: int, *, actor: Any) -> None:
    """Take a person out of `team`. It takes effect at their next request: roles are read
    from the database every time. The last owner cannot be removed."""
    members = _locked_members(team)
    membership = next((m for m in members if m.user_id == user_id), None)
    if membership is None:
        raise TeamError(_("This person is not a member of the team."))
    if not _keeps_an_owner(members, user_id, False):
        raise TeamError(_("A team needs an owner: make someone else owner first."))
    roles = _sorted(membership.roles)
    membership.delete()
    log_action(
        "team.member.remove", actor=actor, obj=team, data={"member": user_id, "roles": roles}
    )


@transaction.atomic
def change_team(team: Team, *, name: str, require_two_factor: bool, actor: Any) -> Team:
    """Rename a team, or make two-factor login required of its members (or not)."""
    name = " ".join(name.split())
    if not name:
        raise TeamError(_("Give the team a name."))
    if Team.objects.filter(name__iexact=name).exclude(pk=team.pk).exists():
        raise TeamError(_("Another team already has this name."))
    changed: dict[str, Any] = {}
    if name != team.name:
        changed["name"] = name
    if require_two_factor != team.require_two_factor:
        changed["require_two_factor"] = require_two_factor
    if changed:
        team.name = name
        team.require_two_factor = require_two_factor
        team.save(update_fields=["name", "require_two_factor"])
        log_action("team.change", actor=actor, obj=team, data=changed)
    return team


# Invitations -------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invite(
    team: Team, *, roles: Iterable[str], note: str = "", actor: Any
) -> tuple[Invitation, str]:
    """Make a one-time link into `team` granting `roles`; returns it with its token.

    Only the token's hash is stored: show the token to the owner now, it cannot be read
    again. The link works once, until INVITATION_LIFETIME has passed or it is withdrawn.
    """
    roles = list(roles)
    granted = _roles(roles)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        team=team,
        token_hash=_token_hash(token),
        note=" ".join(note.split())[:100],
        created_by=actor,
        expires_at=timezone.now() + INVITATION_LIFETIME,
        **granted,
    )
    log_action(
        "team.invite",
        actor=actor,
        obj=team,
        data={
            "invitation": invitation.pk,
            "roles": _sorted(roles),
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    return invitation, token


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, actor: Any) -> None:
    """Withdraw an unused invitation: its link stops working at once."""
    revoked = Invitation.objects.filter(pk=invitation.pk, used_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if revoked:
        log_action(
            "team.invite.revoke",
            actor=actor,
            obj=invitation.team,
            data={"invitation": invitation.pk},
        )


def open_invitation(token: str) -> Invitation | None:
    """The invitation behind a link's token, if it can still be used."""
    if not token or len(token) > 100:
        return None
    invitation = (
        Invitation.objects.select_related("team").filter(token_hash=_token_hash(token)).first()
    )
    return invitation if invitation is not None and invitation.is_open else None


@transaction.atomic
def accept_invitation(token: str, user: Any, *, new_account: bool = False) -> Membership:
    """Put `user` in the invitation's team with its roles (added to any they hold there).

    The link is used up in the same transaction, by a conditional update: of two people
    using one link at the same moment, one gets in.
    """
    invitation = open_invitation(token)
    now = timezone.now()
    used = (
        invitation is not None
        and Invitation.objects.filter(
            pk=invitation.pk, used_at=None, revoked_at=None, expires_at__gt=now
        ).update(used_at=now, used_by=user)
        == 1
    )
    if not used or invitation is None:
        raise TeamError(_("This invitation was used, withdrawn or has expired."))
    membership, _created = Membership.objects.get_or_create(team=invitation.team, user=user)
    for role in invitation.roles:
        setattr(membership, role, True)
    membership.save(update_fields=list(ROLES))
    log_action(
        "team.invite.accept",
        actor=user,
        obj=invitation.team,
        data={
            "invitation": invitation.pk,
            "member": user.pk,
            "roles": _sorted(membership.roles),
            "new_account": new_account,
        },
    )
    return membership


@transaction.atomic
def join_with_new_account(token: str, *, username: str, password: str) -> Any:
    """Create an account for the holder of an invitation link and put it in the team.

    Nothing is created when the link no longer works.
    """
    if open_invitation(token) is None:
        raise TeamError(_("This invitation was used, withdrawn or has expired."))
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise TeamError(_("This user name is taken. Choose another one."))
    user = User.objects.create_user(username=username, password=password)
    accept_invitation(token, user, new_account=True)
    return user
