"""Signatures: the public part apart from the contacts.

`Signature` holds only what may be shown (the name as the signer chose to show it, city,
country, times, the revision signed). `Contact` holds what must never be shown (full name,
email, volunteer details); only `undersign.signatures.contacts` reads it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from undersign.signatures import fields
from undersign.signatures.places import place_key
from undersign.statements.models import Revision, Statement


class Signature(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        # Confirmed, then found fake by a moderator: out of the counter and every list,
        # until a moderator counts it again (`moderation.validate_signature`).
        INVALID = "invalid", _("Marked invalid by a moderator")

    class Display(models.TextChoices):
        FULL = "full", _("Full name")
        INITIALS = "initials", _("Initials only")
        HIDDEN = "hidden", _("Not public (counted only)")

    class Source(models.TextChoices):
        WEB = "web", _("Signed on the site")
        IMPORT = "import", _("Imported")
        PAPER = "paper", _("Signed on paper")

    # No index of its own: every index of the table below starts with the statement (a
    # signing wrote one more page for it; issue 13).
    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    # Random reference used in the mail's links; the link's token is an HMAC over it.
    ref = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    display = models.CharField(max_length=10, choices=Display.choices)
    public_name = models.CharField(_("name as shown"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    # The city's grouping key (`places.place_key`): Köln, Koeln and Cologne share one.
    city_key = models.CharField(max_length=100, blank=True, editable=False)
    country = CountryField(_("country"), blank=True)
    # The place is public only when the signer asked for it (`fields.shown`).
    show_place = models.BooleanField(default=False, db_default=False)
    volunteer = models.BooleanField(_("ready to work together"), default=False)
    took_part = models.BooleanField(_("took part in the assembly"), default=False, db_default=False)
    # Answers to the statement's public questions, by question key ("q12"): true for a yes,
    # a choice's key, a list of them, or the text. Others' answers are contact data.
    answers = models.JSONField(default=dict, db_default=models.Value({}, models.JSONField()))
    language = models.CharField(max_length=10)
    # The versions of the consent texts agreed to: to sign (store and show the signature),
    # and to be contacted by the organisers ("" when not given; mailings go only to those
    # who gave it).
    consent_version = models.CharField(max_length=20)
    contact_consent_version = models.CharField(max_length=20, blank=True, default="", db_default="")
    # Keyed hash of the normalised email: finds duplicates without keeping the address.
    # Emptied on withdrawal, so the person may sign again later.
    email_digest = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 (NULLs may repeat under the unique constraint; empty strings may not)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    mail_sent_at = models.DateTimeField(null=True, blank=True)
    # When the one reminder before the purge was claimed for sending (`retention.remind`).
    reminded_at = models.DateTimeField(null=True, blank=True)
    # How many submissions shaped this signature while it was pending: the latest one for an
    # address decides, and the confirm page posts the number it showed, so choices replaced
    # in the meantime are shown to the person before they can be confirmed.
    submissions = models.PositiveIntegerField(default=1)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    # Moderation (`signatures.moderation`): a hidden name leaves the public list and API but
    # stays counted; the public page says how many were hidden.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The import (a Google Form's sheet, a paper list) that brought it (`signatures.imports`).
    imported_in = models.ForeignKey(
        "SignatureImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_default=None,
        related_name="+",
        db_index=False,  # `signature_import_idx`: imported rows only
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "email_digest"], name="one_signature_per_email"
            ),
        ]
        indexes = [
            models.Index(
                fields=["statement", "status", "-confirmed_at", "-id"], name="signature_list_idx"
            ),
            # The organisers' list (`signatures.reporting`) pages by the same keyset under
            # its filters; each selective filter has an index that keeps that order. They
            # hold confirmed signatures only, the ones those filters page through: a pending
            # signature written into each was a page more per signing in a surge, and
            # moved again when confirmed (issue 13). The few invalid ones are found
            # through `signature_list_idx`.
            models.Index(
                fields=["statement", "status", "city_key", "-confirmed_at", "-id"],
                condition=models.Q(status="confirmed"),
                name="signature_city_c_idx",
            ),
            models.Index(
                fields=["statement", "status", "country", "-confirmed_at", "-id"],
                condition=models.Q(status="confirmed"),
                name="signature_country_c_idx",
            ),
            models.Index(
                fields=["statement", "status", "revision", "-confirmed_at", "-id"],
                condition=models.Q(status="confirmed"),
                name="signature_revision_c_idx",
            ),
            models.Index(
                fields=["imported_in"],
                condition=models.Q(imported_in__isnull=False),
                name="signature_import_idx",
            ),
            models.Index(
                fields=["statement", "status", "-confirmed_at", "-id"],
                condition=models.Q(volunteer=True),
                name="signature_volunteer_idx",
            ),
            models.Index(
                fields=["statement", "status", "-confirmed_at", "-id"],
                condition=models.Q(hidden_at__isnull=False),
                name="signature_hidden_idx",
            ),
        ]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")

    def __str__(self) -> str:
        return f"signature {self.pk} ({self.status})"

    def save(self, *args, **kwargs) -> None:
        self.city_key = place_key(self.city)
        if kwargs.get("update_fields") is not None and "city" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "city_key"}
        super().save(*args, **kwargs)

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    # The place as the public list, the API, the PDF and the confirm page show it: only
    # when the signer asked for it.
    @property
    def shown_city(self) -> str:
        return fields.shown(self, "city")

    @property
    def shown_country(self):
        return fields.shown(self, "country")


class Contact(models.Model):
    """Personal data of one signature; deleted when the signature is withdrawn.

    On a sealed statement the clear fields stay empty and `sealed` holds them all, encrypted
    to the organisers' public key. `transit` holds the submission the confirmation mail
    needs (the address, the name it greets), encrypted under the server's transit key, which
    is not in the database; it is erased once the mail has gone out.
    """

    signature = models.OneToOneField(
        Signature, on_delete=models.CASCADE, primary_key=True, related_name="contact"
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    telegram = models.CharField(max_length=100, blank=True)
    signal = models.CharField(max_length=100, blank=True)
    volunteer_where = models.CharField(max_length=300, blank=True)
    # Answers to the questions for the organisers or for contacts viewers (`questions`).
    answers = models.JSONField(default=dict, db_default=models.Value({}, models.JSONField()))
    sealed = models.TextField(blank=True)
    # `contacts.sealed_digest(sealed)`, written with every box: the unsubscribe link of a
    # mail sent from the organisers' computer names its signer by it ("" when in clear).
    box_digest = models.CharField(max_length=40, blank=True, db_index=True, db_default="")
    transit = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"contact of signature {self.signature_id}"


class SigningNotice(models.Model):
    """A signing attempt with an email that had already signed, waiting for its mail.

    The owner of the address is told (a pending signature gets its link again, with the
    choices of this latest submission); the person at the form sees the same answer as
    anyone. `transit` holds the whole submission encrypted under the transit key and is
    erased once the job ran; the row stays a little while to count notices per day.

    A request for the link again (the check-mail page) is a notice too, with no signature
    yet: it names its `statement`, and the job finds the signature by the address, if any.
    """

    signature = models.ForeignKey(
        Signature, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    transit = models.TextField(blank=True)
    language = models.CharField(max_length=10)
    # The address, opened from `transit` by `contacts.notice_for_mail`; never stored.
    email: str = ""
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"notice {self.pk} for signature {self.signature_id}"


class SignatureCount(models.Model):
    """One shard of the count of a statement's signatures under one revision.

    The public counter is the sum of a statement's shards, and the sum per revision says how
    many signatures each wording gathered. Confirm and withdraw add to a random shard in their
    own transaction, so concurrent signers on PostgreSQL do not queue for one row;
    `reconcile_counts` recomputes the sums from the signatures themselves.
    """

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="+")
    shard = models.PositiveSmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "revision", "shard"], name="one_row_per_shard"
            ),
        ]

    def __str__(self) -> str:
        return f"count shard {self.shard} of statement {self.statement_id}"


class SignatureTally(models.Model):
    """One shard of how many counted signatures of a statement share one value.

    `dimension` says which value: "day" (the confirmation's date), "country", "city" (the
    `place_key`), "spelling" (key and spelling, to show the commonest), "volunteer-city",
    "language", "source", "display", and the name of each counted yes/no field
    (`fields.COUNTED`, key "yes"). Kept by `signatures.tallies` in the same transactions that move
    the counter, so the dashboard reads a few hundred rows instead of grouping a million;
    `reconcile_counts` rebuilds them when they disagree with the signatures.
    """

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=210)
    shard = models.PositiveSmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "dimension", "key", "shard"], name="one_tally_per_shard"
            ),
        ]

    def __str__(self) -> str:
        return f"tally {self.dimension}={self.key} of statement {self.statement_id}"


class Question(models.Model):
    """A question the organisers add to one statement's signing form (`signatures.questions`).

    Its label and choices are written in the statement's original language; each choice
    keeps its key ("c1", …) when reworded, so answers keep their meaning.
    """

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes or no (a box to tick)")
        ONE = "one", _("One choice")
        SEVERAL = "several", _("Several choices")
        TEXT = "text", _("Short text")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone: shown next to the name")
        ORGANISERS = "organisers", _("The organisers")
        CONTACTS = "contacts", _("Only the organisers who may see contacts")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    visibility = models.CharField(
        _("who sees the answers"), max_length=12, choices=Visibility.choices
    )
    required = models.BooleanField(_("an answer is required"), default=False)
    # Taken off the form, a question keeps the answers given in the list and the exports.
    asked = models.BooleanField(_("asked on the signing form"), default=True)
    position = models.PositiveIntegerField(_("position"), default=1)
    label = models.CharField(_("question"), max_length=300)
    # [{"key": "c1", "label": "Translation"}, …] in the original language.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.label[:60]

    @property
    def key(self) -> str:
        """Its name in forms, the API and exports."""
        return f"q{self.pk}"

    @property
    def statement_language(self) -> str:
        return self.statement.language

    @property
    def has_choices(self) -> bool:
        return self.kind in (self.Kind.ONE, self.Kind.SEVERAL)


class QuestionTranslation(models.Model):
    """A question in another language. `original` is the original label and choices it was
    made from: once they change, readers get the original until someone updates it."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10)
    label = models.CharField(_("question"), max_length=300)
    # {choice key: label}
    choices = models.JSONField(_("choices"), default=dict, blank=True)
    original = models.TextField(blank=True)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "language"], name="question_translation_unique"
            ),
        ]
        verbose_name = _("translated question")
        verbose_name_plural = _("translated questions")

    def __str__(self) -> str:
        return f"{self.question_id} [{self.language}]"


