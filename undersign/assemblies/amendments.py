"""Organisers decide amendments. Accepting one changes the text through the statements'
services, clause by clause (every other clause keeps its identity, so positions on it stay
attached), and records a revision: its hash and the word-by-word diff show the change."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from undersign.assemblies.models import Amendment
from undersign.assemblies.services import AssemblyError
from undersign.assemblies.services import user_of as _user
from undersign.organisers.services import log_action
from undersign.statements import services as statements
from undersign.statements.models import Revision
from undersign.statements.working_copy import Actor, StatementError


def _check_proposed(amendment: Amendment) -> None:
    if amendment.status != Amendment.Status.PROPOSED:
        raise AssemblyError(_("This amendment has been decided already."))


@transaction.atomic
def accept_amendment(
    amendment: Amendment, *, wording: str | None = None, actor: Actor = None
) -> Revision:
    """Accept `amendment`: its clause gets the new wording ("reword"), or a new clause goes
    in after it ("insert_after"), and the text gets a new revision.

    `wording` is what goes into the text, in the statement's original language; by default
    the wording proposed (which may be in another language: organisers then give the
    original's). A published statement's new revision is public at once, so a text with
    other unpublished changes is refused until they are published or discarded. A draft
    gets a first revision (the text as the assembly had it) before the change, so the diff
    shows it.
    """
    _check_proposed(amendment)
    statement = amendment.text.statement
    final = (wording if wording is not None else amendment.wording).strip()
    if not final:
        raise AssemblyError(_("Write the wording that goes into the text."))
    if statements.has_unpublished_changes(statement):
        raise AssemblyError(
            _(
                "This text has unpublished changes. Publish or discard them first, so that "
                "accepting the amendment publishes nothing else."
            )
        )
    rows: list[tuple[int | None, str]] = []
    for pk, text in statement.clauses.values_list("pk", "text"):
        if pk == amendment.clause_id and amendment.kind == Amendment.Kind.REWORD:
            if text.strip() == final:
                raise AssemblyError(_("The clause has this wording already."))
            rows.append((pk, final))
            continue
        rows.append((pk, text))
        if pk == amendment.clause_id:
            rows.append((None, final))
    try:
        if statement.current_revision is None:
            statements.record_revision(statement, actor=actor)
        statements.revise_statement(
            statement,
            title=statement.title,
            preamble=statement.preamble,
            postscript=statement.postscript,
            clauses=rows,
            actor=actor,
        )
        if statement.is_public:
            revision = statements.publish_changes(statement, actor=actor)
        else:
            revision = statements.record_revision(statement, actor=actor)
    except StatementError as error:
        raise AssemblyError(error.message) from None
    amendment.status = Amendment.Status.ACCEPTED
    amendment.decided_at = timezone.now()
    amendment.decided_by = _user(actor)
    amendment.revision = revision
    amendment.save(update_fields=["status", "decided_at", "decided_by", "revision"])
    log_action(
        "assembly.amendment_accept",
        actor=actor,
        obj=amendment.assembly,
        data={"amendment": amendment.pk, "statement": statement.slug, "revision": revision.number},
    )
    return revision


@transaction.atomic
def reject_amendment(amendment: Amendment, *, actor: Actor = None) -> Amendment:
    _check_proposed(amendment)
    amendment.status = Amendment.Status.REJECTED
    amendment.decided_at = timezone.now()
    amendment.decided_by = _user(actor)
    amendment.save(update_fields=["status", "decided_at", "decided_by"])
    log_action(
        "assembly.amendment_reject",
        actor=actor,
        obj=amendment.assembly,
        data={"amendment": amendment.pk, "statement": amendment.text.statement.slug},
    )
    return amendment
