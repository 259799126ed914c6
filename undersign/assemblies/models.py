"""Assemblies: competing texts, the participants' positions on texts and clauses, amendments,
paper tallies. Statements know nothing of assemblies; an assembly points at statements.

Secrecy (secret mode): a Participant (the register: who may take part) and a Ballot (what was
marked) share no column. The participant's code, kept in a signed cookie, finds both through
two different keyed hashes; the database alone cannot join them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Assembly(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Preparing")
        OPEN = "open", _("Voting open")
        CLOSED = "closed", _("Closed")

    slug = models.SlugField(_("address"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    team = models.ForeignKey(
        "organisers.Team",
        on_delete=models.PROTECT,
        related_name="assemblies",
        verbose_name=_("team"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    secret = models.BooleanField(
        _("secret positions"),
        default=True,
        help_text=_(
            "Nobody can link a participant to their positions. Off: positions are named. "
            "Cannot change once voting opened."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    opened_at = models.DateTimeField(_("voting opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("assembly")
        verbose_name_plural = _("assemblies")

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class AssemblyText(models.Model):
    """One competing text on the ballot. Its clauses are its statement's working-copy Clause
    rows, whose ids stay put when wording or neighbours change."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="texts")
    statement = models.ForeignKey(
        "statements.Statement",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("statement"),
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    # Set by the campaign step: the statement went public carrying the room's result, and
    # its public page shows the summary from then on.
    campaign_started_at = models.DateTimeField(_("campaign started"), null=True, blank=True)

    class Meta:
        ordering = ["assembly", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "statement"], name="assembly_text_unique"),
        ]
        verbose_name = _("text")
        verbose_name_plural = _("texts")

    def __str__(self) -> str:
        return f"{self.assembly.slug}: {self.statement.slug}"


class Participant(models.Model):
    """Who may take part: a card number and a hash of the access code. Nothing recorded at
    sign-in: a timestamp here could be matched with a ballot's."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="participants")
    number = models.PositiveIntegerField(_("card number"))
    label = models.CharField(_("name"), max_length=200, blank=True)
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["assembly", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "number"], name="participant_number_unique"
            ),
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.assembly.slug} #{self.number}"


class Ballot(models.Model):
    """One participant's positions, found by a second keyed hash of the code."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="ballots")
    key = models.CharField(max_length=64, unique=True)
    # Named mode only; in secret mode always empty.
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("participant"),
    )
    # Coarse (rounded to the hour by the services) so it cannot be matched with a request log.
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self) -> str:
        return f"{self.assembly.slug} ballot {self.pk}"


class TextPosition(models.Model):
    class Value(models.TextChoices):
        SUPPORT = "support", _("Support")
        OPPOSE = "oppose", _("Oppose")
        ABSTAIN = "abstain", _("Abstain")

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="text_positions")
    text = models.ForeignKey(AssemblyText, on_delete=models.CASCADE, related_name="positions")
    value = models.CharField(_("position"), max_length=10, choices=Value.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "text"], name="text_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.text_id}: {self.value}"


class ClausePosition(models.Model):
    class Value(models.TextChoices):
        AGREE = "agree", _("Agree")
        DISAGREE = "disagree", _("Disagree")
        PASS = "pass", _("Pass")

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="clause_positions")
    clause = models.ForeignKey("statements.Clause", on_delete=models.CASCADE, related_name="+")
    value = models.CharField(_("position"), max_length=10, choices=Value.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "clause"], name="clause_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.clause_id}: {self.value}"


class Amendment(models.Model):
    class Kind(models.TextChoices):
        REWORD = "reword", _("New wording of the clause")
        INSERT_AFTER = "insert_after", _("New clause after it")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="amendments")
    text = models.ForeignKey(AssemblyText, on_delete=models.CASCADE, related_name="amendments")
    clause = models.ForeignKey(
        "statements.Clause",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("clause"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    wording = models.TextField(_("wording"))
    reason = models.TextField(_("reason"), blank=True)
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    # Who proposed it, for "my amendments"; never shown to anybody in secret mode.
    ballot = models.ForeignKey(
        Ballot, on_delete=models.SET_NULL, null=True, blank=True, related_name="amendments"
    )
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    revision = models.ForeignKey(
        "statements.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revision"),
    )

    class Meta:
        ordering = ["assembly", "created_at", "id"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")

    def __str__(self) -> str:
        return f"{self.assembly.slug} amendment {self.pk}"


class AmendmentSupport(models.Model):
    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="supports")
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "ballot"], name="amendment_support_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"support of amendment {self.amendment_id}"


class PaperTally(models.Model):
    """Counts from the room's paper ballots for a text (clause empty) or one of its clauses.
    A correction replaces the row; the audit log keeps the old and the new counts."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="paper_tallies")
    text = models.ForeignKey(AssemblyText, on_delete=models.CASCADE, related_name="paper_tallies")
    clause = models.ForeignKey(
        "statements.Clause", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    support = models.PositiveIntegerField(_("support"), default=0)
    oppose = models.PositiveIntegerField(_("oppose"), default=0)
    abstain = models.PositiveIntegerField(_("abstain"), default=0)
    agree = models.PositiveIntegerField(_("agree"), default=0)
    disagree = models.PositiveIntegerField(_("disagree"), default=0)
    pass_count = models.PositiveIntegerField(_("pass"), default=0)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["text", "clause"], name="paper_tally_unique"),
            # (text, NULL) is not unique to the database: one whole-text row per text.
            models.UniqueConstraint(
                fields=["text"],
                condition=models.Q(clause__isnull=True),
                name="paper_tally_text_unique",
            ),
        ]
        verbose_name = _("paper tally")
        verbose_name_plural = _("paper tallies")

    def __str__(self) -> str:
        return f"paper tally {self.text_id}/{self.clause_id or '-'}"


class ClauseLink(models.Model):
    """Two clauses of different texts that say the same thing."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="clause_links")
    a = models.ForeignKey("statements.Clause", on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey("statements.Clause", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assembly", "a", "b"], name="clause_link_unique"),
        ]
        verbose_name = _("clause link")
        verbose_name_plural = _("clause links")

    def __str__(self) -> str:
        return f"{self.a_id} = {self.b_id}"
