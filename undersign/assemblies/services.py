"""Rules for assemblies as organisers run them: setting up, texts, codes, opening, closing,
and the step from a text to its public campaign.

What participants do (positions, amendments proposed and supported) is in ballots.py and is
never written to the audit log; deciding amendments in amendments.py; paper tallies and
clause links in tallies.py.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from undersign.assemblies import codes
from undersign.assemblies.models import Assembly, AssemblyText, Ballot, Participant
from undersign.organisers.models import Team
from undersign.organisers.services import log_action
from undersign.statements import services as statements
from undersign.statements.models import Statement
from undersign.statements.working_copy import Actor, StatementError

# At most this many codes in one go: a registration desk prints a few hundred; a mistake
# typing 100000 should not lock the database for minutes.
MAX_CODES = 5000


class AssemblyError(Exception):
    """An assembly rule refused the change; `message` is shown to the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class NewCode:
    """A code just made: shown once (CSV, cards), then only its hash remains."""

    number: int
    code: str
    label: str = ""


_LATIN = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфхцыэіїєґ", "abvgdezijklmnoprstufhcyeiieg", strict=True)),
        **{"ё": "e", "ж": "zh", "ч": "ch", "ш": "sh", "щ": "sch", "ю": "yu", "я": "ya"},
        **{"ь": "", "ъ": "", "'": "", "’": ""},
    }
)
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


def free_slug(name: str) -> str:
    base = slugify(name.lower().translate(_LATIN))[:60].strip("-") or "assembly"
    slug, n = base, 1
    while Assembly.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def user_of(actor: Actor) -> Any:
    """The organiser to record on a row (`decided_by`, `entered_by`), or None for the CLI."""
    return actor if actor is not None and actor.is_authenticated else None


def _check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise AssemblyError(_("The assembly cannot end before it starts."))


@transaction.atomic
def create_assembly(
    *,
    name: str,
    team: Team,
    slug: str = "",
    place: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    languages: list[str] | None = None,
    secret: bool = True,
    statements: Iterable[Statement] = (),
    actor: Actor = None,
) -> Assembly:
    """Start an assembly of `team` (voting not open yet) with `statements` as its texts.

    Without a `slug`, one is made from the name.
    """
    name = name.strip()
    if not name:
        raise AssemblyError(_("An assembly needs a name."))
    if slug and (not SLUG.fullmatch(slug) or Assembly.objects.filter(slug=slug).exists()):
        raise AssemblyError(_("Another assembly already has this address."))
    _check_dates(starts_on, ends_on)
    assembly = Assembly.objects.create(
        slug=slug or free_slug(name),
        name=name,
        place=place.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        languages=list(languages or []),
        team=team,
        secret=secret,
    )
    log_action("assembly.create", actor=actor, obj=assembly, data={"slug": assembly.slug})
    for statement in statements:
        add_text(assembly, statement, actor=actor)
    return assembly


@transaction.atomic
def edit_assembly(
    assembly: Assembly,
    *,
    name: str,
    place: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    languages: list[str] | None = None,
    secret: bool | None = None,
    actor: Actor = None,
) -> Assembly:
    """Change the assembly's details. Secret or named is announced before voting opens and
    stays as announced: it cannot change once voting opened."""
    name = name.strip()
    if not name:
        raise AssemblyError(_("An assembly needs a name."))
    _check_dates(starts_on, ends_on)
    changes = {}
    if secret is not None and secret != assembly.secret:
        if assembly.status != Assembly.Status.DRAFT:
            raise AssemblyError(
                _("Voting has opened: whether positions are secret or named cannot change.")
            )
        assembly.secret = secret
        changes["secret"] = secret
        # Ballots made before opening (an amendment proposed) name nobody; keep it so.
        Ballot.objects.filter(assembly=assembly).update(participant=None)
    assembly.name, assembly.place = name, place.strip()
    assembly.starts_on, assembly.ends_on = starts_on, ends_on
    if languages is not None:
        assembly.languages = list(languages)
    assembly.save()
    log_action("assembly.edit", actor=actor, obj=assembly, data=changes)
    return assembly


def _check_not_closed(assembly: Assembly) -> None:
    if assembly.status == Assembly.Status.CLOSED:
        raise AssemblyError(_("The assembly is closed."))


@transaction.atomic
def add_text(assembly: Assembly, statement: Statement, *, actor: Actor = None) -> AssemblyText:
    """Put `statement` (of the assembly's team) on the ballot, after the texts there."""
    if statement.team_id != assembly.team_id:
        raise AssemblyError(_("Only statements of the assembly's team can be put to it."))
    if assembly.status != Assembly.Status.DRAFT:
        raise AssemblyError(_("Texts can only be added before voting opens."))
    if assembly.texts.filter(statement=statement).exists():
        raise AssemblyError(_("This text is already on the ballot."))
    last = assembly.texts.aggregate(last=Max("position"))["last"]
    text = AssemblyText.objects.create(
        assembly=assembly, statement=statement, position=(last or 0) + 1
    )
    log_action("assembly.text_add", actor=actor, obj=assembly, data={"statement": statement.slug})
    return text


@transaction.atomic
def add_new_text(
    assembly: Assembly, *, title: str, language: str = "en", actor: Actor = None
) -> AssemblyText:
    """A new, empty draft of the assembly's team, put on the ballot; its clauses are then
    written in the statement editor."""
    if assembly.status != Assembly.Status.DRAFT:
        raise AssemblyError(_("Texts can only be added before voting opens."))
    try:
        statement = statements.create_statement(
            title=title, clauses=[], language=language, team=assembly.team, actor=actor
        )
    except StatementError as error:
        raise AssemblyError(error.message) from None
    return add_text(assembly, statement, actor=actor)


