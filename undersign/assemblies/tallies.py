"""What organisers enter by hand: counts from the room's paper ballots, and links between
clauses of different texts that say the same thing."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from undersign.assemblies.models import Assembly, AssemblyText, ClauseLink, PaperTally
from undersign.assemblies.services import AssemblyError
from undersign.assemblies.services import user_of as _user
from undersign.organisers.services import log_action
from undersign.statements.models import Clause
from undersign.statements.working_copy import Actor

TEXT_COUNTS = ("support", "oppose", "abstain")
CLAUSE_COUNTS = ("agree", "disagree", "pass_count")
# More than any hall holds; a typo of three extra zeros is refused, not counted.
MAX_COUNT = 1_000_000


@dataclass(frozen=True)
class Counts:
    """Counts for the whole text (clause None: support, oppose, abstain) or for one of its
    clauses (agree, disagree, pass_count)."""

    clause: Clause | None
    values: dict[str, int]


def _fields(clause: Clause | None) -> tuple[str, ...]:
    return CLAUSE_COUNTS if clause is not None else TEXT_COUNTS


@transaction.atomic
def enter_paper_tallies(
    text: AssemblyText, rows: list[Counts], *, actor: Actor = None
) -> list[PaperTally]:
    """Enter (or correct) the paper counts of a text and of its clauses.

    A correction replaces the row; each row that changed is logged with its old and new
    counts and who entered them. Rows whose counts did not change are left alone.
    """
    assembly = text.assembly
    clause_ids = set(text.statement.clauses.values_list("pk", flat=True))
    saved = []
    for row in rows:
        if row.clause is not None and row.clause.pk not in clause_ids:
            raise AssemblyError(_("This clause is not on the ballot."))
        names = _fields(row.clause)
        new = {name: int(row.values.get(name) or 0) for name in names}
        if any(not 0 <= value <= MAX_COUNT for value in new.values()):
            raise AssemblyError(_("Counts are whole numbers from 0 up."))
        tally = PaperTally.objects.filter(text=text, clause=row.clause).first()
        old = {name: getattr(tally, name) for name in names} if tally else None
        if old == new or (old is None and not any(new.values())):
            continue
        if tally is None:
            tally = PaperTally(assembly=assembly, text=text, clause=row.clause)
        for name, value in new.items():
            setattr(tally, name, value)
        tally.entered_by = _user(actor)
        tally.save()
        log_action(
            "assembly.paper_tally",
            actor=actor,
            obj=assembly,
            data={
                "statement": text.statement.slug,
                "clause": row.clause.pk if row.clause else None,
                "old": old,
                "new": new,
            },
        )
        saved.append(tally)
    return saved


def _text_of(assembly: Assembly, clause: Clause) -> int | None:
    return (
        assembly.texts.filter(statement_id=clause.statement_id).values_list("pk", flat=True).first()
    )


@transaction.atomic
def link_clauses(assembly: Assembly, a: Clause, b: Clause, *, actor: Actor = None) -> ClauseLink:
    """Record that clauses `a` and `b`, of two different texts of the assembly, say the same
    thing. The pair is kept in one order, so linking it twice changes nothing."""
    text_a, text_b = _text_of(assembly, a), _text_of(assembly, b)
    if text_a is None or text_b is None:
        raise AssemblyError(_("This clause is not on the ballot."))
    if text_a == text_b:
        raise AssemblyError(_("Link clauses of two different texts."))
    first, second = sorted([a, b], key=lambda c: c.pk)
    link, created = ClauseLink.objects.get_or_create(assembly=assembly, a=first, b=second)
    if created:
        log_action("assembly.link", actor=actor, obj=assembly, data={"a": first.pk, "b": second.pk})
    return link


@transaction.atomic
def unlink_clauses(link: ClauseLink, *, actor: Actor = None) -> None:
    log_action(
        "assembly.unlink", actor=actor, obj=link.assembly, data={"a": link.a_id, "b": link.b_id}
    )
    link.delete()
