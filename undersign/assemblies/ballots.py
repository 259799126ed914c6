"""What participants do: record positions, propose and support amendments.

Every call takes the participant's access code (from their signed cookie or the API's
header) and finds the Participant and the Ballot by two different keyed hashes of it (see
codes.py). Nothing here writes the audit log or a log line, and nothing records when a
participant signed in: in secret mode no row, page or log line may link a participant to a
ballot. In named mode the ballot names its participant, as announced before voting opened.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from undersign.assemblies import codes
from undersign.assemblies.models import (
    Amendment,
    AmendmentSupport,
    Assembly,
    AssemblyText,
    Ballot,
    ClausePosition,
    Participant,
    TextPosition,
)
from undersign.assemblies.services import AssemblyError
from undersign.statements.models import Clause

TEXT_VALUES = frozenset(TextPosition.Value.values)
CLAUSE_VALUES = frozenset(ClausePosition.Value.values)
MAX_WORDING = 5000
MAX_REASON = 2000


class NotParticipant(AssemblyError):
    """The code is unknown here or revoked."""


class VotingNotOpen(AssemblyError):
    pass


class BadPositions(AssemblyError):
    """Positions naming texts, clauses or values that are not on this ballot."""

    def __init__(self, message: str, errors: dict[str, list[str]]) -> None:
        super().__init__(message)
        self.errors = errors


@dataclass
class Positions:
    """One ballot's positions: text id → value, clause id → value."""

    texts: dict[int, str] = field(default_factory=dict)
    clauses: dict[int, str] = field(default_factory=dict)


def participant_for(assembly: Assembly, typed: str | None) -> Participant | None:
    """The participant holding this code in `assembly`, unless it is revoked."""
    code = codes.normalise(typed)
    if code is None:
        return None
    return Participant.objects.filter(
        assembly=assembly, code_hash=codes.code_hash(code), revoked_at__isnull=True
    ).first()


def _coarse(moment=None):
    """Now, to the hour: a ballot's time cannot be matched with a request at the door."""
    return (moment or timezone.now()).replace(minute=0, second=0, microsecond=0)


def ballot_of(assembly: Assembly, code: str) -> Ballot | None:
    """The ballot of a (valid, normalised) code, if it has one yet."""
    return Ballot.objects.filter(assembly=assembly, key=codes.ballot_key(code)).first()


def _ballot(assembly: Assembly, participant: Participant, code: str) -> Ballot:
    key = codes.ballot_key(code)
    # Named only once voting opened: before, organisers may still switch to secret.
    named = (
        participant if assembly.status != Assembly.Status.DRAFT and not assembly.secret else None
    )
    ballot = Ballot.objects.filter(key=key).first()
    if ballot is not None:
        if named is not None and ballot.participant_id is None:
            Ballot.objects.filter(pk=ballot.pk).update(participant=named)
        return ballot
    try:
        with transaction.atomic():
            return Ballot.objects.create(
                assembly=assembly, key=key, participant=named, updated_at=_coarse()
            )
    except IntegrityError:  # the same code's other device made it a moment ago
        return Ballot.objects.get(key=key)


def _signed_in(assembly: Assembly, typed: str | None) -> tuple[Participant, str]:
    code = codes.normalise(typed)
    participant = participant_for(assembly, code)
    if participant is None or code is None:
        raise NotParticipant(_("This code is not valid here, or it was revoked."))
    return participant, code


def positions_of(assembly: Assembly, typed: str | None) -> Positions:
    """What the holder of this code has marked so far (nothing for an unknown code)."""
    code = codes.normalise(typed)
    ballot = ballot_of(assembly, code) if code else None
    if ballot is None:
        return Positions()
    return Positions(
        texts=dict(ballot.text_positions.values_list("text_id", "value")),
        clauses=dict(ballot.clause_positions.values_list("clause_id", "value")),
    )


def check_positions(
    assembly: Assembly, texts: dict[int, str], clauses: dict[int, str]
) -> dict[str, list[str]]:
    """Errors by key ("text:<id>", "clause:<id>") for texts, clauses or values not on this
    assembly's ballot; empty when all is well."""
    errors: dict[str, list[str]] = {}
    text_ids = set(assembly.texts.values_list("pk", flat=True))
    clause_ids = set(
        Clause.objects.filter(statement__in=assembly.texts.values("statement")).values_list(
            "pk", flat=True
        )
    )
    for pk, value in texts.items():
        if pk not in text_ids:
            errors[f"text:{pk}"] = [_("This text is not on the ballot.")]
        elif value not in TEXT_VALUES:
            errors[f"text:{pk}"] = [_("Choose support, oppose or abstain.")]
    for pk, value in clauses.items():
        if pk not in clause_ids:
            errors[f"clause:{pk}"] = [_("This clause is not on the ballot.")]
        elif value not in CLAUSE_VALUES:
            errors[f"clause:{pk}"] = [_("Choose agree, disagree or pass.")]
    return errors


