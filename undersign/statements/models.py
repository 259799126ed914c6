from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Statement(models.Model):
    """An open letter or resolution: a title, a preamble, numbered clauses, a postscript."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    slug = models.SlugField(
        _("address"),
        max_length=80,
        unique=True,
        help_text=_("The statement's address: /s/<address>/"),
    )
    title = models.CharField(_("title"), max_length=300)
    preamble = models.TextField(_("preamble"), blank=True)
    postscript = models.TextField(_("postscript"), blank=True)
    language = models.CharField(
        _("original language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    current_revision = models.ForeignKey(
        "Revision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current revision"),
    )
    # Privacy (issue 3): with a key, contacts are sealed at submission so the server cannot
    # read them; on the deletion date all contacts are erased and exports stop.
    sealing_key = models.ForeignKey(
        "organisers.SealingKey",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("seal contacts to key"),
        help_text=_(
            "Contacts are then encrypted at signing; only the holder of the private key can "
            "read them (undersign contacts open)."
        ),
    )
    contacts_delete_on = models.DateField(
        _("erase contacts on"),
        null=True,
        blank=True,
        help_text=_("On this day all contacts are erased and no longer exported. Counts stay."),
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/s/{self.slug}/"

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.CLOSED)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Clause(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="clauses")
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="clause_number_unique"),
        ]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class Revision(models.Model):
    """The exact text as published at one moment; signatures point at it."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    content_hash = models.CharField(_("SHA-256 of the text"), max_length=64)
    text = models.JSONField(_("text"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["statement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="revision_number_unique"),
        ]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.statement.slug} r{self.number} {self.content_hash[:12]}"