@transaction.atomic
def remove_text(text: AssemblyText, *, actor: Actor = None) -> None:
    """Take a text off the ballot before voting opens (its statement stays)."""
    assembly = text.assembly
    if assembly.status != Assembly.Status.DRAFT:
        raise AssemblyError(_("Texts can only be removed before voting opens."))
    log_action(
        "assembly.text_remove", actor=actor, obj=assembly, data={"statement": text.statement.slug}
    )
    text.delete()


@transaction.atomic
def generate_codes(
    assembly: Assembly,
    count: int = 0,
    *,
    labels: list[str] | None = None,
    actor: Actor = None,
) -> list[NewCode]:
    """Register `count` participants (or one per name in `labels`), numbered on from the
    last card, each with a new access code.

    The codes are returned once and stored only as hashes: the caller hands them out now
    (a CSV, printed cards) or never.
    """
    _check_not_closed(assembly)
    names = [label.strip()[:200] for label in labels] if labels is not None else [""] * count
    if not names:
        raise AssemblyError(_("Ask for at least one code."))
    if len(names) > MAX_CODES:
        raise AssemblyError(_("At most %(max)d codes at a time.") % {"max": MAX_CODES})
    # Locks out a second batch being numbered at the same moment (PostgreSQL; SQLite's
    # IMMEDIATE transactions already write one at a time).
    Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
    last = assembly.participants.aggregate(last=Max("number"))["last"] or 0
    made = [NewCode(last + i, codes.new_code(), name) for i, name in enumerate(names, 1)]
    try:
        with transaction.atomic():
            Participant.objects.bulk_create(
                Participant(
                    assembly=assembly,
                    number=new.number,
                    label=new.label,
                    code_hash=codes.code_hash(new.code),
                )
                for new in made
            )
    except IntegrityError:  # 80 random bits met an existing code: astronomically rare
        raise AssemblyError(_("Please try again.")) from None
    log_action(
        "assembly.codes",
        actor=actor,
        obj=assembly,
        data={"count": len(made), "first": made[0].number, "last": made[-1].number},
    )
    return made


def codes_in(assembly: Assembly, typed: Iterable[str]) -> list[NewCode]:
    """Codes handed back by the page that showed them once (to download the list or the
    cards), checked against the register: only valid codes of this assembly, in number
    order, with their numbers and names from the register."""
    wanted = {}
    for value in typed:
        code = codes.normalise(value)
        if code:
            wanted[codes.code_hash(code)] = code
    rows = assembly.participants.filter(
        code_hash__in=list(wanted), revoked_at__isnull=True
    ).order_by("number")
    return [NewCode(p.number, wanted[p.code_hash], p.label) for p in rows]


@transaction.atomic
def revoke_participant(participant: Participant, *, actor: Actor = None) -> Participant:
    """The code no longer signs in or changes anything. Positions recorded with it before
    stay: in secret mode nobody can tell which they are."""
    if participant.revoked_at is None:
        participant.revoked_at = timezone.now()
        participant.save(update_fields=["revoked_at"])
        log_action(
            "assembly.revoke",
            actor=actor,
            obj=participant.assembly,
            data={"number": participant.number},
        )
    return participant


@transaction.atomic
def open_voting(assembly: Assembly, *, actor: Actor = None) -> Assembly:
    """Open voting: participants may record positions until it closes. From now on the
    texts stay on the ballot and secret or named stays as announced."""
    if assembly.status != Assembly.Status.DRAFT:
        raise AssemblyError(_("Voting can only be opened once."))
    if not assembly.texts.exists():
        raise AssemblyError(_("Put at least one text on the ballot first."))
    assembly.status = Assembly.Status.OPEN
    assembly.opened_at = timezone.now()
    assembly.save(update_fields=["status", "opened_at"])
    log_action("assembly.open", actor=actor, obj=assembly)
    return assembly


@transaction.atomic
def close_voting(assembly: Assembly, *, actor: Actor = None) -> Assembly:
    """Close voting for good: positions stay as they are, results are final."""
    if assembly.status == Assembly.Status.CLOSED:
        return assembly
    if assembly.status != Assembly.Status.OPEN:
        raise AssemblyError(_("Voting has not opened yet."))
    assembly.status = Assembly.Status.CLOSED
    assembly.closed_at = timezone.now()
    assembly.save(update_fields=["status", "closed_at"])
    log_action("assembly.close", actor=actor, obj=assembly)
    return assembly


@transaction.atomic
def start_campaign(text: AssemblyText, *, actor: Actor = None) -> Statement:
    """Publish the text as a public statement open for signatures, carrying the room's
    result: its public page shows the summary from then on.

    Only after voting closed, so the summary is the room's final word. A statement that is
    already public stays as it is (its unpublished changes, if any, wait for the editor).
    """
    assembly = text.assembly
    if assembly.status != Assembly.Status.CLOSED:
        raise AssemblyError(_("Close voting first: the public page shows the final result."))
    statement = text.statement
    if not statement.clauses.exists():
        raise AssemblyError(_("This text has no clauses yet."))
    try:
        statements.publish_statement(statement, actor=actor)
    except StatementError as error:
        raise AssemblyError(error.message) from None
    # Participants who then sign can say they took part: the form asks it from now on.
    statements.set_signing_options(statement, ask_took_part=True, actor=actor)
    if text.campaign_started_at is None:
        text.campaign_started_at = timezone.now()
        text.save(update_fields=["campaign_started_at"])
    log_action("assembly.campaign", actor=actor, obj=assembly, data={"statement": statement.slug})
    return statement
