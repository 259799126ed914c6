"""Mailings to the signers who agreed to hear from the organisers, and the daily digest.

A `Mailing` is written in the statement's language (or another) with translations; when it
starts, one `Recipient` row per signer is written (ids only, never an address), and the
worker claims, sends and marks them one by one, so a worker killed halfway and started again
sends nobody twice. An `Unsubscription` records a signer's own act of withdrawing the
consent to be contacted.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from undersign.signatures.models import Signature
from undersign.statements.models import Statement


class Mailing(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        # Paused by an organiser: no recipient is claimed until they resume it.
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("text"), max_length=20000)
    # The signers list's filter (`SignerFilterForm` data), kept as the query string.
    filter_query = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker sending it holds a lease, renewed with every mail; a lease that ran out
    # means that worker died (`services.take_lease`).
    runner = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"mailing {self.pk} ({self.status})"


class MailingTranslation(models.Model):
    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("text"), max_length=20000)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "language"], name="mailing_translation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"mailing {self.mailing_id} [{self.language}]"


class Recipient(models.Model):
    """One signer of one mailing: written when the mailing starts."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        # Claimed by a worker, the mail on its way: a worker killed now leaves it here, and
        # it becomes IN_DOUBT (never sent again) when its lease runs out.
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Unsubscribed, withdrawn or erased before its turn.
        SKIPPED = "skipped", _("Skipped")
        IN_DOUBT = "in_doubt", _("Not known whether sent")

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="recipients")
    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    runner = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=10, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "signature"], name="one_recipient_per_signature"
            ),
        ]
        indexes = [models.Index(fields=["mailing", "state", "id"], name="recipient_turn_idx")]

    def __str__(self) -> str:
        return f"recipient {self.pk} of mailing {self.mailing_id} ({self.state})"


class Unsubscription(models.Model):
    """A signer withdrew the consent to be contacted, from a mailing's link or one click in
    their mail program. Their act, not an organiser's: no audit entry, this row instead."""

    class Way(models.TextChoices):
        ONE_CLICK = "one_click", _("One click in the mail program")
        PAGE = "page", _("The button on the page")

    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="+")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    way = models.CharField(max_length=10, choices=Way.choices)
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"unsubscription of signature {self.signature_id}"


class DigestChoice(models.Model):
    """An owner or contacts viewer who wants the daily digest, and when it last went."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_choice"
    )
    daily = models.BooleanField(_("Send me a daily digest"), default=False)
    # The language the digest is written in: the person's interface language when they
    # chose the digest, changeable on the digest page.
    language = models.CharField(_("language"), max_length=10, blank=True, db_default="")
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"digest of user {self.user_id}"