@transaction.atomic
def record_positions(
    assembly: Assembly,
    typed_code: str | None,
    *,
    texts: dict[int, str] | None = None,
    clauses: dict[int, str] | None = None,
) -> Positions:
    """Record (or change) positions of the holder of a code while voting is open: text id →
    support/oppose/abstain, clause id → agree/disagree/pass. Either may be partial; what is
    not named stays as it was.

    Raises NotParticipant (unknown or revoked code), VotingNotOpen, BadPositions.
    """
    texts, clauses = texts or {}, clauses or {}
    participant, code = _signed_in(assembly, typed_code)
    if not assembly.is_open:
        raise VotingNotOpen(_("Voting is not open."))
    errors = check_positions(assembly, texts, clauses)
    if errors:
        raise BadPositions(_("Some positions are not on this ballot."), errors)
    ballot = _ballot(assembly, participant, code)
    for text_id, value in texts.items():
        TextPosition.objects.update_or_create(
            ballot=ballot, text_id=text_id, defaults={"value": value}
        )
    for clause_id, value in clauses.items():
        ClausePosition.objects.update_or_create(
            ballot=ballot, clause_id=clause_id, defaults={"value": value}
        )
    if texts or clauses:
        Ballot.objects.filter(pk=ballot.pk).update(updated_at=_coarse())
    return positions_of(assembly, code)


def _check_may_amend(assembly: Assembly) -> None:
    if assembly.status == Assembly.Status.CLOSED:
        raise VotingNotOpen(_("The assembly is closed."))


@transaction.atomic
def propose_amendment(
    assembly: Assembly,
    typed_code: str | None,
    *,
    text: AssemblyText,
    clause: Clause,
    kind: str,
    wording: str,
    reason: str,
    language: str,
) -> Amendment:
    """A participant proposes a new wording for `clause`, or a new clause after it, with a
    reason; before voting opens or while it is open."""
    participant, code = _signed_in(assembly, typed_code)
    _check_may_amend(assembly)
    if text.assembly_id != assembly.pk or clause.statement_id != text.statement_id:
        raise AssemblyError(_("This clause is not on the ballot."))
    if kind not in Amendment.Kind.values:
        raise AssemblyError(_("Choose what the amendment does."))
    wording, reason = wording.strip(), reason.strip()
    if not wording:
        raise AssemblyError(_("Write the wording you propose."))
    if not reason:
        raise AssemblyError(_("Say why, in a sentence or two."))
    if len(wording) > MAX_WORDING or len(reason) > MAX_REASON:
        raise AssemblyError(_("This is too long for an amendment."))
    ballot = _ballot(assembly, participant, code)
    return Amendment.objects.create(
        assembly=assembly,
        text=text,
        clause=clause,
        kind=kind,
        wording=wording.replace("\r\n", "\n"),
        reason=reason.replace("\r\n", "\n"),
        language=language[:10],
        ballot=ballot,
    )


@transaction.atomic
def support_amendment(
    assembly: Assembly, typed_code: str | None, amendment: Amendment, *, support: bool = True
) -> bool:
    """Support an amendment (or, with `support=False`, take the support back) while it is
    proposed. Returns whether the holder of the code supports it now."""
    participant, code = _signed_in(assembly, typed_code)
    _check_may_amend(assembly)
    if amendment.assembly_id != assembly.pk:
        raise AssemblyError(_("This amendment is not in this assembly."))
    if amendment.status != Amendment.Status.PROPOSED:
        raise AssemblyError(_("This amendment has been decided."))
    ballot = _ballot(assembly, participant, code)
    if amendment.ballot_id == ballot.pk:
        raise AssemblyError(_("You proposed this amendment."))
    if support:
        AmendmentSupport.objects.get_or_create(amendment=amendment, ballot=ballot)
    else:
        AmendmentSupport.objects.filter(amendment=amendment, ballot=ballot).delete()
    return support
