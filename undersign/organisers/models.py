from django.conf import settings
from django.db import models
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
