from django.db import models
from django.utils import timezone
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
    # Any language code: a letter may be first written in a language the site is not in.
    language = models.CharField(
        _("original language"),
        max_length=10,
        default="en",
        help_text=_("A language code such as ru, uk, en or de."),
    )
    authors = models.TextField(_("authors"), blank=True, help_text=_("Often a group."))
    addressee = models.CharField(
        _("addressed to"), max_length=300, blank=True, help_text=_("For example: To the …")
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="derived",
        verbose_name=_("based on"),
    )
    first_published = models.DateField(_("first published"), null=True, blank=True)
    sources = models.JSONField(_("source links"), default=list, blank=True)
    goal = models.PositiveIntegerField(
        _("goal"), null=True, blank=True, help_text=_("A number of signatures.")
    )
    deadline = models.DateTimeField(
        _("signing deadline"),
        null=True,
        blank=True,
        help_text=_("Signing closes by itself at this moment."),
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
    # Who works on it: the team's members, each with their roles (statements/access.py).
    # Empty for a statement the CLI imported before anybody chose its team.
    team = models.ForeignKey(
        "organisers.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("team"),
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
    # An event (a forum hall, a meeting): until `event_until`, signing with `event_code` (shown
    # in the room) meets the looser per-address limits of SIGNING_EVENT_LIMITS.
    event_until = models.DateTimeField(_("event signing open until"), null=True, blank=True)
    event_code = models.CharField(_("room code"), max_length=20, blank=True)
    # For a statement that came out of an assembly: its signing form asks "I took part".
    ask_took_part = models.BooleanField(
        _("ask signers whether they took part in the assembly"), default=False
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
    def is_past_deadline(self) -> bool:
        return self.deadline is not None and timezone.now() >= self.deadline

    @property
    def event_is_open(self) -> bool:
        return (
            bool(self.event_code)
            and self.event_until is not None
            and (timezone.now() < self.event_until)
        )

    @property
    def is_open(self) -> bool:
        # The deadline closes signing without anyone having to press a button.
        return self.status == self.Status.PUBLISHED and not self.is_past_deadline


class Clause(models.Model):
    """One numbered clause of the working copy. Its id is its identity: edits update the row
    in place, so the clause stays the same clause when its wording, its number or its
    neighbours change. Revisions record each clause's id; translations and (later) assembly
    positions point at it."""

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
    """The exact text as published at one moment; signatures point at it.

    `text` holds every clause's id, number and wording in every language (see
    texts.canonical_text); the public pages, the API, the feed and signing read it, while the
    live rows are the organisers' working copy.
    """

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    content_hash = models.CharField(_("SHA-256 of the text"), max_length=64)
    text = models.JSONField(_("text"))
    # [[language, title], …], the original first, copied from `text`: lists of statements
    # show titles without reading every revision's whole text.
    titles = models.JSONField(_("titles"), default=list, blank=True)
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


class StatementTranslation(models.Model):
    """The text in a language other than the original: the working copy, like the clauses.

    It may be partial: a clause without a ClauseTranslation is read in the original, marked.
    """

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=300)
    preamble = models.TextField(_("preamble"), blank=True)
    postscript = models.TextField(_("postscript"), blank=True)
    # Hash of the original text this translation was made from: when the original changes,
    # the hashes differ and the translation shows as out of date until someone updates it.
    original_hash = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "language"], name="translation_language_unique"
            ),
        ]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")

    def __str__(self) -> str:
        return f"{self.statement.slug} [{self.language}]"


class ClauseTranslation(models.Model):
    """One clause in another language. It follows its clause (not a number), so renumbering
    moves nothing; deleting the clause deletes its translations."""

    translation = models.ForeignKey(
        StatementTranslation, on_delete=models.CASCADE, related_name="clauses"
    )
    clause = models.ForeignKey(
        Clause, on_delete=models.CASCADE, related_name="translations", verbose_name=_("clause")
    )
    text = models.TextField(_("text"))
    # The original's wording this translates: when the clause is reworded, this translation
    # is out of date, and readers get the original wording of that clause instead.
    original = models.TextField(_("translated from"), blank=True)

    class Meta:
        ordering = ["clause__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["translation", "clause"], name="clause_translation_unique"
            ),
        ]
        verbose_name = _("translated clause")
        verbose_name_plural = _("translated clauses")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def outdated(self) -> bool:
        return self.original != self.clause.text