class SignatureImport(models.Model):
    """One uploaded sheet of signatures (`signatures.imports`): a Google Form's export, or a
    list typed from paper.

    Between the preview and the import its rows wait in `rows`, encrypted under the transit
    key (never in the database), and are erased once imported or discarded; what stays is
    who imported how many, never an address.
    """

    class Kind(models.TextChoices):
        FORM = "form", _("An online form (each row has an email)")
        PAPER = "paper", _("Paper (rows without an email count as paper signatures)")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The language of rows that say none.
    language = models.CharField(_("language"), max_length=10)
    # The sheet's header row (question texts, not people) and each column's target.
    columns = models.JSONField(default=list)
    mapping = models.JSONField(default=list)
    row_count = models.PositiveIntegerField(default=0)
    rows = models.TextField(blank=True)  # transit box; "" once imported or discarded
    # Rows handled so far: an import cut short goes on from there, never twice.
    done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    imported_at = models.DateTimeField(null=True, blank=True)
    discarded_at = models.DateTimeField(null=True, blank=True)
    # The workspace's import runs in the worker (`tasks.import_sheet`): queued when the
    # organiser pressed the button, failed when that job stopped on an error (a new press
    # resumes it from `done`).
    queued_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("signature import")
        verbose_name_plural = _("signature imports")

    def __str__(self) -> str:
        return f"import {self.pk} into statement {self.statement_id}"

    @property
    def is_open(self) -> bool:
        return self.imported_at is None and self.discarded_at is None

    @property
    def is_running(self) -> bool:
        """Queued for the worker or being imported by it, and not stopped on an error."""
        return self.is_open and self.queued_at is not None and self.failed_at is None

    @property
    def has_failed(self) -> bool:
        return self.is_open and self.failed_at is not None
