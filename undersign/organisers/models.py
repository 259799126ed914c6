from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One thing an organiser (or the system) did, with a dotted action code.

    `data` holds ids and filters, never contact details.
    """

    action = models.CharField(_("action"), max_length=100, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("who"),
    )
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.CharField(_("object id"), max_length=50, blank=True)
    # The team the entry concerns, stamped when it is written (from the object's team), so
    # that a team's owners read their own entries and nobody else's.
    team = models.ForeignKey(
        "Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class SealingKey(models.Model):
    """The public half of an organisers' key pair; contacts of sealed statements are sealed to it.

    The private half never reaches the server: `undersign keys new` writes it to a file the
    organisers keep, and `undersign contacts open` uses it on their own machine.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    public_key = models.CharField(_("public key (base64)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sealing key")
        verbose_name_plural = _("sealing keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.fingerprint})"

    @property
    def fingerprint(self) -> str:
        """Short, comparable with the one `undersign keys new` printed."""
        import hashlib

        return hashlib.sha256(self.public_key.encode()).hexdigest()[:16]


# Teams and roles ------------------------------------------------------------------------------

# A person may hold several roles in a team; each grants some of the permissions that
# `undersign.statements.access` and `undersign.organisers.access` answer with.
ROLES = ("owner", "editor", "moderator", "contacts_viewer")
ROLE_LABELS = {
    "owner": _("owner"),
    "editor": _("editor"),
    "moderator": _("moderator"),
    "contacts_viewer": _("contacts viewer"),
}
ROLE_HELP = {
    "owner": _("members, invitations, keys, the audit log"),
    "editor": _("text, translations, publishing, closing"),
    "moderator": _("hiding public names"),
    "contacts_viewer": _("seeing and exporting contacts"),
}
# "view" comes with every role: whoever works on a statement may read it in the workspace.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "owner": frozenset({"view", "manage"}),
    "editor": frozenset({"view", "edit", "publish"}),
    "moderator": frozenset({"view", "moderate"}),
    "contacts_viewer": frozenset({"view", "contacts"}),
}


class Team(models.Model):
    """A group of organisers; statements belong to a team, roles are held per team."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    require_two_factor = models.BooleanField(
        _("require two-factor login"),
        default=False,
        help_text=_("Every member must log in with a code from an authenticator app."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class RoleSet(models.Model):
    """The four roles as columns: a membership holds them, an invitation grants them."""

    owner = models.BooleanField(_("owner"), default=False)
    editor = models.BooleanField(_("editor"), default=False)
    moderator = models.BooleanField(_("moderator"), default=False)
    contacts_viewer = models.BooleanField(_("contacts viewer"), default=False)

    class Meta:
        abstract = True

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for role in ROLES if getattr(self, role))

    @property
    def permissions(self) -> frozenset[str]:
        return frozenset().union(*(ROLE_PERMISSIONS[role] for role in self.roles))

    def role_labels(self) -> list[str]:
        return [str(ROLE_LABELS[role]) for role in ROLES if getattr(self, role)]


class Membership(RoleSet):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["team", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique"),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class Invitation(RoleSet):
    """A one-time link into a team. Only a hash of its token is kept: the link is shown once,
    to the owner who made it, and a copy of the database cannot be used to join."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    note = models.CharField(
        _("for whom"),
        max_length=100,
        blank=True,
        help_text=_("A reminder for the team, e.g. a first name. Not shown to anybody else."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("used by"),
    )
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.team}: {self.note or self.pk}"

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.revoked_at is None and timezone.now() < self.expires_at
